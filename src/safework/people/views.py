"""People pages: list with filters and search, the person page (certificates,
qualification, masked ID number), create / edit forms and employment-state actions."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.certificates.models import Certificate
from safework.certificates.qualification import qualifications_for
from safework.certificates.selectors import certificate_list
from safework.core.access import require_write
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.idnumbers import age_on
from safework.core.uploads import safe_file_response
from safework.core.views import actor_for, form_page, is_htmx, page, paginate, render_list

from . import services
from .choices import EmploymentState
from .forms import PersonFilterForm, PersonForm, PersonStateForm, PhotoForm
from .models import Person
from .retirement import at_or_past_retirement
from .selectors import person_get, person_list


def _person(actor: Actor, pk: int) -> Person:
    """The person if the actor may see them; a 404 otherwise (no hint that it exists)."""
    try:
        return person_get(actor=actor, pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


@page
def person_list_view(request):
    actor, on = actor_for(request), today()
    form = PersonFilterForm(request.GET, actor=actor)
    qs = person_list(actor=actor, on=on, **form.filters()).prefetch_related(
        "special_operations",
        Prefetch("certificates", queryset=Certificate.objects.select_related("type")),
    )
    page_obj = paginate(request, qs)
    rows = [{"person": p, "quals": _qualification_rows(p, on)} for p in page_obj]
    return render_list(
        request,
        page_template="people/person_list.html",
        fragment_template="people/_person_results.html",
        context={"form": form, "page_obj": page_obj, "rows": rows},
    )


def _qualification_rows(person: Person, on) -> list[dict]:
    types = {t.code: t for t in person.special_operations.all()}
    return [{"type": types[q.item_code], "q": q} for q in qualifications_for(person, on)]


def _detail_context(actor: Actor, person: Person, **extra) -> dict:
    on = today()
    certs = list(certificate_list(actor=actor, on=on, person_id=person.pk, include_superseded=True))
    return {
        "person": person,
        "today": on,
        "age": age_on(person.birth_date, on),
        "retirement_warning": at_or_past_retirement(person.birth_date, person.sex, on),
        "certificates": [c for c in certs if not c.superseded],
        "history": [c for c in certs if c.superseded],
        "qualifications": _qualification_rows(person, on),
        "states": EmploymentState,
        **extra,
    }


@page
def person_detail(request, pk: int):
    actor = actor_for(request)
    context = _detail_context(actor, _person(actor, pk))
    return render(request, "people/person_detail.html", context)


@page
@require_POST
def person_reveal_id(request, pk: int):
    """PIPL: the full ID number for roles allowed to see it; the service audits each view."""
    actor = actor_for(request)
    person = _person(actor, pk)
    number = services.person_reveal_id_number(actor=actor, person=person)
    if is_htmx(request):
        return render(request, "people/_id_number.html", {"person": person, "full_id": number})
    context = _detail_context(actor, person, full_id=number)
    return render(request, "people/person_detail.html", context)


@page
def person_create(request):
    actor = actor_for(request)
    require_write(actor)
    initial = {"organization": request.GET.get("organization") or actor.organization_id}
    form = PersonForm(request.POST or None, actor=actor, initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda _data: services.person_create(actor=actor, **form.service_data()),
        success=lambda person: reverse("people:detail", args=[person.pk]),
        template="people/person_form.html",
        message=_("The person has been registered."),
    )


@page
def person_edit(request, pk: int):
    actor = actor_for(request)
    person = _person(actor, pk)
    require_write(actor)
    form = PersonForm(
        request.POST or None, actor=actor, person=person, initial=PersonForm.initial_for(person)
    )
    return form_page(
        request,
        form=form,
        save=lambda _data: services.person_update(
            actor=actor, person=person, **form.service_data()
        ),
        success=lambda person: reverse("people:detail", args=[person.pk]),
        template="people/person_form.html",
        context={"object": person},
    )


@page
def person_state(request, pk: int):
    """Deactivate (left), blacklist (with a reason) or reactivate a person."""
    actor = actor_for(request)
    person = _person(actor, pk)
    require_write(actor)
    initial = {"state": request.GET.get("state") or person.employment_state}
    form = PersonStateForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda data: services.person_set_state(
            actor=actor, person=person, state=data["state"], reason=data["reason"]
        ),
        success=lambda person: reverse("people:detail", args=[person.pk]),
        template="people/person_state.html",
        context={"person": person},
        message=_("The employment state has been changed."),
    )


@page
def person_photo(request, pk: int):
    """GET: the face photo, served only to those who may see the person. POST: replace it."""
    actor = actor_for(request)
    person = _person(actor, pk)
    if request.method == "POST":
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.person_set_photo(
                    actor=actor, person=person, upload=form.cleaned_data["photo"]
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors)
            else:
                messages.success(request, _("The photo has been saved."))
                return redirect(reverse("people:detail", args=[pk]))
        return render(
            request, "people/person_photo_form.html", {"person": person, "form": form}, status=400
        )
    if not person.photo:
        raise Http404
    return safe_file_response(person.photo, "image/jpeg")
