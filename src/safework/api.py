"""The HTTP API at /api/v1/ (DESIGN.md, Core HTTP API): routers, authentication, and one
error format for every failure::

    {"message": "身份证号: 身份证号码校验位错误…", "errors": [{"field": "id_number", "message": "…"}]}

Messages are in the request's language (Accept-Language, default Chinese)."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.renderers import JSONRenderer

from safework.access.api import authorization_router, badge_router, gate_router
from safework.approvals.api import router as approvals_router
from safework.certificates.api import catalogue_router
from safework.certificates.api import router as certificates_router
from safework.certificates.imports_api import router as imports_router
from safework.contractors.api import router as contractors_router
from safework.core.api import router as organizations_router
from safework.core.auth import api_auth
from safework.core.errors import ServiceError, pydantic_message
from safework.evidence.api import router as evidence_router
from safework.people.api import router as persons_router
from safework.permits.api import router as permits_router


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8 characters, not \\u escapes: readable in logs and curl."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="safework API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),
    renderer=Utf8JSONRenderer(),
    description=(
        "特种作业安全合规平台 — the register of special-operations workers, their "
        "certificates and qualification. Authenticate with `Authorization: Bearer <token>` "
        "(`safework token create --name N --scope read|write`). Dates are YYYY-MM-DD, times "
        "ISO 8601 in Asia/Shanghai. Errors: `{message, errors: [{field, message}]}`."
    ),
)
api.add_router("", organizations_router)
api.add_router("", persons_router)
api.add_router("", certificates_router)
api.add_router("", catalogue_router)
api.add_router("", imports_router)
api.add_router("", gate_router)
api.add_router("", badge_router)
api.add_router("", authorization_router)
api.add_router("", approvals_router)
api.add_router("", contractors_router)
api.add_router("", permits_router)
api.add_router("", evidence_router)

# Included at /api/ by safework.urls: DESIGN.md promises the OpenAPI docs at /api/docs.
urlpatterns = [
    path("docs", RedirectView.as_view(pattern_name="api:openapi-view"), name="api-docs"),
]

# Service field names differ from the API's where the API takes an id or a code.
FIELD_ALIASES = {
    "organization": "organization_id",
    "sites": "site_ids",
    "parent": "parent_id",
    "person": "person_id",
    "type": "type_code",
}

FIELD_LABELS = {
    "body": gettext_lazy("request body"),
    "name": gettext_lazy("name"),
    "kind": gettext_lazy("kind"),
    "credit_code": gettext_lazy("unified social credit code"),
    "parent_id": gettext_lazy("parent organization"),
    "contact_name": gettext_lazy("contact person"),
    "contact_phone": gettext_lazy("contact phone"),
    "contact_email": gettext_lazy("contact email"),
    "id_number": gettext_lazy("ID number"),
    "phone": gettext_lazy("mobile phone"),
    "organization_id": gettext_lazy("organization"),
    "special_operations": gettext_lazy("special operations"),
    "site_ids": gettext_lazy("sites"),
    "site_id": gettext_lazy("site"),
    "job_title": gettext_lazy("job title"),
    "note": gettext_lazy("note"),
    "state": gettext_lazy("employment state"),
    "employment_state": gettext_lazy("employment state"),
    "reason": gettext_lazy("reason"),
    "person_id": gettext_lazy("person"),
    "type_code": gettext_lazy("operation item"),
    "number": gettext_lazy("certificate number"),
    "issued_by": gettext_lazy("issuing authority"),
    "first_issued_on": gettext_lazy("first issued on"),
    "valid_from": gettext_lazy("valid from"),
    "valid_until": gettext_lazy("valid until"),
    "next_review_due": gettext_lazy("next review due"),
    "scope_note": gettext_lazy("scope"),
    "review_extended": gettext_lazy("review interval extended to 6 years"),
    "review_extended_by": gettext_lazy("extension approved by"),
    "manual_state": gettext_lazy("certificate state"),
    "reviewed_on": gettext_lazy("reviewed on"),
    "authority": gettext_lazy("reviewed by (authority)"),
    "next_due": gettext_lazy("next review due"),
    "operation": gettext_lazy("operation item"),
    "item": gettext_lazy("operation item"),
    "on": gettext_lazy("date"),
    "q": gettext_lazy("search"),
    "status": gettext_lazy("status"),
    "within_days": gettext_lazy("within days"),
    "system": gettext_lazy("issuing system"),
    "page": gettext_lazy("page"),
    "page_size": gettext_lazy("page size"),
    "token": gettext_lazy("API token"),
    "credential": gettext_lazy("credential"),
    "credential_type": gettext_lazy("credential type"),
    "gate": gettext_lazy("gate"),
    "direction": gettext_lazy("direction"),
    "since": gettext_lazy("cursor"),
    "limit": gettext_lazy("limit"),
    "area_id": gettext_lazy("work area"),
    "work_area_id": gettext_lazy("work area"),
    "work_area": gettext_lazy("work area"),
    "source": gettext_lazy("camera source"),
    "continuous": gettext_lazy("continuous recording"),
    "pack": gettext_lazy("report package"),
}

# Names of the handler parameters that hold a whole body or query schema.
_PARAM_NAMES = {"payload", "filters", "query", "ninja_pagination"}


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def error_response(request, status: int, errors: list[dict], message: str = ""):
    message = message or "; ".join(f"{field_label(e['field'])}: {e['message']}" for e in errors)
    return api.create_response(request, {"message": message, "errors": errors}, status=status)


def _pydantic_field(loc) -> str:
    names = [p for p in loc[1:] if isinstance(p, str) and p not in _PARAM_NAMES]
    return names[0] if names else "body"


def _request_invalid(request, exc: RequestInvalid):
    errors = [
        {"field": _pydantic_field(e.get("loc", ())), "message": pydantic_message(e)}
        for e in exc.errors
    ]
    return error_response(request, 422, errors)


def _service_error(request, exc: ServiceError):
    fields = getattr(exc, "errors", None)
    if not fields:
        message = str(getattr(exc, "message", "") or "") or _("You may not do this.")
        return error_response(request, exc.status, [], message)
    errors = [{"field": FIELD_ALIASES.get(k, k), "message": str(v)} for k, v in fields.items()]
    return error_response(request, exc.status, errors)


def _not_found(request, exc: Exception):
    return error_response(request, 404, [], _("Not found, or outside your scope."))


def _unauthenticated(request, exc: AuthenticationError):
    message = (
        exc.message
        if exc.message != "Unauthorized"
        else _("Authentication required: send Authorization: Bearer <token>, or log in.")
    )
    response = error_response(request, 401, [], message)
    response["WWW-Authenticate"] = 'Bearer realm="safework"'
    return response


def _http_error(request, exc: HttpError):
    if str(exc).startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
        return error_response(request, 400, [{"field": "body", "message": message}])
    return error_response(request, exc.status_code, [], str(exc))


api.add_exception_handler(RequestInvalid, _request_invalid)
api.add_exception_handler(ServiceError, _service_error)
api.add_exception_handler(ObjectDoesNotExist, _not_found)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(AuthenticationError, _unauthenticated)
api.add_exception_handler(HttpError, _http_error)


def _out_of_range(request, exc: OverflowError):
    # An id or number beyond 64 bits (SQLite refuses to bind it): nothing can match it.
    return error_response(request, 422, [], _("A number in the request is out of range."))


api.add_exception_handler(OverflowError, _out_of_range)
