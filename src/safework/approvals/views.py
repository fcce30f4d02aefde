"""Approval pages: what awaits me, one approval with its steps, history and the decision
forms, and the chain templates (safety managers). Thin: parse, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.core.access import require_owner_admin
from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.views import actor_for, page, paginate

from . import services
from .choices import InstanceState
from .forms import ChainForm, CommentForm, DecisionForm, PartyForm, RejectForm, StepForm
from .models import ApprovalInstance, ChainTemplate
from .selectors import approval_get, approval_list, chain_list, decidable_party, task_parties


def _instance(actor, pk: int) -> ApprovalInstance:
    try:
        return approval_get(actor=actor, pk=pk)
    except ApprovalInstance.DoesNotExist:
        raise Http404 from None


@page
def approval_list_view(request):
    actor = actor_for(request)
    state = request.GET.get("state", "")
    state = state if state in InstanceState.values else ""
    context = {
        "tasks": list(task_parties(actor)[:100]),
        "page_obj": paginate(request, approval_list(actor=actor, state=state)),
        "state": state,
        "states": InstanceState.choices,
    }
    return render(request, "approvals/list.html", context)


def _detail_context(actor, instance: ApprovalInstance, **forms) -> dict:
    return {
        "instance": instance,
        "party": decidable_party(instance, actor),
        "can_resubmit": instance.state == InstanceState.REJECTED
        and services.may_act_as_applicant(instance, actor),
        "decision_form": forms.get("decision") or DecisionForm(),
        "reject_form": forms.get("reject") or RejectForm(),
        "comment_form": forms.get("comment") or CommentForm(),
    }


@page
def approval_detail(request, pk: int):
    actor = actor_for(request)
    instance = _instance(actor, pk)
    return render(request, "approvals/detail.html", _detail_context(actor, instance))


def _decision(request, pk: int, form_class, key: str, call, message: str):
    actor = actor_for(request)
    instance = _instance(actor, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(actor, instance, form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, message)
            return redirect("approvals:detail", pk=pk)
    context = _detail_context(actor, _instance(actor, pk), **{key: form})
    return render(request, "approvals/detail.html", context, status=422)


@page
@require_POST
def approval_approve(request, pk: int):
    return _decision(
        request, pk, DecisionForm, "decision",
        lambda a, i, d: services.approval_approve(actor=a, instance=i, comment=d["comment"]),
        _("Approved."),
    )  # fmt: skip


@page
@require_POST
def approval_reject(request, pk: int):
    return _decision(
        request, pk, RejectForm, "reject",
        lambda a, i, d: services.approval_reject(actor=a, instance=i, reason=d["reason"]),
        _("Rejected; the applicant has been told why."),
    )  # fmt: skip


@page
@require_POST
def approval_comment(request, pk: int):
    return _decision(
        request, pk, CommentForm, "comment",
        lambda a, i, d: services.approval_comment(actor=a, instance=i, text=d["text"]),
        _("Comment added."),
    )  # fmt: skip


@page
@require_POST
def approval_resubmit(request, pk: int):
    return _decision(
        request, pk, DecisionForm, "decision",
        lambda a, i, d: services.approval_resubmit(actor=a, instance=i, comment=d["comment"]),
        _("Resubmitted."),
    )  # fmt: skip


# --- chain templates --------------------------------------------------------------------------


@page
def chain_list_view(request):
    require_owner_admin(actor_for(request))
    return render(request, "approvals/chains.html", {"chains": chain_list()})


def _party(data: dict) -> dict:
    return {k: data.get(k) for k in ("label", "role", "organization", "subject_organization")}


def _steps_of(chain: ChainTemplate) -> list[dict]:
    return [
        {
            "name": s.name,
            "mode": s.mode,
            "parties": [
                {
                    "label": p.label,
                    "role": p.role,
                    "organization": p.organization,
                    "user": p.user,
                    "subject_organization": p.subject_organization,
                }
                for p in s.parties.all()
            ],
        }
        for s in chain.steps.prefetch_related("parties__organization", "parties__user")
    ]


def _save_chain(request, chain, *, form, steps, data):
    actor = actor_for(request)
    try:
        chain = services.chain_save(actor=actor, chain=chain, steps=steps, **data)
    except ValidationFailed as exc:
        add_service_errors(form, exc.errors)
        return None
    messages.success(request, _("Saved."))
    return redirect("approvals:chain", pk=chain.pk)


@page
def chain_create(request):
    require_owner_admin(actor_for(request))
    chain_form = ChainForm(request.POST or None, prefix="chain")
    step_form = StepForm(request.POST or None, prefix="step")
    if request.method == "POST" and chain_form.is_valid() and step_form.is_valid():
        step = step_form.cleaned_data
        steps = [{"name": step["name"], "mode": step["mode"], "parties": [_party(step)]}]
        done = _save_chain(
            request, None, form=chain_form, steps=steps, data=chain_form.cleaned_data
        )
        if done:
            return done
    context = {"chain_form": chain_form, "step_form": step_form}
    return render(request, "approvals/chain_form.html", context)


def _chain(pk: int) -> ChainTemplate:
    chain = chain_list().filter(pk=pk).first()
    if chain is None:
        raise Http404
    return chain


def _chain_data(chain: ChainTemplate) -> dict:
    return {"code": chain.code, "name": chain.name, "subject_kind": chain.subject_kind}


@page
def chain_detail(request, pk: int):
    require_owner_admin(actor_for(request))
    chain = _chain(pk)
    context = {"chain": chain, "step_form": StepForm(), "party_form": PartyForm()}
    return render(request, "approvals/chain.html", context)


@page
@require_POST
def chain_add_step(request, pk: int):
    require_owner_admin(actor_for(request))
    chain, form = _chain(pk), StepForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        steps = [
            *_steps_of(chain),
            {"name": data["name"], "mode": data["mode"], "parties": [_party(data)]},
        ]
        if done := _save_chain(request, chain, form=form, steps=steps, data=_chain_data(chain)):
            return done
    context = {"chain": chain, "step_form": form, "party_form": PartyForm()}
    return render(request, "approvals/chain.html", context, status=422)


@page
@require_POST
def chain_add_party(request, pk: int, order: int):
    require_owner_admin(actor_for(request))
    chain, form = _chain(pk), PartyForm(request.POST)
    steps = _steps_of(chain)
    if not 1 <= order <= len(steps):
        raise Http404
    if form.is_valid():
        steps[order - 1]["parties"].append(_party(form.cleaned_data))
        if done := _save_chain(request, chain, form=form, steps=steps, data=_chain_data(chain)):
            return done
    context = {"chain": chain, "step_form": StepForm(), "party_form": form}
    return render(request, "approvals/chain.html", context, status=422)


@page
@require_POST
def chain_delete_step(request, pk: int, order: int):
    require_owner_admin(actor_for(request))
    chain = _chain(pk)
    steps = [s for i, s in enumerate(_steps_of(chain), start=1) if i != order]
    try:
        services.chain_save(
            actor=actor_for(request), chain=chain, steps=steps, **_chain_data(chain)
        )
    except ValidationFailed as exc:
        for error in exc.errors.values():
            messages.error(request, str(error))
    return redirect(reverse("approvals:chain", args=[chain.pk]))
