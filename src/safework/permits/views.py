"""Permit pages: desktop pages for applicants and approvers, phone pages for workers,
guardians and gas analysts. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from safework.core.access import sites_visible
from safework.core.actors import Actor
from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.models import Site
from safework.core.uploads import CONTENT_TYPES, safe_file_response
from safework.core.views import actor_for, form_page, page, paginate, post_action
from safework.people.models import Person

from . import selectors, services
from .choices import OPEN_STATUSES, Kind, Status
from .forms import (
    AssignForm,
    BriefingForm,
    GasForm,
    GeofenceForm,
    GuardianTrainingForm,
    JsaForm,
    JsaSignForm,
    ListFilterForm,
    PeriodForm,
    PermitForm,
    ReasonForm,
    SignInForm,
)
from .models import Assignment, Geofence, Measure, Permit
from .pdf import permit_pdf
from .reasons import label
from .rules import annex


def _permit(request, pk: int) -> Permit:
    try:
        return selectors.permit_get(actor=actor_for(request), pk=pk)
    except Permit.DoesNotExist:
        raise Http404 from None


def _detail(permit: Permit) -> str:
    return reverse("permits:detail", args=[permit.pk])


@page
def permit_list(request):
    actor = actor_for(request)
    form = ListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.permit_list(
        actor=actor, site_id=filters.get("site"), status=filters.get("status", ""),
        kind=filters.get("kind", ""), active=bool(filters.get("active")), q=filters.get("q", ""),
    )  # fmt: skip
    page_obj = paginate(request, qs, per_page=100)
    context = {
        "form": form, "page_obj": page_obj, "rows": selectors.permit_rows(page_obj),
        "kinds": Kind.choices,
        "sites": sites_visible(Site.objects.filter(is_active=True), actor),
        "site_id": filters.get("site"),
    }  # fmt: skip
    return render(request, "permits/list.html", context)


@page
def permit_create(request, kind: str):
    if kind not in Kind.values:
        raise Http404
    actor = actor_for(request)
    form = PermitForm(request.POST or None, actor=actor, kind=kind)
    return form_page(
        request, form=form, template="permits/form.html",
        save=lambda _data: services.permit_create(actor=actor, kind=kind, **form.service_fields()),
        success=_detail, context={"kind": Kind(kind)},
        message=_("Draft permit saved. Write the JSA and assign the people."),
    )  # fmt: skip


@page
def permit_detail(request, pk: int):
    return _detail_page(request, _permit(request, pk))


def _detail_page(request, permit: Permit, *, jsa_form: JsaForm | None = None, status=200):
    """The permit page; a form that was refused comes back bound, with what was typed and
    its errors beside the fields (status 400), instead of an empty form after a redirect."""
    actor = actor_for(request)
    context = {
        "permit": permit, "people": selectors.permit_people(permit),
        "measures": permit.measures.all(), "gas_tests": permit.gas_tests.all()[:50],
        "sign_ins": permit.sign_ins.select_related("person")[:50],
        "signatures": selectors.approval_signatures(permit),
        "jsa_form": jsa_form or JsaForm(initial=_jsa_initial(permit)),
        "sign_form": JsaSignForm(),
        "assign_form": AssignForm(actor=actor), "reason_form": ReasonForm(),
        "period_form": PeriodForm(), "briefing_form": BriefingForm(),
        "Status": Status,
    }  # fmt: skip
    url = request.build_absolute_uri(reverse("permits:mobile", args=[permit.sign_token]))
    context.update(_simops_context(permit))
    context.update(
        level_reasons=[label(r) for r in permit.level_reasons],
        detail_rows=annex.detail_rows(permit.kind, permit.details),
        mobile_url=url,
        qr=segno.make(url, error="m").svg_data_uri(scale=4),
    )
    return render(request, "permits/detail.html", context, status=status)


def _simops_context(permit: Permit) -> dict:
    """The permit's SIMOPS conflicts as they stand now (the same check as submission)."""
    from .forms import PositionForm, SignoffForm
    from .rules.simops import message
    from .services.simops import permit_conflicts, permit_position

    found = permit_conflicts(permit) if permit.status in OPEN_STATUSES else []
    x, y = permit_position(permit)
    initial = {"x_m": permit.x_m, "y_m": permit.y_m,
               "confined_space_ref": permit.confined_space_ref,
               "tank_dike_ref": permit.tank_dike_ref}  # fmt: skip
    return {
        "conflicts": [{"text": message(c), "key": c.key, "blocks": c.blocks,
                       "may_sign": c.rule.signoff and not c.signed} for c in found],
        "position": (x, y), "position_form": PositionForm(initial=initial, kind=permit.kind),
        "signoff_form": SignoffForm(), "signoffs": permit.simops_signoffs.all(),
    }  # fmt: skip


