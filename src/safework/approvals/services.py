"""Write services of the approval engine (STYLE.md 1-3): chain templates, and starting,
approving, rejecting, commenting on, resubmitting and withdrawing an approval. Each is
atomic, writes its audit entry and its notifications in the same transaction, and tells
the subject's app about a final outcome (``registry``) in that transaction too.

Steps run in order; within a step the parties decide "all of" (会签: every party must
approve, one rejection rejects) or "any of" (或签: the first decision counts). A
rejection ends the approval with a reason and goes back to the applicant, who may
resubmit: the chain then starts again from its first step (a new round)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.audit.services import audit_record
from safework.core.access import require_owner_admin, require_write, scope_organization_ids
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed, ValidationFailed

from . import registry
from .choices import EventKind, InstanceState, PartyState, StepMode, StepState
from .models import (
    ApprovalEvent,
    ApprovalInstance,
    ApprovalParty,
    ApprovalStep,
    ChainTemplate,
    PartyTemplate,
    StepTemplate,
)
from .notify import notify_users
from .selectors import decidable_party, users_for

# --- chain templates ------------------------------------------------------------------------


def _clean_steps(steps: list[dict]) -> list[dict]:
    if not steps:
        raise ValidationFailed({"steps": _("A chain needs at least one step.")})
    for number, step in enumerate(steps, start=1):
        if not (step.get("name") or "").strip():
            raise ValidationFailed({"steps": _("Step %(n)d has no name.") % {"n": number}})
        if step.get("mode", StepMode.ALL) not in StepMode.values:
            raise ValidationFailed({"steps": _("Step %(n)d: unknown mode.") % {"n": number}})
        if not step.get("parties"):
            raise ValidationFailed({"steps": _("Step %(n)d has no party.") % {"n": number}})
        for party in step["parties"]:
            _clean_party(party, number)
    return steps


def _clean_party(party: dict, number: int) -> None:
    if not (party.get("label") or "").strip():
        raise ValidationFailed({"steps": _("Step %(n)d: a party has no name.") % {"n": number}})
    if party.get("role", "") not in ("", *Role.values):
        raise ValidationFailed({"steps": _("Step %(n)d: unknown role.") % {"n": number}})
    # A contractor admin without an organization would be any contractor's admin.
    loose = not (party.get("organization") or party.get("subject_organization"))
    if party.get("role") == Role.CONTRACTOR_ADMIN and loose and not party.get("user"):
        raise ValidationFailed(
            {
                "steps": _(
                    "Step %(n)d: a contractor admin party needs an organization "
                    "(or the applicant's own)."
                )
                % {"n": number}
            }
        )


def _write_steps(chain: ChainTemplate, steps: list[dict]) -> None:
    chain.steps.all().delete()
    for order, step in enumerate(steps, start=1):
        row = StepTemplate.objects.create(
            chain=chain, order=order, name=step["name"].strip(), mode=step.get("mode", "all")
        )
        for party in step["parties"]:
            PartyTemplate.objects.create(
                step=row,
                label=party["label"].strip(),
                role=party.get("role", ""),
                organization=party.get("organization"),
                user=party.get("user"),
                subject_organization=bool(party.get("subject_organization")),
            )


def _chain_snapshot(chain: ChainTemplate) -> list:
    return [
        {
            "name": s.name,
            "mode": s.mode,
            "parties": [
                [p.label, p.role, p.organization_id, p.user_id, p.subject_organization]
                for p in s.parties.all()
            ],
        }
        for s in chain.steps.all()
    ]


@transaction.atomic
def chain_save(
    *,
    actor: Actor,
    code: str,
    name: str,
    subject_kind: str,
    steps: list[dict],
    chain: ChainTemplate | None = None,
) -> ChainTemplate:
    """Create or replace a chain template (safety managers). Running approvals keep the
    steps they started with."""
    require_owner_admin(actor)
    steps = _clean_steps(steps)
    if not (name or "").strip() or not (code or "").strip():
        raise ValidationFailed({"name": _("Enter the chain's name and code.")})
    before = _chain_snapshot(chain) if chain else None
    if ChainTemplate.objects.exclude(pk=getattr(chain, "pk", None)).filter(code=code).exists():
        raise ValidationFailed({"code": _("Another chain has this code.")})
    chain = chain or ChainTemplate()
    chain.code, chain.name, chain.subject_kind = code.strip(), name.strip(), subject_kind
    chain.save()
    _write_steps(chain, steps)
    changes = {"steps": {"before": before, "after": _chain_snapshot(chain)}}
    audit_record(actor=actor, action="approval_chain.save", obj=chain, changes=changes)
    return chain


# --- starting ---------------------------------------------------------------------------------


def _copy_steps(instance: ApprovalInstance) -> None:
    for template in instance.chain.steps.prefetch_related("parties"):
        step = ApprovalStep.objects.create(
            instance=instance, order=template.order, name=template.name, mode=template.mode
        )
        ApprovalParty.objects.bulk_create(
            ApprovalParty(
                step=step,
                label=p.label,
                role=p.role,
                user_id=p.user_id,
                organization_id=(
                    instance.organization_id if p.subject_organization else p.organization_id
                ),
            )
            for p in template.parties.all()
        )


def _event(instance, kind, actor: Actor, *, text="", step=None, party=None) -> ApprovalEvent:
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return ApprovalEvent.objects.create(
        instance=instance, step=step, party=party, kind=kind, text=text,
        round=instance.round, user=user, actor_label=actor.label[:150],
    )  # fmt: skip


def _audit(actor: Actor, action: str, instance: ApprovalInstance, **changes) -> None:
    audit_record(
        actor=actor,
        action=f"approval.{action}",
        obj=instance,
        changes={k: {"before": None, "after": v} for k, v in changes.items()},
    )


@transaction.atomic
def approval_start(
    *,
    actor: Actor,
    chain: ChainTemplate,
    title: str,
    subject=None,
    subject_key: str = "",
    organization=None,
    site=None,
    link: str = "",
) -> ApprovalInstance:
    require_write(actor)
    if not chain.is_active or not chain.steps.exists():
        raise ValidationFailed({"chain": _("This approval chain is not in use.")})
    instance = ApprovalInstance(
        chain=chain, subject_kind=chain.subject_kind, title=title[:200], link=link[:200],
        organization=organization, site=site, subject_key=subject_key[:100],
        submitted_by=actor.user if actor.user is not None else None,
    )  # fmt: skip
    if subject is not None:
        instance.subject = subject
        instance.subject_key = instance.subject_key or f"{subject._meta.label_lower}:{subject.pk}"
    instance.save()
    _copy_steps(instance)
    _event(instance, EventKind.SUBMIT, actor)
    _audit(actor, "start", instance, chain=chain.code, subject=instance.subject_key)
    _activate_next(instance, actor)
    return instance


# --- deciding ---------------------------------------------------------------------------------


def _locked(instance: ApprovalInstance) -> ApprovalInstance:
    """The instance locked for this decision, with its steps, so two parties deciding
    at once are applied one after the other."""
    fresh = ApprovalInstance.objects.select_for_update().get(pk=instance.pk)
    return ApprovalInstance.objects.prefetch_related("steps__parties").get(pk=fresh.pk)


def _decide(party: ApprovalParty, state: str, actor: Actor, comment: str) -> None:
    party.state, party.comment = state, comment[:500]
    party.decided_by = actor.user
    party.decided_by_label, party.decided_at = actor.label[:150], timezone.now()
    party.save()


def _close_step(step: ApprovalStep, state: str) -> None:
    step.state, step.decided_at = state, timezone.now()
    step.save(update_fields=["state", "decided_at"])
    step.parties.filter(state=PartyState.PENDING).update(state=PartyState.NOT_NEEDED)


def _step_done(step: ApprovalStep) -> bool:
    states = list(step.parties.values_list("state", flat=True))
    if step.mode == StepMode.ANY:
        return PartyState.APPROVED in states
    return all(s == PartyState.APPROVED for s in states)


@transaction.atomic
def approval_approve(
    *, actor: Actor, instance: ApprovalInstance, comment: str = ""
) -> ApprovalInstance:
    instance = _locked(instance)
    party = decidable_party(instance, actor)
    if party is None:
        raise NotAllowed(_("This approval is not waiting for your decision."))
    _decide(party, PartyState.APPROVED, actor, comment)
    step = party.step
    _event(instance, EventKind.APPROVE, actor, text=comment, step=step, party=party)
    _audit(actor, "approve", instance, step=step.name, party=party.label, comment=comment)
    if _step_done(step):
        _close_step(step, StepState.APPROVED)
        _activate_next(instance, actor)
    return instance


@transaction.atomic
def approval_reject(*, actor: Actor, instance: ApprovalInstance, reason: str) -> ApprovalInstance:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Say why you reject it; the applicant reads this.")})
    instance = _locked(instance)
    party = decidable_party(instance, actor)
    if party is None:
        raise NotAllowed(_("This approval is not waiting for your decision."))
    _decide(party, PartyState.REJECTED, actor, reason)
    _close_step(party.step, StepState.REJECTED)
    _event(instance, EventKind.REJECT, actor, text=reason, step=party.step, party=party)
    _finish(instance, InstanceState.REJECTED, actor, reason=reason)
    _audit(actor, "reject", instance, step=party.step.name, party=party.label, reason=reason)
    return instance


def _activate_next(instance: ApprovalInstance, actor: Actor) -> None:
    step = instance.steps.filter(state=StepState.WAITING).order_by("order", "id").first()
    if step is None:
        _event(instance, EventKind.COMPLETE, actor)
        _finish(instance, InstanceState.APPROVED, actor)
        return
    step.state = StepState.ACTIVE
    step.save(update_fields=["state"])
    _notify_parties(instance, step)


def _finish(instance: ApprovalInstance, state: str, actor: Actor, reason: str = "") -> None:
    instance.state, instance.decided_at, instance.reason = state, timezone.now(), reason[:500]
    instance.save(update_fields=["state", "decided_at", "reason", "updated_at"])
    _notify_applicant(instance)
    registry.decided(instance, actor)


# --- comments, resubmission, withdrawal ---------------------------------------------------


def may_act_as_applicant(instance: ApprovalInstance, actor: Actor) -> bool:
    if not actor.can_write:
        return False
    if actor.user is not None and actor.user.pk == instance.submitted_by_id:
        return True
    if actor.role == Role.CONTRACTOR_ADMIN:
        return instance.organization_id in scope_organization_ids(actor)
    return actor.role == Role.SAFETY_MANAGER


@transaction.atomic
def approval_comment(*, actor: Actor, instance: ApprovalInstance, text: str) -> ApprovalEvent:
    """Anyone who may see the approval may comment (visibility is checked by the caller's
    selector); the applicant and the parties of the active step are told."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"text": _("Write a comment.")})
    require_write(actor)
    event = _event(instance, EventKind.COMMENT, actor, text=text[:2000])
    _audit(actor, "comment", instance, text=text[:2000])
    title = _("New comment on: %(title)s") % {"title": instance.title}
    users = [instance.submitted_by] + [
        u
        for step in instance.steps.filter(state=StepState.ACTIVE)
        for p in step.parties.filter(state=PartyState.PENDING)
        for u in users_for(p, instance.site_id)
    ]
    users = [u for u in users if u is not None and u != actor.user]
    notify_users(
        users, title=title, body=text, link=instance.link, key=f"approval-event:{event.pk}"
    )
    return event


