"""API authentication: machine clients send ``Authorization: Bearer <token>``, pages use the
Django session (with CSRF on unsafe methods). Either way the request's ``auth`` becomes an
``Actor``, which carries the scoping rules every service and selector applies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .actors import Actor
from .choices import TokenScope
from .errors import NotAllowed
from .models import ApiToken
from .tokens import token_verify

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REGISTER_SCOPES = frozenset({TokenScope.READ, TokenScope.WRITE})


def request_actor(request: HttpRequest, **who) -> Actor:
    return Actor(
        ip=getattr(request, "client_ip", None),
        request_id=getattr(request, "request_id", ""),
        **who,
    )


def actor_of(request: HttpRequest) -> Actor:
    """The Actor that TokenAuth or SessionAuth put on the request."""
    return request.auth


def check_token_scope(token: ApiToken, method: str, scopes: frozenset[str]) -> None:
    """``read`` tokens only read; ``write`` includes read; ``gate`` tokens only reach the
    gate endpoints (whose auth lists the gate scope)."""
    if token.scope not in scopes:
        raise NotAllowed(_("This token's scope does not cover this endpoint."))
    if token.scope == TokenScope.READ and method not in SAFE_METHODS:
        raise NotAllowed(_("This token can only read; use a token with the write scope."))


class TokenAuth(HttpBearer):
    """Bearer token. An unknown or revoked token is a 401, even when a session exists."""

    def __init__(self, *, scopes: frozenset[str] = REGISTER_SCOPES) -> None:
        super().__init__()
        self.scopes = scopes

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        api_token = token_verify(token)
        if api_token is None:
            raise AuthenticationError(message=_("The API token is unknown or has been revoked."))
        check_token_scope(api_token, request.method, self.scopes)
        return request_actor(request, token=api_token)


class SessionAuth(APIKeyCookie):
    """A logged-in user of the pages. CSRF is checked for unsafe methods once we know the
    user is logged in, so an anonymous request gets 401, not a CSRF error."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise NotAllowed(_("The CSRF check failed; reload the page and try again."))
        return request_actor(request, user=user)


def api_auth(scopes: frozenset[str] = REGISTER_SCOPES) -> list:
    return [TokenAuth(scopes=scopes), SessionAuth()]
