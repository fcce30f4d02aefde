import uuid

from django.utils.deprecation import MiddlewareMixin


def client_ip(request) -> str | None:
    # Behind a reverse proxy set SAFEWORK to trust X-Forwarded-For at the proxy only;
    # here we record REMOTE_ADDR, which cannot be forged by the client.
    return request.META.get("REMOTE_ADDR")


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