@transaction.atomic
def approval_resubmit(
    *, actor: Actor, instance: ApprovalInstance, comment: str = ""
) -> ApprovalInstance:
    """After a rejection: the same chain again from its first step (a new round)."""
    instance = _locked(instance)
    if instance.state != InstanceState.REJECTED:
        raise ValidationFailed({"state": _("Only a rejected approval can be resubmitted.")})
    if not may_act_as_applicant(instance, actor):
        raise NotAllowed(_("Only the applicant can resubmit this."))
    instance.round += 1
    instance.state, instance.decided_at, instance.reason = InstanceState.PENDING, None, ""
    instance.save(update_fields=["round", "state", "decided_at", "reason", "updated_at"])
    instance.steps.all().delete()
    _copy_steps(instance)
    _event(instance, EventKind.RESUBMIT, actor, text=comment)
    _audit(actor, "resubmit", instance, round=instance.round, comment=comment)
    _activate_next(instance, actor)
    return instance


@transaction.atomic
def approval_cancel(*, actor: Actor, instance: ApprovalInstance, reason: str = "") -> None:
    instance = _locked(instance)
    if instance.state != InstanceState.PENDING:
        return
    if not may_act_as_applicant(instance, actor):
        raise NotAllowed(_("Only the applicant can withdraw this."))
    for step in instance.steps.filter(state=StepState.ACTIVE):
        _close_step(step, StepState.REJECTED)
    _event(instance, EventKind.CANCEL, actor, text=reason)
    _finish(instance, InstanceState.CANCELLED, actor, reason=reason)
    _audit(actor, "cancel", instance, reason=reason)