def _jsa_initial(permit: Permit) -> dict:
    jsa = permit.jsa
    lines = "\n".join(f"{s['step']} | {s['hazards']} | {s['measures']}" for s in jsa.steps)
    return {"steps": lines, "residual_risk": jsa.residual_risk}


def _errors(request, exc: ValidationFailed) -> None:
    for error in exc.errors.values():
        messages.error(request, str(error))


@page
@require_POST
def jsa_save(request, pk: int):
    permit, actor = _permit(request, pk), actor_for(request)
    form = JsaForm(request.POST, request.FILES)
    document = ""
    try:
        if not form.is_valid():
            raise ValidationFailed({})
        document = _store_document(form.cleaned_data.get("document"))
        services.jsa_save(
            actor=actor,
            permit=permit,
            steps=form.step_rows(),
            residual_risk=form.cleaned_data["residual_risk"],
            document=document,
        )
    except ValidationFailed as exc:
        if document:  # stored for a JSA that was refused: not kept
            default_storage.delete(document)
        add_service_errors(form, exc.errors)
        messages.error(request, _("The JSA was not saved: see the errors beside its fields."))
        return _detail_page(request, permit, jsa_form=form, status=400)
    messages.success(request, _("JSA saved."))
    return redirect(_detail(permit))  # fmt: skip


def _store_document(upload) -> str:
    if not upload:
        return ""
    from safework.core.uploads import store_upload

    stored = store_upload(upload, allowed={"pdf", "png", "jpeg", "xlsx"}, max_bytes=20 << 20,
                          subdir="permits/jsa", field="document")  # fmt: skip
    return stored.name


@page
@require_POST
def jsa_sign(request, pk: int):
    permit, actor = _permit(request, pk), actor_for(request)
    form = JsaSignForm(request.POST)
    level = form.cleaned_data["level"] if form.is_valid() else 0
    return post_action(
        request, done=_detail(permit), message=_("JSA signed."),
        call=lambda: services.jsa_sign(actor=actor, permit=permit, level=level),
    )  # fmt: skip


@page
@require_POST
def assign(request, pk: int):
    permit, actor = _permit(request, pk), actor_for(request)
    form = AssignForm(request.POST, actor=actor)
    if not form.is_valid():
        messages.error(request, _("Choose a person and a role."))
        return redirect(_detail(permit))
    return post_action(
        request, done=_detail(permit), message=_("Assigned."),
        call=lambda: services.assignment_add(actor=actor, permit=permit, **form.cleaned_data),
    )  # fmt: skip


@page
@require_POST
def unassign(request, pk: int, row: int):
    permit, actor = _permit(request, pk), actor_for(request)
    assignment = _get(Assignment, pk=row, permit=permit)
    return post_action(
        request, done=_detail(permit), message=_("Removed."),
        call=lambda: services.assignment_remove(actor=actor, assignment=assignment),
    )  # fmt: skip


def _get(model, **kw):
    try:
        return model.objects.get(**kw)
    except model.DoesNotExist:
        raise Http404 from None


