import ipaddress
import uuid

from django.conf import settings
from django.utils.deprecation import MiddlewareMixin


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless that is a trusted reverse proxy
    (SAFEWORK_TRUSTED_PROXIES); then X-Forwarded-For is read from the right, each hop a
    trusted proxy appended, and the first address that is not a trusted proxy is the
    client. Whatever a client wrote further left is never believed; a malformed hop ends
    the walk at the last proxy that was trusted."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXIES
    if not trusted or not _within(remote, trusted):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    client = remote
    for hop in reversed([h for h in hops if h]):
        if _address(hop) is None:
            break
        client = hop
        if not _within(hop, trusted):
            break
    return client


def _address(text: str | None):
    try:
        return ipaddress.ip_address(text or "")
    except ValueError:
        return None


def _within(text: str | None, networks) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in networks)


class RequestContextMiddleware(MiddlewareMixin):
    """Give every request an id (kept from X-Request-ID when sane) for audit entries."""

    def process_request(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming[:64] if incoming.isprintable() and incoming else ""
        if not request.request_id:
            request.request_id = uuid.uuid4().hex
        request.client_ip = client_ip(request)

    def process_response(self, request, response):
        if getattr(request, "request_id", None):
            response["X-Request-ID"] = request.request_id
        return response


class RejectNulMiddleware:
    """NUL characters have no business in any field, and PostgreSQL cannot store them in
    text: refuse such a request with a 400 instead of failing deep inside a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            from django.http import HttpResponseBadRequest, JsonResponse
            from django.utils.translation import gettext as _

            message = _("The request contains a NUL character, which no field accepts.")
            if request.path.startswith("/api/"):
                return JsonResponse({"message": message, "errors": []}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
        "QUERY_STRING", ""
    ):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("application/json"):
        return b"\\u0000" in request.body or b"\x00" in request.body
    if content_type.startswith("application/x-www-form-urlencoded"):
        return b"%00" in request.body or b"\x00" in request.body
    # multipart bodies are left alone: files may hold NUL bytes, and reading request.POST
    # here would consume the stream the view needs; Django form fields refuse NUL anyway.
    return False


class ChineseFirstLocaleMiddleware:
    """Pages are in Chinese (zh-hans) unless the user picked another language with the
    switcher (cookie); a browser's Accept-Language does not override that. API clients may
    still ask for English with Accept-Language; without it they get Chinese."""

    def __init__(self, get_response):
        from django.middleware.locale import LocaleMiddleware

        self.get_response = get_response
        self._api = LocaleMiddleware(get_response)

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        if request.path.startswith("/api/"):
            return self._api(request)
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            from django.utils.cache import patch_vary_headers

            patch_vary_headers(response, ("Cookie",))
        return response


class OutOfRangeMiddleware:
    """A path id beyond 64 bits (``/people/99999999999999999999/``) cannot exist; SQLite
    raises OverflowError binding it. Answer 404 like any other missing object."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            from django.http import Http404

            raise Http404 from exception
        return None