# --- notifications ----------------------------------------------------------------------------


def _notify_parties(instance: ApprovalInstance, step: ApprovalStep) -> None:
    users = [u for p in step.parties.all() for u in users_for(p, instance.site_id)]
    title = _("Awaiting your approval: %(title)s") % {"title": instance.title}
    body = _("Step %(order)d, %(step)s.") % {"order": step.order, "step": step.name}
    key = f"approval:{instance.pk}:{instance.round}:step:{step.pk}"
    notify_users(users, title=title, body=body, link=instance.link, key=key)


def _notify_applicant(instance: ApprovalInstance) -> None:
    labels = {
        InstanceState.APPROVED: _("Approved: %(title)s"),
        InstanceState.REJECTED: _("Rejected: %(title)s"),
        InstanceState.CANCELLED: _("Withdrawn: %(title)s"),
    }
    title = labels[instance.state] % {"title": instance.title}
    body = instance.reason and _("Reason: %(reason)s") % {"reason": instance.reason}
    users = _applicant_users(instance)
    key = f"approval:{instance.pk}:{instance.round}:{instance.state}"
    notify_users(users, title=title, body=body or title, link=instance.link, key=key)


def _applicant_users(instance: ApprovalInstance) -> list:
    """The submitter and the admins of the applicant's organization."""
    from django.contrib.auth import get_user_model

    users = [instance.submitted_by] if instance.submitted_by_id else []
    if instance.organization_id:
        users += list(
            get_user_model().objects.filter(
                is_active=True,
                profile__role=Role.CONTRACTOR_ADMIN,
                profile__organization_id=instance.organization_id,
            )
        )
    return users
