from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "safework_2fa_ok"
_OPEN_PREFIXES = (
    "/static/",
    "/i18n/",
    "/login/",
    "/logout/",
    "/account/2fa/verify/",
)


class SecondFactorMiddleware:
    """A user with an authenticator app must enter a code once per session before
    anything else. API calls with a bearer token are not sessions and pass, but only on
    the API, where the token alone decides (core.auth.TokenAuth): a page answers with
    the session, so a Bearer header there must not skip the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_KEY)
            and not request.path.startswith(_OPEN_PREFIXES)
            and not _bearer_api_call(request)
            and _has_device(user)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"message": "second factor required"}, status=401)
            return redirect(f"{reverse('accounts:totp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)


def _bearer_api_call(request) -> bool:
    return request.path.startswith("/api/") and request.headers.get("Authorization", "").startswith(
        "Bearer "
    )


def _has_device(user) -> bool:
    from .models import TotpDevice

    return TotpDevice.objects.filter(user=user).exists()
