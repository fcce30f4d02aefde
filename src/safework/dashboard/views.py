"""Dashboard pages (thin): the safety manager's figures, the distribution charts, the
list behind each number (and its .xlsx), the contractor boards, the monthly self-check,
emergency plans and periodic reports."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from safework.alerts.choices import State
from safework.certificates.choices import Status
from safework.certificates.exports_views import _download
from safework.contractors.choices import CONTRACTOR_KINDS
from safework.core.access import organizations_visible
from safework.core.choices import Role
from safework.core.models import Organization
from safework.core.views import actor_for, page

from . import charts, distribution, selectors
from .exports import list_export_xlsx
from .forms import FilterForm
from .lists import LISTS

PER_PAGE = 50


def _filter(request, **overrides):
    form = FilterForm(request.GET or None, actor=actor_for(request))
    return form, form.dashboard_filter(**overrides)


@page
@require_GET
def index(request):
    actor = actor_for(request)
    if actor.role == Role.CONTRACTOR_ADMIN and actor.organization_id:
        return redirect("dashboard:board", actor.organization_id)
    form, f = _filter(request)
    figures = selectors.manager_figures(f)
    chart_options = {
        "status": charts.certificate_status_pie(f, figures["certificates"]),
        "denials": charts.denials_bar(f, figures["denials"][1]),
        "retraining": charts.retraining_bar(f, figures["retraining"]),
        **{
            f"permits_{w}": charts.permits_bar(f, figures["permits"][w], w)
            for w in selectors.PERMIT_WINDOWS
        },
    }
    context = {"form": form, "f": f, "figures": figures, "charts": chart_options}
    context["links"] = _manager_links(f)
    context["rows"] = _manager_rows(f, figures)
    return render(request, "dashboard/index.html", context)


def _manager_rows(f, figures) -> dict:
    link = charts.list_link
    bands = ["0–30", "31–60", "61–90", "> 90"]
    return {
        "status": [
            (s, Status(s).label, n, link(f, "certificates", status=s))
            for s, n in figures["certificates"].items()
        ],
        "expiring": [(d, n, link(f, "expiring", days=d)) for d, n in figures["expiring"].items()],
        "renewing": [
            (bands[i], n, link(f, "renewing", band=i))
            for i, n in enumerate(figures["renewing"]["bands"])
        ],
        "outbox": [
            (s, State(s).label, n, link(f, "outbox", state=s))
            for s, n in figures["outbox"]["counts"].items()
        ],
    }


def _manager_links(f) -> dict:
    link = charts.list_link
    return {
        "on_site": link(f, "on_site"),
        "new_entries": link(f, "new_entries"),
        "noncompliant_on_site": link(f, "noncompliant_on_site"),
        "noncompliant": link(f, "noncompliant"),
        "review_due": link(f, "review_due"),
        "expiring": {d: link(f, "expiring", days=d) for d in selectors.EXPIRY_WINDOWS},
        "renewing": link(f, "renewing"),
        "renewing_bands": [
            link(f, "renewing", band=i) for i in range(len(selectors.RENEWING_AGE_BANDS))
        ],
        "denials": link(f, "denials"),
        "outbox": {s: link(f, "outbox", state=s) for s in selectors.OUTBOX_STATES},
        "permits": {w: link(f, "permits", window=w) for w in selectors.PERMIT_WINDOWS},
    }


@page
@require_GET
def distribution_page(request):
    form, f = _filter(request)
    figures = distribution.distribution_figures(f)
    chart_options = {
        "by_category": charts.categories_pie(f, figures["by_category"]),
        "by_item": charts.items_bar(f, figures["by_item"]),
        "by_organization": charts.organizations_bar(f, figures["by_organization"]),
        "by_age": charts.ages_bar(f, figures["by_age"]),
        "expiry": charts.expiry_bar(f, figures["expiry_by_month"]),
        "history": charts.history_line(f, figures["history"]),
    }
    context = {
        "form": form,
        "f": f,
        "figures": figures,
        "charts": chart_options,
        "near_link": charts.list_link(f, "near_retirement"),
        "noncompliant_link": charts.list_link(f, "noncompliant"),
        "history_range": distribution.history_range(f),
    }
    return render(request, "dashboard/distribution.html", context)


@page
@require_GET
def list_view(request, name: str):
    spec = LISTS.get(name)
    if spec is None:
        raise Http404
    form, f = _filter(request)
    params = {k: v for k, v in request.GET.items() if k not in FilterForm.base_fields}
    params.pop("page", None)
    if request.GET.get("export") == "xlsx":
        path, _count = list_export_xlsx(f=f, name=name, spec=spec, params=params)
        return _download(path, f"{spec.title(params)}".replace("/", "-")[:60])
    page_obj = Paginator(spec.rows(f, params), PER_PAGE).get_page(request.GET.get("page"))
    if spec.prepare:
        for row in page_obj:
            spec.prepare(f, row)
    rows = [
        [(c.value(row), c.link(row) if c.link else "") for c in spec.columns] for row in page_obj
    ]
    context = {
        "form": form,
        "f": f,
        "name": name,
        "title": spec.title(params),
        "headers": [c.header for c in spec.columns],
        "rows": rows,
        "page_obj": page_obj,
        "export_query": request.GET.copy().urlencode(),
    }
    return render(request, "dashboard/list.html", context)


# --- contractor boards -----------------------------------------------------------------------


def _contractors(actor):
    return organizations_visible(
        Organization.objects.filter(kind__in=CONTRACTOR_KINDS, is_active=True), actor
    ).order_by("name")


@page
@require_GET
def boards(request):
    actor = actor_for(request)
    if actor.role == Role.CONTRACTOR_ADMIN and actor.organization_id:
        return redirect("dashboard:board", actor.organization_id)
    return render(request, "dashboard/boards.html", {"contractors": _contractors(actor)})


@page
@require_GET
def board(request, pk: int):
    actor = actor_for(request)
    organization = get_object_or_404(_contractors(actor), pk=pk)
    form, f = _filter(request, organization_id=organization.pk)
    figures = selectors.contractor_board(f)
    context = {
        "form": form,
        "f": f,
        "organization": organization,
        "figures": figures,
        "charts": {"retraining": charts.retraining_bar(f, figures["retraining"])},
        "links": {
            "on_site": charts.list_link(f, "on_site"),
            "new_entries": charts.list_link(f, "new_entries"),
            "noncompliant_on_site": charts.list_link(f, "noncompliant_on_site"),
            "noncompliant": charts.list_link(f, "noncompliant"),
            "retraining": charts.list_link(f, "retraining"),
        },
    }
    return render(request, "dashboard/board.html", context)
