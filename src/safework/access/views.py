"""Gate access pages: gates and areas, an area's rule and authorisations, gate events,
people on site, badge printing, push endpoints; and the public badge page (no login).

Views parse input, call one service or selector and render; every queryset shown goes
through safework.core.access."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from safework.core.access import organizations_visible, require_owner_admin, sites_visible
from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.models import Organization, Site
from safework.core.uploads import safe_file_response
from safework.core.views import actor_for, form_page, page, paginate, post_action
from safework.people.models import Person
from safework.people.selectors import person_get, person_queryset

from . import cards, qr, ratelimit, services
from .choices import CardLayout, CredentialKind
from .credentials import resolve
from .forms import (
    AuthorizationForm,
    EndpointForm,
    EventFilterForm,
    GateForm,
    PolicyForm,
    PrintForm,
    ReasonForm,
)
from .models import AreaAuthorization, PushEndpoint
from .selectors import (
    authorization_list,
    gate_event_list,
    gate_list,
    on_site_by_site,
    people_on_site_count,
    public_badge,
    work_areas_visible,
)

# --- gates and areas ------------------------------------------------------------------------


@page
def index(request):
    actor = actor_for(request)
    context = {
        "gates": gate_list(actor).order_by("code"),
        "areas": work_areas_visible(actor).filter(is_active=True),
        "on_site": people_on_site_count(actor=actor),
    }
    return render(request, "access/index.html", context)


@page
def gate_create(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    form = GateForm(request.POST or None, areas=work_areas_visible(actor))
    return form_page(
        request,
        form=form,
        save=lambda data: services.gate_create(actor=actor, **data),
        success=lambda gate: reverse("access:index"),
        template="access/gate_form.html",
    )


@page
def gate_edit(request, pk: int):
    actor = actor_for(request)
    gate = get_object_or_404(gate_list(actor), pk=pk)
    require_owner_admin(actor)
    initial = {f: getattr(gate, f) for f in ("code", "name", "area", "direction", "is_active")}
    form = GateForm(request.POST or None, areas=work_areas_visible(actor), initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda data: services.gate_update(actor=actor, gate=gate, **data),
        success=lambda gate: reverse("access:index"),
        template="access/gate_form.html",
        context={"object": gate},
    )


def _area_context(actor, area, form=None) -> dict:
    policy = getattr(area, "access_policy", None)
    organizations = organizations_visible(Organization.objects.filter(is_active=True), actor)
    return {
        "area": area,
        "requires": True if policy is None else policy.requires_qualification,
        "authorizations": authorization_list(actor, area),
        "form": form or AuthorizationForm(organizations=organizations),
        "gates": area.gates.order_by("code"),
    }


@page
def area_detail(request, pk: int):
    actor = actor_for(request)
    area = get_object_or_404(work_areas_visible(actor), pk=pk)
    if request.method != "POST":
        return render(request, "access/area_detail.html", _area_context(actor, area))
    orgs = organizations_visible(Organization.objects.filter(is_active=True), actor)
    form = AuthorizationForm(request.POST, organizations=orgs)
    if form.is_valid() and _authorize(request, actor, area, form):
        messages.success(request, _("The authorisation has been added."))
        return redirect("access:area", pk=area.pk)
    return render(request, "access/area_detail.html", _area_context(actor, area, form))


def _authorize(request, actor, area, form) -> bool:
    data = dict(form.cleaned_data)
    person = _person_by_reference(actor, data.pop("person"))
    if person is False:
        form.add_error("person", _("No person with this ID number or id in your scope."))
        return False
    try:
        services.authorization_create(actor=actor, area=area, person=person, **data)
    except ValidationFailed as exc:
        add_service_errors(form, exc.errors)
        return False
    return True


def _person_by_reference(actor, text: str):
    """None for an empty field, False for nobody found, else the person."""
    if not (text or "").strip():
        return None
    found = resolve(actor=actor, credential=text, kind=CredentialKind.AUTO)
    ok = found.kind in {CredentialKind.ID_NUMBER, CredentialKind.PERSON_ID} and found.person
    return found.person if ok else False


@page
@require_POST
def area_policy(request, pk: int):
    actor = actor_for(request)
    area = get_object_or_404(work_areas_visible(actor), pk=pk)
    form = PolicyForm(request.POST)
    form.is_valid()
    required = bool(form.cleaned_data.get("requires_qualification"))
    return post_action(
        request,
        call=lambda: services.area_policy_set(
            actor=actor, area=area, requires_qualification=required
        ),
        done=reverse("access:area", args=[area.pk]),
        message=_("The area's rule has been saved."),
    )


@page
@require_POST
def authorization_delete(request, pk: int):
    actor = actor_for(request)
    auth = get_object_or_404(
        AreaAuthorization.objects.filter(area__in=work_areas_visible(actor)), pk=pk
    )
    return post_action(
        request,
        call=lambda: services.authorization_delete(actor=actor, authorization=auth),
        done=reverse("access:area", args=[auth.area_id]),
        message=_("The authorisation has been withdrawn."),
    )


# --- events and people on site ----------------------------------------------------------------


@page
def events(request):
    actor = actor_for(request)
    sites = sites_visible(Site.objects.all(), actor)
    form = EventFilterForm(request.GET, sites=sites, gates=gate_list(actor).order_by("code"))
    qs = gate_event_list(actor=actor, **form.filters())
    return render(request, "access/events.html", {"form": form, "page_obj": paginate(request, qs)})


@page
def on_site(request):
    actor = actor_for(request)
    sites = on_site_by_site(actor=actor)
    context = {
        "sites": sites,
        "total": sum(len(s["events"]) for s in sites),
        "hours": settings.GATE_PRESENCE_HOURS,
    }
    return render(request, "access/on_site.html", context)


# --- badges ---------------------------------------------------------------------------------


def _visible_person(actor, pk: int) -> Person:
    try:
        return person_get(actor=actor, pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def _pdf(request, people: list[Person], layout: str, filename: str) -> HttpResponse:
    actor = actor_for(request)
    url_of = lambda token: qr.badge_url(token, request)  # noqa: E731
    found = services.badge_cards(actor=actor, people=people, url_of=url_of)
    response = HttpResponse(cards.render(found, layout), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@page
def badge_card(request, pk: int):
    person = _visible_person(actor_for(request), pk)
    layout = request.GET.get("layout", CardLayout.ONE)
    layout = layout if layout in CardLayout.values else CardLayout.ONE
    return _pdf(request, [person], layout, f"badge-{person.pk}.pdf")


@page
def badges_print(request):
    actor = actor_for(request)
    orgs = organizations_visible(Organization.objects.filter(is_active=True), actor)
    form = PrintForm(request.GET or None, organizations=orgs)
    if not form.is_valid():
        return render(request, "access/badges_print.html", {"form": form})
    org = form.cleaned_data["organization"]
    people = list(
        person_queryset(actor)
        .filter(organization=org, employment_state="active")
        .select_related("organization")
        .prefetch_related("special_operations")
        .order_by("name", "id")
    )
    if not people:
        messages.warning(request, _("This organization has no active people."))
        return render(request, "access/badges_print.html", {"form": form})
    return _pdf(request, people, form.cleaned_data["layout"], f"badges-{org.pk}.pdf")


@page
@require_POST
def badge_reissue(request, pk: int):
    actor = actor_for(request)
    person = _visible_person(actor, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return post_action(
        request,
        call=lambda: services.badge_reissue(actor=actor, person=person, reason=reason),
        done=reverse("people:detail", args=[person.pk]) + "#badge",
        message=_("A new badge has been issued; earlier prints no longer work."),
    )


@page
@require_POST
def badge_revoke(request, pk: int):
    actor = actor_for(request)
    person = _visible_person(actor, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return post_action(
        request,
        call=lambda: services.badge_revoke(actor=actor, person=person, reason=reason),
        done=reverse("people:detail", args=[person.pk]) + "#badge",
        message=_("The badge has been revoked."),
    )


@page
def person_photo(request, pk: int):
    person = _visible_person(actor_for(request), pk)
    if not person.photo:
        raise Http404
    return safe_file_response(person.photo, "image/jpeg")


# --- push endpoints ---------------------------------------------------------------------------


@page
def endpoints(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.push_endpoint_create(actor=actor, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            context = {"endpoint": endpoint, "secret": secret}
            return render(request, "access/endpoint_created.html", context)
    context = {"form": form, "endpoints": PushEndpoint.objects.select_related("organization")}
    return render(request, "access/endpoints.html", context)


@page
@require_POST
def endpoint_set_active(request, pk: int):
    actor = actor_for(request)
    endpoint = get_object_or_404(PushEndpoint, pk=pk)
    active = request.POST.get("active") == "1"
    return post_action(
        request,
        call=lambda: services.push_endpoint_set_active(
            actor=actor, endpoint=endpoint, active=active
        ),
        done=reverse("access:endpoints"),
        message=_("Reactivated.") if active else _("Deactivated."),
    )


# --- the public badge page ------------------------------------------------------------------


def _limited(request, scope: str, limit: int) -> bool:
    return not ratelimit.allow(scope, getattr(request, "client_ip", None), limit=limit)


@never_cache
def verify(request, token: str):
    """What an inspector sees after scanning a badge: live, minimal, no login."""
    if _limited(request, "badge-page", settings.BADGE_PAGE_RATE):
        return render(request, "access/verify_limited.html", status=429)
    view = public_badge(token)
    status = 200 if view is not None else 404
    return render(request, "access/verify.html", {"view": view}, status=status)


@never_cache
def verify_photo(request, token: str):
    if _limited(request, "badge-photo", settings.BADGE_PAGE_RATE * 2):
        return HttpResponse(status=429)
    view = public_badge(token)
    if view is None or not view.person.photo:
        raise Http404
    return safe_file_response(view.person.photo, "image/jpeg")
