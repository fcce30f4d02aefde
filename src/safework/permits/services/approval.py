"""Submitting a permit to its approval chain (run on the generic approval engine) and
learning the outcome (``approvals.registry``)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from safework.approvals.choices import InstanceState
from safework.approvals.models import ChainTemplate
from safework.approvals.services import approval_start, chain_save
from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from ..choices import ACTIVE_STATUSES, APPROVAL_KIND, Kind, Level, Status, WorkerRole
from ..models import Permit, PermitChain
from ..reasons import label
from ..rules import chains, levels, validity
from . import simops
from .common import audit, locked, notify, now_or, refuse, require_may_change, require_status
from .people import permit_days, reasons_over

BUSY_STATUSES = (Status.APPROVING, *ACTIVE_STATUSES)


def chain_for(kind: str, level: str):
    """The enterprise's chain for this kind and level, made from table B.1 the first time."""
    row = PermitChain.objects.filter(kind=kind, level=level or "").select_related("chain").first()
    if row is not None:
        return row.chain
    code = f"permit-{kind}-{level or 'all'}"[:50]
    # A chain the enterprise prepared under this code on the chain editor is its choice.
    chain = ChainTemplate.objects.filter(code=code, subject_kind=APPROVAL_KIND).first()
    if chain is None:
        name = f"{Kind(kind).label} {Level(level or '').label if level else ''}".strip()
        chain = chain_save(
            actor=Actor.system("permits"), code=code, name=str(name),
            subject_kind=APPROVAL_KIND, steps=chains.default_steps(kind, level),
        )  # fmt: skip
    PermitChain.objects.create(kind=kind, level=level or "", chain=chain)
    return chain


def people_reasons(permit: Permit) -> list[str]:
    """Every assigned person, in their role, over every day of the permit."""
    days = permit_days(permit)
    reasons: list[str] = []
    for row in permit.assignments.select_related("person"):
        found = reasons_over(row.person, row.role, days)
        reasons += [f"{row.person.name}: {label(code)}" for code in found]
    return reasons


def _ready_errors(permit: Permit, now: datetime) -> dict:
    errors = {}
    roles = set(permit.assignments.values_list("role", flat=True))
    if WorkerRole.GUARDIAN not in roles:
        errors["guardian"] = _("Assign a guardian (GB 30871 4.10).")
    if not roles - {WorkerRole.GUARDIAN}:
        errors["workers"] = _("Assign the workers.")
    if permit.measures.filter(applies__isnull=True).exists():
        errors["measures"] = _("Answer every safety measure: applies, and confirmed by whom.")
    if levels.lifting_plan_required(permit.level) and not permit.details.get("lifting_plan"):
        errors["lifting_plan"] = _("Class 1 and 2 lifting need a lifting plan (GB 30871 9.2).")
    if validity.is_past_validity(permit.planned_end, now):
        errors["planned_end"] = _("The permit is past its validity: make a new permit.")
    if permit.level == Level.HOT_SPECIAL and not permit.details.get("video"):
        # 5.2.11: "特级动火作业应采集全过程作业影像，且作业现场使用的摄录设备应为防爆型"
        errors["video"] = label("video_missing")
    # SIMOPS (4.7, 5.2.8, 5.2.9, 6.7, 7.6, 7.10 one blind-plate job per pipeline): the
    # live permits and registered activities on the site.
    return errors | simops.blocking_errors(simops.permit_conflicts(permit))


@transaction.atomic
def permit_submit(*, actor: Actor, permit: Permit, now: datetime | None = None) -> Permit:
    permit = locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.JSA_SIGNED)
    now = now_or(now)
    errors = _ready_errors(permit, now)
    if errors:
        raise ValidationFailed(errors)
    refuse("workers", people_reasons(permit))
    permit.approval = approval_start(
        actor=actor, chain=chain_for(permit.kind, permit.level),
        title=f"{permit.number} {permit.get_kind_display()} {permit.place}", subject=permit,
        organization=permit.applicant_org, site=permit.site, link=f"/permits/{permit.pk}/",
    )  # fmt: skip
    if permit.approval.state == InstanceState.PENDING:
        permit.status = Status.APPROVING
    permit.save(update_fields=["approval", "status", "updated_at"])
    audit(actor, "submit", permit, approval=permit.approval.pk)
    notify(permit, f"submit:{permit.approval.pk}")
    return permit


def permit_approval_decided(*, instance, actor: Actor) -> None:
    """Runs inside the deciding transaction: an approval given while a worker has become
    unqualified is refused (the approver sees why), so nothing unqualified is approved."""
    permit = locked(Permit.objects.get(pk=instance.subject_id))
    if permit.approval_id != instance.pk or permit.status not in BUSY_STATUSES + (
        Status.JSA_SIGNED,
    ):
        return  # an older approval of this permit, or a permit no longer waiting for one
    if instance.state == InstanceState.APPROVED:
        refuse("workers", people_reasons(permit))
        simops.simops_refuse(permit)  # what went live since submission counts too
        permit.status, permit.approved_at = Status.APPROVED, instance.decided_at
    else:
        permit.status = Status.JSA_SIGNED  # rejected or withdrawn: fix and submit again
    permit.save(update_fields=["status", "approved_at", "updated_at"])
    audit(actor, f"approval_{instance.state}", permit, approval=instance.pk)
    notify(permit, f"approval:{instance.pk}:{instance.round}:{instance.state}")