@page
@require_POST
def measure(request, pk: int, row: int):
    permit, actor = _permit(request, pk), actor_for(request)
    item = _get(Measure, pk=row, permit=permit)
    applies = request.POST.get("applies") == "yes"
    by = request.POST.get("confirmed_by", "")
    return post_action(
        request, done=_detail(permit) + "#measures", message=_("Saved."),
        call=lambda: services.measure_confirm(actor=actor, measure=item, applies=applies,
                                              confirmed_by=by),
    )  # fmt: skip


SIMPLE_ACTIONS = {
    "submit": (services.permit_submit, _("Submitted for approval.")),
    "shift_check": (services.shift_leader_check, _("Shift leader check recorded.")),
    "start": (services.permit_start, _("Work started.")),
    "resume": (services.permit_resume, _("Work resumed.")),
    "complete": (services.permit_complete, _("Work completed.")),
    "close": (services.permit_close, _("Accepted and closed.")),
}
REASON_ACTIONS = {
    "suspend": (services.permit_suspend, _("Work suspended.")),
    "cancel": (services.permit_cancel, _("Permit cancelled.")),
}


@page
@require_POST
def action(request, pk: int, name: str):
    permit, actor = _permit(request, pk), actor_for(request)
    if name in SIMPLE_ACTIONS:
        service, message = SIMPLE_ACTIONS[name]
        call = lambda: service(actor=actor, permit=permit)  # noqa: E731
    elif name in REASON_ACTIONS:
        service, message = REASON_ACTIONS[name]
        reason = request.POST.get("reason", "")
        call = lambda: service(actor=actor, permit=permit, reason=reason)  # noqa: E731
    else:
        raise Http404
    return post_action(request, call=call, done=_detail(permit), message=str(message))


@page
@require_POST
def briefing(request, pk: int):
    permit, actor = _permit(request, pk), actor_for(request)
    given_by = request.POST.get("given_by", "")
    return post_action(
        request, done=_detail(permit), message=_("Briefing recorded."),
        call=lambda: services.briefing_give(actor=actor, permit=permit, given_by=given_by),
    )  # fmt: skip


@page
def new_from(request, pk: int):
    """4.16: no extension; a new permit from this one."""
    source, actor = _permit(request, pk), actor_for(request)
    form = PeriodForm(request.POST or None)
    return form_page(
        request, form=form, template="permits/new_from.html", context={"permit": source},
        save=lambda d: services.permit_new_from(actor=actor, source=source, **d),
        success=_detail, message=_("New draft permit made from %(number)s.")
        % {"number": source.number},
    )  # fmt: skip


