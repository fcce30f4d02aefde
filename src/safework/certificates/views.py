"""Certificate pages: list with filters, add (from the person page), edit, the actions
(renew 换证中, suspend, revoke, reinstate, record a review 复审, record the new certificate
that replaces an old one), the certificate's history, and the read-only catalogue."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.core.access import organizations_visible, require_write
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.models import Organization
from safework.core.views import actor_for, form_page, page, paginate, post_action, render_list
from safework.people.selectors import person_get

from . import services
from .forms import (
    CertificateFilterForm,
    CertificateForm,
    ReasonForm,
    ReplaceForm,
    ReviewForm,
    RevokeForm,
)
from .models import Certificate
from .selectors import catalogue_list, certificate_list
from .status import status_of


def _certificate(actor: Actor, pk: int) -> Certificate:
    """The certificate if the actor may see its holder; a 404 otherwise."""
    try:
        return services.certificate_for_actor(actor=actor, pk=pk)
    except Certificate.DoesNotExist:
        raise Http404 from None


def _detail_url(cert: Certificate) -> str:
    return reverse("certificates:detail", args=[cert.pk])


@page
def certificate_list_view(request):
    actor = actor_for(request)
    organizations = organizations_visible(Organization.objects.all(), actor)
    form = CertificateFilterForm(request.GET, organizations=organizations)
    qs = certificate_list(actor=actor, on=today(), **form.filters())
    return render_list(
        request,
        page_template="certificates/certificate_list.html",
        fragment_template="certificates/_certificate_results.html",
        context={"form": form, "page_obj": paginate(request, qs)},
    )


def _history(cert: Certificate) -> list[Certificate]:
    """The certificates this one replaced, newest first (a short chain, one per renewal)."""
    chain, current = [], cert
    while current.replaces_id is not None:
        current = Certificate.objects.select_related("type").get(pk=current.replaces_id)
        chain.append(current)
    return chain


def _successor(cert: Certificate) -> Certificate | None:
    try:
        return cert.replaced_by
    except ObjectDoesNotExist:
        return None


@page
def certificate_detail(request, pk: int):
    actor, on = actor_for(request), today()
    cert = _certificate(actor, pk)
    cert.status = status_of(cert, on)
    context = {
        "cert": cert,
        "person": cert.person,
        "reviews": cert.reviews.select_related("recorded_by"),
        "history": [(c, status_of(c, on)) for c in _history(cert)],
        "successor": _successor(cert),
        "today": on,
    }
    return render(request, "certificates/certificate_detail.html", context)


def _person(actor: Actor, pk: int):
    try:
        return person_get(actor=actor, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


@page
def certificate_create(request, person_pk: int):
    actor = actor_for(request)
    person = _person(actor, person_pk)
    require_write(actor)
    form = CertificateForm(request.POST or None, initial={"type": _suggested_type(request, person)})
    return form_page(
        request,
        form=form,
        save=lambda _data: services.certificate_create(
            actor=actor, person=person, **form.service_data()
        ),
        success=_detail_url_for_person,
        template="certificates/certificate_form.html",
        context={"person": person},
        message=_("The certificate has been recorded."),
    )


def _suggested_type(request, person) -> str:
    """The item asked for (from the qualification panel), or the person's only one."""
    codes = [t.code for t in person.special_operations.all()]
    return request.GET.get("type") or (codes[0] if len(codes) == 1 else "")


def _detail_url_for_person(cert: Certificate) -> str:
    return reverse("people:detail", args=[cert.person_id]) + "#certificates"


@page
def certificate_edit(request, pk: int):
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    require_write(actor)
    form = CertificateForm(request.POST or None, certificate=cert)
    return form_page(
        request,
        form=form,
        save=lambda _data: services.certificate_update(
            actor=actor, certificate=cert, **form.service_data()
        ),
        success=_detail_url,
        template="certificates/certificate_form.html",
        context={"person": cert.person, "object": cert},
    )


@page
def certificate_replace(request, pk: int):
    """Record the new certificate issued after renewal; the old one stays in history."""
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    require_write(actor)
    form = ReplaceForm(request.POST or None, old=cert)
    return form_page(
        request,
        form=form,
        save=lambda _data: services.certificate_replace(
            actor=actor, certificate=cert, **form.service_data()
        ),
        success=_detail_url,
        template="certificates/certificate_replace.html",
        context={"cert": cert, "person": cert.person},
        message=_("The new certificate has been recorded; the old one is kept in the history."),
    )


@page
def certificate_review(request, pk: int):
    """Record a passed review (复审), moving the next review due date."""
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    require_write(actor)
    form = ReviewForm(request.POST or None, initial={"reviewed_on": today()})
    return form_page(
        request,
        form=form,
        save=lambda data: services.certificate_record_review(actor=actor, certificate=cert, **data),
        success=lambda review: _detail_url(cert),
        template="certificates/certificate_review.html",
        context={"cert": cert, "person": cert.person},
        message=_("The review has been recorded."),
    )


@page
def certificate_suspend(request, pk: int):
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    require_write(actor)
    return form_page(
        request,
        form=ReasonForm(request.POST or None),
        save=lambda data: services.certificate_suspend(actor=actor, certificate=cert, **data),
        success=_detail_url,
        template="certificates/certificate_suspend.html",
        context={"cert": cert, "person": cert.person},
        message=_("The certificate has been suspended."),
    )


@page
def certificate_revoke(request, pk: int):
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    require_write(actor)
    return form_page(
        request,
        form=RevokeForm(request.POST or None),
        save=lambda data: services.certificate_revoke(actor=actor, certificate=cert, **data),
        success=_detail_url,
        template="certificates/certificate_revoke.html",
        context={"cert": cert, "person": cert.person},
        message=_("The certificate has been revoked."),
    )


@page
@require_POST
def certificate_renew(request, pk: int):
    """Mark 换证中: the certificate stops qualifying until the new one is recorded."""
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    return post_action(
        request,
        call=lambda: services.certificate_renew(actor=actor, certificate=cert),
        done=_next_url(request, cert),
        message=_("Marked as being renewed (换证中)."),
    )


@page
@require_POST
def certificate_reinstate(request, pk: int):
    """Lift a suspension or abandon a renewal."""
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    return post_action(
        request,
        call=lambda: services.certificate_reinstate(actor=actor, certificate=cert),
        done=_next_url(request, cert),
        message=_("The certificate is in force again."),
    )


def _next_url(request, cert: Certificate) -> str:
    """Back to the person page when the action was started there."""
    if request.POST.get("next") == "person":
        return reverse("people:detail", args=[cert.person_id]) + "#certificates"
    return _detail_url(cert)


@page
def catalogue(request):
    return render(request, "certificates/catalogue.html", {"types": catalogue_list()})
