"""Pages: login, home, organizations, sites and work areas; and the small helpers every
app's pages share (the acting user, the login gate, forms that call one service).

Views parse input, call one service or selector and render; every queryset shown goes
through safework.core.access."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safework.certificates.choices import Status
from safework.certificates.selectors import certificate_list, status_counts

from . import services
from .access import organizations_visible, require_owner_admin, sites_visible
from .actors import Actor
from .clock import today
from .errors import NotAllowed, ValidationFailed
from .forms import (
    OrganizationForm,
    SearchForm,
    SiteForm,
    WorkAreaFilterForm,
    WorkAreaForm,
    add_service_errors,
)
from .models import Organization, Site, WorkArea

LOGIN_URL = reverse_lazy("core:login")
PER_PAGE = 50

# ---------------------------------------------------------------------------------------
# Helpers shared by the pages of every app


def actor_for(request) -> Actor:
    return Actor(
        user=request.user,
        ip=getattr(request, "client_ip", None),
        request_id=getattr(request, "request_id", ""),
    )


def page(view: Callable) -> Callable:
    """Login required; a service's NotAllowed becomes the 403 page with its message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc

    return login_required(wrapper, login_url=LOGIN_URL)


def is_htmx(request) -> bool:
    """An htmx request for a fragment; a history restore (cache miss) wants the page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_list(request, *, page_template: str, fragment_template: str, context: dict):
    """A list page, or only its results for htmx; the two share a URL, hence Vary."""
    template = fragment_template if is_htmx(request) else page_template
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def paginate(request, qs: QuerySet, per_page: int = PER_PAGE) -> Page:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def form_page(
    request,
    *,
    form,
    save: Callable[[dict], object],
    success: Callable[[object], str],
    template: str,
    context: dict | None = None,
    message: str = "",
):
    """GET shows the form; a valid POST calls ``save`` (one service) and redirects to
    ``success(result)``; a service's ValidationFailed is shown next to the fields."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, message or _("Saved."))
            return redirect(success(result))
    return render(request, template, {"form": form, **(context or {})})


def post_action(request, *, call: Callable[[], object], done: str, message: str):
    """A one-click POST action: call the service, report success or its errors, go back."""
    try:
        call()
    except ValidationFailed as exc:
        for error in exc.errors.values():
            messages.error(request, str(error))
    else:
        messages.success(request, message)
    return redirect(done)


# ---------------------------------------------------------------------------------------
# Login and home


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("core:home")


logout_view = auth_views.LogoutView.as_view(next_page=LOGIN_URL)

ACTION_LISTS = (
    ("expired", gettext_lazy("Expired certificates"), {"status": Status.EXPIRED}),
    ("review_overdue", gettext_lazy("Reviews overdue"), {"status": Status.REVIEW_OVERDUE}),
    ("renewing", gettext_lazy("Being renewed (换证中)"), {"status": Status.RENEWING}),
    (
        "expiring",
        gettext_lazy("Expiring within 30 days"),
        {"status": Status.EXPIRING, "within_days": 30},
    ),
)
HOME_ROWS = 10


@page
def home(request):
    actor, on = actor_for(request), today()
    lists = []
    for key, title, filters in ACTION_LISTS:
        qs = certificate_list(actor=actor, on=on, **filters)
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        lists.append(
            {
                "key": key,
                "title": title,
                "rows": qs[:HOME_ROWS],
                "total": qs.count(),
                "query": query,
            }
        )
    counts = status_counts(actor=actor, on=on)
    cards = [{"status": s, "label": Status(s).label, "count": n} for s, n in counts.items()]
    return render(request, "core/home.html", {"cards": cards, "lists": lists, "today": on})


# ---------------------------------------------------------------------------------------
# Organizations


def _search(qs: QuerySet, form: SearchForm, *fields: str) -> QuerySet:
    data = form.cleaned_data if form.is_valid() else {}
    if not data.get("show_inactive"):
        qs = qs.filter(is_active=True)
    if q := (data.get("q") or "").strip():
        cond = Q()
        for f in fields:
            cond |= Q(**{f"{f}__icontains": q})
        qs = qs.filter(cond)
    return qs


def _visible_organizations(actor: Actor) -> QuerySet[Organization]:
    return organizations_visible(Organization.objects.select_related("parent"), actor)


@page
def organization_list(request):
    form = SearchForm(request.GET)
    qs = _search(_visible_organizations(actor_for(request)), form, "name", "credit_code")
    return render(
        request, "core/organization_list.html", {"form": form, "page_obj": paginate(request, qs)}
    )


def _organization_found(org: Organization) -> str:
    return reverse("core:organization_list") + "?" + urlencode({"q": org.name})


def _org_initial(org: Organization) -> dict:
    fields = ("name", "kind", "credit_code", "parent", "contact_name", "contact_phone")
    return {f: getattr(org, f) for f in (*fields, "contact_email")}


