"""The dashboard's write services (STYLE.md 3: atomic, audited in the same transaction,
messages through the outbox): the self-check run and its sign-off, emergency plans and
their review reminders, report recipients and the periodic reports."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.alerts.models import Notification
from safework.alerts.outbox import enqueue
from safework.audit.services import audit_record
from safework.core.access import require_owner_admin
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.clock import today
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.models import Site

from .choices import RunState
from .models import EmergencyPlan, ReportSubscription, SelfCheckItem, SelfCheckRun
from .selfcheck import evaluate

# --- the monthly self-check -----------------------------------------------------------------


def result_hash(run: SelfCheckRun, items: list[SelfCheckItem]) -> str:
    """SHA-256 of the run's canonical JSON: month, site, and every item as evaluated."""
    body = {
        "month": run.month.isoformat(),
        "site": run.site_id,
        "evaluated_at": run.evaluated_at.isoformat(),
        "items": [
            {
                "number": i.number,
                "passed": i.passed,
                "checked": i.checked,
                "findings": i.evidence_total,
                "evidence": i.evidence,
            }
            for i in sorted(items, key=lambda i: i.number)
        ],
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_month(month: date) -> date:
    first = month.replace(day=1)
    if first > today():
        raise ValidationFailed({"month": _("The month has not started yet.")})
    return first


@transaction.atomic
def selfcheck_run(*, actor: Actor, month: date, site: Site | None = None) -> SelfCheckRun:
    """Evaluate the self-check of ``month`` (for one site, or all) from the data."""
    if not actor.is_system and actor.role != Role.SAFETY_MANAGER:
        raise NotAllowed(_("Only safety managers run the monthly self-check."))
    first = _check_month(month)
    results = evaluate(first, site.pk if site else None)
    run = SelfCheckRun(
        month=first,
        site=site,
        passed=all(r.passed for r in results),
        evaluated_at=timezone.now(),
        evaluated_by=actor.label[:150],
    )
    items = [
        SelfCheckItem(
            number=r.number,
            passed=r.passed,
            summary=r.summary[:500],
            checked=r.checked,
            evidence=r.evidence,
            evidence_total=r.total,
        )
        for r in results
    ]
    run.result_hash = result_hash(run, items)
    run.save()
    for item in items:
        item.run = run
    SelfCheckItem.objects.bulk_create(items)
    audit_record(
        actor=actor,
        action="selfcheck.evaluate",
        obj=run,
        changes={
            "month": first,
            "site": site.pk if site else None,
            "passed": run.passed,
            "failed_items": [i.number for i in items if not i.passed],
            "result_hash": run.result_hash,
        },
    )
    return run


@transaction.atomic
def selfcheck_sign(*, actor: Actor, run: SelfCheckRun, note: str = "") -> SelfCheckRun:
    """The safety manager signs the run off; the signed result's hash joins the audit
    chain, and the run never changes again."""
    if actor.role != Role.SAFETY_MANAGER or actor.user is None or actor.token is not None:
        raise NotAllowed(_("Only a safety manager signs the monthly self-check off."))
    run = SelfCheckRun.objects.select_for_update().get(pk=run.pk)
    if run.state == RunState.SIGNED:
        raise ValidationFailed({"run": _("This self-check is signed off already.")})
    if result_hash(run, list(run.items.all())) != run.result_hash:
        raise ValidationFailed({"run": _("The stored result no longer matches its hash.")})
    run.state = RunState.SIGNED
    run.signed_by = actor.user
    run.signed_by_label = actor.label[:150]
    run.signed_at = timezone.now()
    run.sign_note = note[:500]
    run.save(update_fields=["state", "signed_by", "signed_by_label", "signed_at", "sign_note"])
    audit_record(
        actor=actor,
        action="selfcheck.sign",
        obj=run,
        changes={"result_hash": run.result_hash, "passed": run.passed, "note": run.sign_note},
    )
    return run


# --- emergency plans --------------------------------------------------------------------------

PLAN_FIELDS = (
    "title", "version", "covers_special_operations", "scope_note", "reviewed_on",
    "next_review_due", "contact_email",
)  # fmt: skip
REMINDER_DAYS = (30, 7, 0)  # days before the review is due; 0: due or overdue


@transaction.atomic
def emergency_plan_save(*, actor: Actor, site: Site, **fields) -> EmergencyPlan:
    require_owner_admin(actor)
    if fields["next_review_due"] <= fields["reviewed_on"]:
        raise ValidationFailed(
            {"next_review_due": _("The next review must come after the last review.")}
        )
    plan = EmergencyPlan.objects.select_for_update().filter(site=site).first()
    before = {f: getattr(plan, f) for f in PLAN_FIELDS} if plan else {}
    plan = plan or EmergencyPlan(site=site)
    for name in PLAN_FIELDS:
        setattr(plan, name, fields.get(name, getattr(plan, name)))
    plan.save()
    from safework.audit.services import diff

    audit_record(
        actor=actor,
        action="emergency_plan.save",
        obj=plan,
        changes=diff(before, {f: getattr(plan, f) for f in PLAN_FIELDS}),
    )
    return plan


def _reminder_level(plan: EmergencyPlan, on: date) -> int | None:
    left = (plan.next_review_due - on).days
    due = [d for d in REMINDER_DAYS if left <= d]
    return min(due) if due else None


@transaction.atomic
def emergency_plan_reminders(*, on: date | None = None) -> int:
    """Reminders for plans whose review is due within 30 days, 7 days, or now: one email
    per plan, due date and level (the dedupe key makes the daily run idempotent)."""
    on = on or today()
    sent = 0
    horizon = on + timedelta(days=max(REMINDER_DAYS))
    for plan in EmergencyPlan.objects.filter(next_review_due__lte=horizon).select_related("site"):
        level = _reminder_level(plan, on)
        if level is None:
            continue
        key = f"emergency-plan:{plan.pk}:{plan.next_review_due}:{level}"
        if Notification.objects.filter(dedupe_key=key).exists():
            continue
        subject = _("Emergency plan review due: %(site)s") % {"site": plan.site.name}
        body = _("The emergency plan “%(title)s” of %(site)s is due for review on %(day)s.") % {
            "title": plan.title,
            "site": plan.site.name,
            "day": plan.next_review_due,
        }
        enqueue(
            channel="email", recipient=plan.contact_email, subject=subject, body=body,
            dedupe_key=key, organization=plan.site.owner,
        )  # fmt: skip
        sent += 1
    return sent


# --- report recipients --------------------------------------------------------------------------


@transaction.atomic
def report_subscription_add(*, actor: Actor, site: Site, period: str, email: str):
    require_owner_admin(actor)
    sub, created = ReportSubscription.objects.get_or_create(
        site=site, period=period, email=email.strip().lower(), defaults={"is_active": True}
    )
    if not created and not sub.is_active:
        sub.is_active = True
        sub.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action="report_subscription.add", obj=sub,
                 changes={"site": site.pk, "period": period, "email": sub.email})  # fmt: skip
    return sub


@transaction.atomic
def report_subscription_remove(*, actor: Actor, subscription: ReportSubscription) -> None:
    require_owner_admin(actor)
    subscription.is_active = False
    subscription.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action="report_subscription.remove", obj=subscription)
