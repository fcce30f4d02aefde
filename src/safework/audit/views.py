from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from safework.core.actors import Actor
from safework.core.errors import NotAllowed

from . import selectors
from .anchors import anchor_dir, public_key_b64
from .exports import audit_export_xlsx
from .verify import verify_chain


def _actor(request) -> Actor:
    return Actor(user=request.user, ip=request.client_ip, request_id=request.request_id)


def _int(raw) -> int | None:
    return int(raw) if str(raw or "").isdigit() else None


def _date(raw) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _filters(request) -> dict:
    g = request.GET
    return {
        "person_id": _int(g.get("person")),
        "certificate_id": _int(g.get("certificate")),
        "actor_q": g.get("actor", ""),
        "action": g.get("action", ""),
        "date_from": _date(g.get("from")),
        "date_to": _date(g.get("to")),
    }


def _guard(fn):
    def wrapper(request, *args, **kwargs):
        try:
            return fn(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None

    wrapper.__name__ = fn.__name__
    return login_required(wrapper)


@_guard
def audit_list(request):
    entries = selectors.audit_list(actor=_actor(request), **_filters(request))
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page_obj": page,
            "actions": selectors.action_names(),
            "f": request.GET,
            "query": query.urlencode(),
        },
    )


@_guard
def audit_export(request):
    filters = _filters(request)
    entries = selectors.audit_list(actor=_actor(request), **filters)
    path, _count = audit_export_xlsx(
        actor=_actor(request), entries=entries, filters={k: str(v) for k, v in filters.items() if v}
    )
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,  # noqa: SIM115
        filename=f"audit-{date.today().isoformat()}.xlsx",
    )


@_guard
def object_history(request, object_type, object_id):
    entries = selectors.object_history(
        actor=_actor(request), object_type=object_type, object_id=object_id
    )
    return render(
        request,
        "audit/history.html",
        {
            "entries": entries,
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": entries.last().object_repr if entries else object_id,
        },
    )


@_guard
def anchors(request):
    return render(
        request,
        "audit/anchors.html",
        {
            "anchors": selectors.anchor_list(actor=_actor(request)),
            "public_key": public_key_b64(),
            "result": None,
        },
    )


@_guard
@require_POST
def verify_now(request):
    anchor_rows = selectors.anchor_list(actor=_actor(request))
    return render(
        request,
        "audit/anchors.html",
        {
            "anchors": anchor_rows,
            "public_key": public_key_b64(),
            "result": verify_chain(),
        },
    )


@_guard
def anchor_download(request, pk):
    anchor = selectors.anchor_list(actor=_actor(request)).filter(pk=pk).first()
    path = anchor_dir() / anchor.file_name if anchor else None
    if path is None or not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=anchor.file_name)  # noqa: SIM115
