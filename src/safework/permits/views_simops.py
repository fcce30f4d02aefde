"""SIMOPS and live-board pages: a site's plan, positions and distances; registered
activities; a permit's position and coordinator sign-offs; the live permit board (login,
scoped) and its kiosk view opened by a signed link. Thin: parse, call one service or
selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safework.core.access import sites_visible
from safework.core.choices import Role
from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.models import Site, WorkArea
from safework.core.uploads import safe_file_response
from safework.core.views import actor_for, page, post_action

from . import selectors
from .forms import (
    ActivityForm,
    AreaPositionForm,
    BoardLinkForm,
    DistancesForm,
    PlanForm,
    PositionForm,
    SignoffForm,
)
from .models import AreaPosition, BoardLink, Permit, SitePlan
from .rules import simops as rules
from .services import simops, siteplan

BOARD_REFRESH_SECONDS = 30


def _site(request, pk: int) -> Site:
    return get_object_or_404(sites_visible(Site.objects.all(), actor_for(request)), pk=pk)


def _setup_url(site: Site) -> str:
    return reverse("permits:site_simops", args=[site.pk])


def _errors(request, exc: ValidationFailed) -> None:
    for error in exc.errors.values():
        messages.error(request, str(error))


# --- a site's plan, positions and distances ----------------------------------------------


@page
def site_simops(request, site_pk: int):
    site = _site(request, site_pk)
    plan = SitePlan.objects.filter(site=site).first()
    areas = WorkArea.objects.filter(site=site, is_active=True).order_by("name")
    positions = {p.work_area_id: p for p in AreaPosition.objects.filter(work_area__in=areas)}
    dist = simops.distances_for(site)
    context = {
        "site": site, "plan": plan, "plan_form": PlanForm(),
        "areas": [(a, positions.get(a.pk)) for a in areas],
        "distances_form": DistancesForm(initial={n: getattr(dist, n)
                                                 for n in rules.DISTANCE_FIELDS}),
        "markers": [(a, selectors.marker_of(plan, p.x_m, p.y_m)) for a, p in
                    ((a, positions[a.pk]) for a in areas if a.pk in positions)],
    }  # fmt: skip
    return render(request, "permits/site_simops.html", context)


@page
@require_POST
def plan_save(request, site_pk: int):
    site, actor = _site(request, site_pk), actor_for(request)
    form = PlanForm(request.POST, request.FILES)
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.error(request, f"{form.fields[name].label}: {errors[0]}")
        return redirect(_setup_url(site))
    try:
        siteplan.site_plan_set(
            actor=actor, site=site, upload=form.cleaned_data.get("image"),
            metres_per_px=form.cleaned_data.get("metres_per_px"), points=form.points(),
        )  # fmt: skip
    except ValidationFailed as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Site plan saved."))
    return redirect(_setup_url(site))


@page
@require_POST
def area_position(request, site_pk: int, area_pk: int):
    site, actor = _site(request, site_pk), actor_for(request)
    area = get_object_or_404(WorkArea, pk=area_pk, site=site)
    form = AreaPositionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give x and y in metres."))
        return redirect(_setup_url(site))
    return post_action(
        request, done=_setup_url(site), message=_("Position saved."),
        call=lambda: siteplan.area_position_set(actor=actor, work_area=area, **form.cleaned_data),
    )  # fmt: skip


@page
@require_POST
def distances_save(request, site_pk: int):
    site, actor = _site(request, site_pk), actor_for(request)
    form = DistancesForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.error(request, f"{form.fields[name].label}: {errors[0]}")
        return redirect(_setup_url(site))
    return post_action(
        request, done=_setup_url(site), message=_("Distances saved."),
        call=lambda: simops.simops_distances_set(actor=actor, organization=site.owner,
                                                 **form.cleaned_data),
    )  # fmt: skip


@page
@require_GET
def plan_image(request, site_pk: int):
    plan = get_object_or_404(SitePlan, site=_site(request, site_pk))
    return safe_file_response(plan.image, "image/jpeg")


# --- registered activities ----------------------------------------------------------------


@page
def activities(request, site_pk: int):
    site, actor = _site(request, site_pk), actor_for(request)
    form = ActivityForm(request.POST or None, actor=actor, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            simops.activity_register(actor=actor, site=site, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("Activity registered."))
            return redirect(reverse("permits:activities", args=[site.pk]))
    rows = selectors.activity_list(actor=actor, site_id=site.pk, current_at=timezone.now())
    return render(request, "permits/activities.html",
                  {"site": site, "form": form, "rows": rows})  # fmt: skip


@page
@require_POST
def activity_end(request, pk: int):
    actor = actor_for(request)
    act = get_object_or_404(selectors.activity_list(actor=actor), pk=pk)
    return post_action(
        request, done=reverse("permits:activities", args=[act.site_id]),
        message=_("Activity ended."),
        call=lambda: simops.activity_end(actor=actor, activity=act),
    )  # fmt: skip


# --- a permit's position and coordinator sign-offs ----------------------------------------


def _permit(request, pk: int) -> Permit:
    try:
        return selectors.permit_get(actor=actor_for(request), pk=pk)
    except Permit.DoesNotExist:
        raise Http404 from None


def _detail(permit: Permit) -> str:
    return reverse("permits:detail", args=[permit.pk]) + "#simops"


@page
@require_POST
def permit_position(request, pk: int):
    permit, actor = _permit(request, pk), actor_for(request)
    form = PositionForm(request.POST, kind=permit.kind)
    if not form.is_valid():
        messages.error(request, _("Give x and y in metres."))
        return redirect(_detail(permit))
    return post_action(
        request, done=_detail(permit), message=_("Position saved."),
        call=lambda: siteplan.permit_position_set(actor=actor, permit=permit,
                                                  **form.cleaned_data),
    )  # fmt: skip


@page
@require_POST
def signoff(request, pk: int):
    permit, actor = _permit(request, pk), actor_for(request)
    form = SignoffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the coordinator and what was arranged."))
        return redirect(_detail(permit))
    return post_action(
        request, done=_detail(permit), message=_("Coordinator's sign-off recorded."),
        call=lambda: simops.simops_signoff(actor=actor, permit=permit, **form.cleaned_data),
    )  # fmt: skip


# --- the live permit board -----------------------------------------------------------------


def _board_context(site: Site, actor=None) -> dict:
    now = timezone.now()
    plan = SitePlan.objects.filter(site=site).first()
    rows = selectors.board_rows(selectors.board_permits(site, actor), now, plan)
    return {"site": site, "plan": plan, "rows": rows, "now": now,
            "refresh": BOARD_REFRESH_SECONDS}  # fmt: skip


@page
@require_GET
def board(request, site_pk: int):
    site, actor = _site(request, site_pk), actor_for(request)
    context = _board_context(site, actor) | {
        "live_url": reverse("permits:board_live", args=[site.pk]),
        "plan_url": reverse("permits:plan_image", args=[site.pk]),
        "links": BoardLink.objects.filter(site=site, revoked_at__isnull=True,
                                          expires_at__gt=timezone.now()),
        "link_form": BoardLinkForm(),
        "may_share": actor.role in (Role.SAFETY_MANAGER, Role.AREA_HEAD),
    }  # fmt: skip
    return render(request, "permits/board.html", context)


@page
@require_GET
def board_live(request, site_pk: int):
    site = _site(request, site_pk)
    context = _board_context(site, actor_for(request)) | {
        "live_url": reverse("permits:board_live", args=[site.pk]),
        "plan_url": reverse("permits:plan_image", args=[site.pk]),
    }
    return render(request, "permits/_board_live.html", context)


@page
@require_POST
def board_link_create(request, site_pk: int):
    site, actor = _site(request, site_pk), actor_for(request)
    form = BoardLinkForm(request.POST)
    back = reverse("permits:board", args=[site.pk])
    if not form.is_valid():
        messages.error(request, _("Say where the screen is and for how many days."))
        return redirect(back)
    try:
        _link, token = siteplan.board_link_create(actor=actor, site=site, **form.cleaned_data)
    except ValidationFailed as exc:
        _errors(request, exc)
        return redirect(back)
    url = request.build_absolute_uri(reverse("permits:kiosk", args=[token]))
    messages.success(request, _("Kiosk link (open it on the screen): %(url)s") % {"url": url})
    return redirect(back)


@page
@require_POST
def board_link_revoke(request, pk: int):
    actor = actor_for(request)
    link = get_object_or_404(BoardLink, pk=pk, site__in=sites_visible(Site.objects.all(), actor))
    return post_action(
        request, done=reverse("permits:board", args=[link.site_id]),
        message=_("Kiosk link revoked."),
        call=lambda: siteplan.board_link_revoke(actor=actor, link=link),
    )  # fmt: skip


def _kiosk_link(token: str) -> BoardLink:
    link = siteplan.board_link_open(token)
    if link is None:
        raise Http404(_("This board link has expired or was revoked."))
    return link


def _kiosk_context(token: str) -> dict:
    link = _kiosk_link(token)
    return _board_context(link.site) | {
        "kiosk": True, "link": link,
        "live_url": reverse("permits:kiosk_live", args=[token]),
        "plan_url": reverse("permits:kiosk_plan", args=[token]),
    }  # fmt: skip


@require_GET
def kiosk(request, token: str):
    """No login: the signed, unrevoked, unexpired link is the permission."""
    response = render(request, "permits/kiosk.html", _kiosk_context(token))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def kiosk_live(request, token: str):
    try:
        context = _kiosk_context(token)
    except Http404:
        # htmx swaps in the notice: a revoked screen stops showing permits at once
        return HttpResponse(format_html(
            '<div id="board-live" class="alert alert-warning">{}</div>',
            _("This board link has expired or was revoked."),
        ))  # fmt: skip
    return render(request, "permits/_board_live.html", context)


@require_GET
def kiosk_plan(request, token: str):
    plan = get_object_or_404(SitePlan, site=_kiosk_link(token).site)
    return safe_file_response(plan.image, "image/jpeg")
