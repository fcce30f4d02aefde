"""The job safety analysis (作业安全分析) of a permit, countersigned by three levels before
the permit may be submitted."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from ..choices import JsaLevel, Status
from ..models import JsaSignature, Permit
from .common import (
    actor_name,
    audit,
    locked,
    notify,
    now_or,
    require_may_change,
    require_status,
)

STEP_KEYS = ("step", "hazards", "measures")


def _clean_steps(steps: list[dict]) -> list[dict]:
    clean = [{k: str(s.get(k, "")).strip() for k in STEP_KEYS} for s in steps]
    clean = [s for s in clean if any(s.values())]
    if not clean:
        raise ValidationFailed({"steps": _("Describe at least one step of the job.")})
    for number, step in enumerate(clean, start=1):
        if not all(step.values()):
            raise ValidationFailed(
                {"steps": _("Step %(n)d needs its hazards and measures.") % {"n": number}}
            )
    return clean


@transaction.atomic
def jsa_save(*, actor: Actor, permit: Permit, steps: list[dict], residual_risk: str,
             document: str = "") -> Permit:  # fmt: skip
    permit = locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.DRAFT)
    jsa = permit.jsa
    if jsa.signatures.exists():
        raise ValidationFailed({"steps": _("The JSA is being signed; it cannot change.")})
    jsa.steps, jsa.residual_risk = _clean_steps(steps), residual_risk.strip()[:300]
    if document:
        jsa.document = document
    jsa.save()
    audit(actor, "jsa_save", permit, steps=jsa.steps, residual_risk=jsa.residual_risk)
    return permit


@transaction.atomic
def jsa_sign(*, actor: Actor, permit: Permit, level: int, now: datetime | None = None) -> Permit:
    """Three levels sign in order (班组 → 基层单位 → 安全管理部门); the third signature
    moves the permit to "JSA signed"."""
    permit = locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.DRAFT)
    jsa = permit.jsa
    if not jsa.steps:
        raise ValidationFailed({"steps": _("Write the JSA before signing it.")})
    signed = set(jsa.signatures.values_list("level", flat=True))
    expected = min(set(JsaLevel.values) - signed)
    if int(level) != expected:
        raise ValidationFailed({"level": _("Signatures go in order: %(level)s signs next.")
                                % {"level": JsaLevel(expected).label}})  # fmt: skip
    JsaSignature.objects.create(
        jsa=jsa, level=expected, signer=actor.user, signer_label=actor_name(actor),
        signed_at=now_or(now),
    )  # fmt: skip
    audit(actor, "jsa_sign", permit, level=expected)
    if expected == max(JsaLevel.values):
        permit.status = Status.JSA_SIGNED
        permit.save(update_fields=["status", "updated_at"])
        notify(permit, "jsa_signed")
    return permit