@page
def organization_create(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    return form_page(
        request,
        form=OrganizationForm(request.POST or None),
        save=lambda data: services.organization_create(actor=actor, **data),
        success=_organization_found,
        template="core/organization_form.html",
    )


@page
def organization_edit(request, pk: int):
    actor = actor_for(request)
    org = get_object_or_404(_visible_organizations(actor), pk=pk)
    require_owner_admin(actor)
    return form_page(
        request,
        form=OrganizationForm(request.POST or None, initial=_org_initial(org), instance=org),
        save=lambda data: services.organization_update(actor=actor, organization=org, **data),
        success=_organization_found,
        template="core/organization_form.html",
        context={"object": org},
    )


def _active_flag(request) -> bool:
    return request.POST.get("active") == "1"


def _active_message(active: bool) -> str:
    return _("Reactivated.") if active else _("Deactivated.")


@page
@require_POST
def organization_set_active(request, pk: int):
    actor = actor_for(request)
    org = get_object_or_404(_visible_organizations(actor), pk=pk)
    active = _active_flag(request)
    return post_action(
        request,
        call=lambda: (
            services.organization_update(actor=actor, organization=org, is_active=True)
            if active
            else services.organization_deactivate(actor=actor, organization=org)
        ),
        done=reverse("core:organization_list") + ("" if active else "?show_inactive=on"),
        message=_active_message(active),
    )


# ---------------------------------------------------------------------------------------
# Sites


def _visible_sites(actor: Actor) -> QuerySet[Site]:
    return sites_visible(Site.objects.select_related("owner"), actor)


@page
def site_list(request):
    form = SearchForm(request.GET)
    qs = _search(_visible_sites(actor_for(request)), form, "name", "code", "address")
    return render(request, "core/site_list.html", {"form": form, "page_obj": paginate(request, qs)})


@page
def site_create(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    return form_page(
        request,
        form=SiteForm(request.POST or None),
        save=lambda data: services.site_create(actor=actor, **data),
        success=lambda site: reverse("core:site_list"),
        template="core/site_form.html",
    )


@page
def site_edit(request, pk: int):
    actor = actor_for(request)
    site = get_object_or_404(_visible_sites(actor), pk=pk)
    require_owner_admin(actor)
    initial = {f: getattr(site, f) for f in ("name", "code", "owner", "address")}
    return form_page(
        request,
        form=SiteForm(request.POST or None, initial=initial),
        save=lambda data: services.site_update(actor=actor, site=site, **data),
        success=lambda site: reverse("core:site_list"),
        template="core/site_form.html",
        context={"object": site},
    )


@page
@require_POST
def site_set_active(request, pk: int):
    actor = actor_for(request)
    site = get_object_or_404(_visible_sites(actor), pk=pk)
    active = _active_flag(request)
    return post_action(
        request,
        call=lambda: services.site_update(actor=actor, site=site, is_active=active),
        done=reverse("core:site_list") + ("" if active else "?show_inactive=on"),
        message=_active_message(active),
    )


# ---------------------------------------------------------------------------------------
# Work areas


def _visible_work_areas(actor: Actor) -> QuerySet[WorkArea]:
    sites = sites_visible(Site.objects.all(), actor)
    return WorkArea.objects.select_related("site").filter(site__in=sites)


@page
def work_area_list(request):
    actor = actor_for(request)
    form = WorkAreaFilterForm(request.GET, sites=sites_visible(Site.objects.all(), actor))
    qs = _search(_visible_work_areas(actor), form, "name", "code", "site__name")
    if form.is_valid() and form.cleaned_data.get("site"):
        qs = qs.filter(site=form.cleaned_data["site"])
    return render(
        request, "core/work_area_list.html", {"form": form, "page_obj": paginate(request, qs)}
    )


@page
def work_area_create(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    return form_page(
        request,
        form=WorkAreaForm(request.POST or None, initial={"site": request.GET.get("site")}),
        save=lambda data: services.work_area_create(actor=actor, **data),
        success=lambda area: reverse("core:work_area_list") + f"?site={area.site_id}",
        template="core/work_area_form.html",
    )


@page
def work_area_edit(request, pk: int):
    actor = actor_for(request)
    area = get_object_or_404(_visible_work_areas(actor), pk=pk)
    require_owner_admin(actor)
    fields = ("site", "name", "code", "risk_level", "description")
    return form_page(
        request,
        form=WorkAreaForm(request.POST or None, initial={f: getattr(area, f) for f in fields}),
        save=lambda data: services.work_area_update(actor=actor, work_area=area, **data),
        success=lambda area: reverse("core:work_area_list") + f"?site={area.site_id}",
        template="core/work_area_form.html",
        context={"object": area},
    )


@page
@require_POST
def work_area_set_active(request, pk: int):
    actor = actor_for(request)
    area = get_object_or_404(_visible_work_areas(actor), pk=pk)
    active = _active_flag(request)
    return post_action(
        request,
        call=lambda: services.work_area_update(actor=actor, work_area=area, is_active=active),
        done=reverse("core:work_area_list") + ("" if active else "?show_inactive=on"),
        message=_active_message(active),
    )