@page
def gas(request, pk: int):
    """The gas analyst's phone page."""
    permit, actor = _permit(request, pk), actor_for(request)
    form = GasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.gas_test_record(actor=actor, permit=permit, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            _gas_message(request, row)
            return redirect(reverse("permits:gas", args=[permit.pk]))
    tests = permit.gas_tests.all()[:10]
    return render(request, "permits/gas.html", {"permit": permit, "form": form, "tests": tests})


def _gas_message(request, row) -> None:
    if row.passed:
        messages.success(request, _("Pass: the sample meets GB 30871."))
    else:
        messages.error(request, _("Fail: %(why)s") % {"why": "；".join(map(label, row.failures))})


@page
@require_safe
def jsa_document(request, pk: int):
    """The JSA's uploaded document, to those who may see the permit."""
    permit = _permit(request, pk)
    name = getattr(getattr(permit, "jsa", None), "document", "")
    if not name:
        raise Http404
    kind = {"jpg": "jpeg"}.get(name.rsplit(".", 1)[-1], name.rsplit(".", 1)[-1])
    return safe_file_response(
        name, CONTENT_TYPES.get(kind, "application/octet-stream"),
        download_name=f"{permit.number or permit.pk}-JSA.{name.rsplit('.', 1)[-1]}",
    )  # fmt: skip


@page
def pdf(request, pk: int):
    permit = _permit(request, pk)
    response = HttpResponse(permit_pdf(permit), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{permit.number}.pdf"'
    return response


# --- the phone page opened from the permit's QR code (workers and guardian, no login) ---


def _person_for(permit: Permit, phone: str, last4: str):
    ids = permit.assignments.values("person_id")
    return Person.objects.filter(
        pk__in=ids, phone=phone.strip(), id_number_masked__iendswith=last4.strip()
    ).first()


def mobile(request, token: str):
    try:
        permit = selectors.permit_by_token(token)
    except Permit.DoesNotExist:
        raise Http404 from None
    form = SignInForm(request.POST or None)
    result = None
    if request.method == "POST" and _too_many(request, token):
        return HttpResponse(_("Too many attempts; wait a minute."), status=429)
    if request.method == "POST" and form.is_valid():
        result = _sign(request, permit, form.cleaned_data)
    present = selectors.people_present(permit)
    context = {"permit": permit, "form": form, "result": result, "present": present}
    return render(request, "permits/mobile.html", context)


SIGN_ATTEMPTS_PER_MINUTE = 60  # per address and permit: a crew behind one carrier NAT fits


def _too_many(request, token: str) -> bool:
    """Phone and last ID digits are guessable by brute force; the database rate limit of
    the public badge page (access.ratelimit) caps the attempts."""
    from safework.access import ratelimit

    client = getattr(request, "client_ip", None)
    return not ratelimit.allow(f"permit-sign:{token}", client, limit=SIGN_ATTEMPTS_PER_MINUTE)


def _sign(request, permit: Permit, data: dict) -> dict:
    actor = Actor(ip=getattr(request, "client_ip", None), system_label="permit-phone")
    person = _person_for(permit, data["phone"], data["id_last4"])
    if person is None:
        return {"accepted": False, "reasons": [label("not_on_permit")]}
    if request.POST.get("out"):
        try:
            services.sign_out(actor=actor, permit=permit, person=person)
        except ValidationFailed as exc:
            return {"accepted": False, "reasons": [str(v) for v in exc.errors.values()]}
        return {"accepted": True, "out": True, "person": person}
    row = services.sign_in(actor=actor, permit=permit, person=person, latitude=data["latitude"],
                           longitude=data["longitude"], accuracy=data["accuracy"])  # fmt: skip
    return {"accepted": row.accepted, "reasons": [label(r) for r in row.reasons], "person": person}


# --- set-up: a work area's geofence, a guardian's training record ---------------------


@page
def geofence(request, area_pk: int):
    from safework.core.models import WorkArea

    actor = actor_for(request)
    area = _get(WorkArea, pk=area_pk, site__in=sites_visible(Site.objects.all(), actor))
    current = Geofence.objects.filter(work_area=area).first()
    initial = current and {"latitude": current.latitude, "longitude": current.longitude,
                           "radius_m": current.radius_m}  # fmt: skip
    form = GeofenceForm(request.POST or None, initial=initial or {"radius_m": 200})
    return form_page(
        request, form=form, template="permits/geofence.html", context={"area": area},
        save=lambda d: services.geofence_set(actor=actor, work_area=area, **d),
        success=lambda _row: reverse("permits:geofence", args=[area.pk]),
    )  # fmt: skip


@page
def guardian_training(request, person_pk: int):
    from safework.core.access import people_visible

    actor = actor_for(request)
    person = people_visible(Person.objects.all(), actor).filter(pk=person_pk).first()
    if person is None:
        raise Http404
    form = GuardianTrainingForm(request.POST or None)
    return form_page(
        request, form=form, template="permits/guardian_training.html",
        context={"person": person, "records": person.guardian_trainings.all()},
        save=lambda d: services.guardian_training_add(actor=actor, person=person, **d),
        success=lambda _row: reverse("permits:guardian_training", args=[person.pk]),
    )  # fmt: skip
