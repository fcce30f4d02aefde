"""The permit's life after approval: shift-leader check, briefing, start, suspension and
resumption, completion, acceptance (完工验收), cancellation and expiry; and the daily
re-check of every person's qualification."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from ..choices import ACTIVE_STATUSES, OPEN_STATUSES, Kind, Status, WorkerRole
from ..models import Permit
from ..rules import gas, validity
from .common import (
    actor_name,
    audit,
    local_day,
    locked,
    notify,
    now_or,
    refuse,
    require_may_change,
    require_status,
)
from .gas import latest_passing_fresh
from .people import role_reasons
from .signin import guardian_present, signed_in_today


def needs_gas(permit: Permit) -> bool:
    return gas.gas_test_required(
        permit.kind, fire_explosion_zone=bool(permit.details.get("fire_explosion_zone"))
    )


def _validity(permit: Permit, now: datetime) -> None:
    if validity.is_past_validity(permit.planned_end, now):
        refuse("planned_end", ["past_validity"])


def _gas_reasons(permit: Permit, now: datetime, after: datetime | None = None) -> list[str]:
    if not needs_gas(permit):
        return []
    _row, code = latest_passing_fresh(permit, now, after)
    return [code] if code else []


# 当班班长验票 is "right before the start": a check older than the gas sample may be (5.3.1,
# 30 min) is done again, by the shift leader on duty then.
SHIFT_CHECK_MAX_AGE = timedelta(minutes=30)


@transaction.atomic
def shift_leader_check(*, actor: Actor, permit: Permit, now: datetime | None = None) -> Permit:
    """Hot work: 当班班长验票 right before the start (RULES.md 3: sign-off order), on a
    fresh passing gas analysis (5.3.1)."""
    now, permit = now_or(now), locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.APPROVED)
    if permit.kind != Kind.HOT_WORK:
        raise ValidationFailed({"kind": _("Only hot work has a shift leader check.")})
    _validity(permit, now)
    refuse("gas", _gas_reasons(permit, now))
    permit.shift_checked_by, permit.shift_checked_at = actor_name(actor), now
    permit.save(update_fields=["shift_checked_by", "shift_checked_at", "updated_at"])
    audit(actor, "shift_check", permit, at=now)
    return permit


@transaction.atomic
def briefing_give(*, actor: Actor, permit: Permit, given_by: str = "",
                  now: datetime | None = None) -> Permit:  # fmt: skip
    """Annex A: 安全交底人 and 接受交底人 (the workers sign in after it)."""
    now, permit = now_or(now), locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.APPROVED)
    permit.briefing_by, permit.briefing_at = (given_by or actor_name(actor))[:150], now
    permit.save(update_fields=["briefing_by", "briefing_at", "updated_at"])
    audit(actor, "briefing", permit, by=permit.briefing_by)
    return permit


def people_today_reasons(permit: Permit, now: datetime) -> list[str]:
    """The day's check: every assigned person, in their role, on today's date."""
    day, found = local_day(now), []
    for row in permit.assignments.select_related("person"):
        reasons, _answer = role_reasons(row.person, row.role, day)
        if reasons:
            found.append("worker_unqualified")
            break
    return found


def start_reasons(permit: Permit, now: datetime) -> list[str]:
    reasons = _gas_reasons(permit, now)
    if not permit.briefing_at:
        reasons.append("briefing_missing")
    if permit.kind == Kind.HOT_WORK:
        if not permit.shift_checked_at:
            reasons.append("shift_check_missing")
        elif now - permit.shift_checked_at > SHIFT_CHECK_MAX_AGE:
            reasons.append("shift_check_stale")
    if not guardian_present(permit, now):
        reasons.append("no_guardian")
    present = signed_in_today(permit, now)
    workers = permit.assignments.exclude(role=WorkerRole.GUARDIAN).values_list(
        "person_id", flat=True
    )
    if any(pid not in present for pid in workers):
        reasons.append("workers_not_signed_in")
    return reasons + people_today_reasons(permit, now)


@transaction.atomic
def permit_start(*, actor: Actor, permit: Permit, now: datetime | None = None) -> Permit:
    now, permit = now_or(now), locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.APPROVED)
    _validity(permit, now)
    refuse("status", start_reasons(permit, now))
    permit.status, permit.started_at, permit.last_day_checked = (
        Status.IN_PROGRESS, now, local_day(now),
    )  # fmt: skip
    permit.save(update_fields=["status", "started_at", "last_day_checked", "updated_at"])
    audit(actor, "start", permit, at=now)
    notify(permit, f"start:{now.isoformat()}")
    return permit


def suspend(actor: Actor, permit: Permit, reason: str, now: datetime) -> Permit:
    """Inside the caller's transaction, on a locked permit."""
    permit.status, permit.paused_at, permit.pause_reason = Status.SUSPENDED, now, reason[:300]
    permit.save(update_fields=["status", "paused_at", "pause_reason", "updated_at"])
    audit(actor, "suspend", permit, reason=reason)
    notify(permit, f"suspend:{now.isoformat()}", body=_label(reason))
    return permit


def _label(reason: str) -> str:
    from ..reasons import label

    return label(reason)


@transaction.atomic
def permit_suspend(*, actor: Actor, permit: Permit, reason: str,
                   now: datetime | None = None) -> Permit:  # fmt: skip
    permit = locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.IN_PROGRESS)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Say why the work stops.")})
    return suspend(actor, permit, reason.strip(), now_or(now))


def resume_reasons(permit: Permit, now: datetime) -> list[str]:
    """5.3.1 / 6.5: after a pause longer than 30 min (特级/一级 hot work) or 60 min (二级,
    confined space) a new passing sample, taken after the pause began, is needed; and on
    a new day always (5.3.1: "每日动火前均应进行气体分析")."""
    reasons = []
    long_pause = gas.resample_needed(permit.kind, permit.level, now - permit.paused_at)
    if needs_gas(permit) and (long_pause or permit.pause_reason == "new_day"):
        reasons += _gas_reasons(permit, now, permit.paused_at)
    if not guardian_present(permit, now):
        reasons.append("no_guardian")
    return reasons + people_today_reasons(permit, now)


@transaction.atomic
def permit_resume(*, actor: Actor, permit: Permit, now: datetime | None = None) -> Permit:
    now, permit = now_or(now), locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.SUSPENDED)
    _validity(permit, now)
    refuse("status", resume_reasons(permit, now))
    paused = permit.paused_at
    permit.status, permit.paused_at, permit.pause_reason = Status.IN_PROGRESS, None, ""
    permit.last_day_checked = local_day(now)
    permit.save(update_fields=["status", "paused_at", "pause_reason", "last_day_checked",
                               "updated_at"])  # fmt: skip
    audit(actor, "resume", permit, paused_since=paused)
    notify(permit, f"resume:{now.isoformat()}")
    return permit


@transaction.atomic
def permit_complete(*, actor: Actor, permit: Permit, now: datetime | None = None) -> Permit:
    now, permit = now_or(now), locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.IN_PROGRESS, Status.SUSPENDED)
    permit.status, permit.completed_at = Status.COMPLETED, now
    permit.save(update_fields=["status", "completed_at", "updated_at"])
    audit(actor, "complete", permit, at=now)
    notify(permit, "complete")
    return permit


@transaction.atomic
def permit_close(*, actor: Actor, permit: Permit, now: datetime | None = None) -> Permit:
    """完工验收: the site is checked clean and safe; the permit is closed."""
    now, permit = now_or(now), locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.COMPLETED)
    permit.status, permit.closed_at, permit.closed_by = Status.CLOSED, now, actor_name(actor)
    permit.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    audit(actor, "close", permit, by=permit.closed_by)
    notify(permit, "close")
    from safework.evidence.services import pack_request  # the report package, after commit

    pack_request(actor=actor, permit=permit)
    return permit


@transaction.atomic
def permit_cancel(*, actor: Actor, permit: Permit, reason: str,
                  now: datetime | None = None) -> Permit:  # fmt: skip
    permit = locked(permit)
    require_may_change(actor, permit)
    cancellable = [s for s in OPEN_STATUSES if s != Status.IN_PROGRESS]
    require_status(permit, *cancellable)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Say why the permit is cancelled.")})
    if permit.status == Status.APPROVING and permit.approval_id:
        from safework.approvals.services import approval_cancel

        approval_cancel(actor=actor, instance=permit.approval, reason=reason)
        permit.refresh_from_db()
    permit.status, permit.ended_reason = Status.CANCELLED, reason.strip()[:300]
    permit.save(update_fields=["status", "ended_reason", "updated_at"])
    audit(actor, "cancel", permit, reason=reason)
    notify(permit, "cancel")
    return permit


def permits_expire_due(*, now: datetime | None = None) -> int:
    """4.16: a permit past its validity stops (no extension); one transaction each."""
    now = now_or(now)
    ids = list(
        Permit.objects.filter(status__in=OPEN_STATUSES, planned_end__lte=now).values_list(
            "id", flat=True
        )
    )
    for pk in ids:
        _expire(pk, now)
    return len(ids)


@transaction.atomic
def _expire(pk: int, now: datetime) -> None:
    permit = Permit.objects.select_for_update().get(pk=pk)
    if permit.status not in OPEN_STATUSES:
        return
    before = permit.status
    permit.status, permit.ended_reason = Status.EXPIRED, "past_validity"
    permit.save(update_fields=["status", "ended_reason", "updated_at"])
    audit(Actor.system("permits.expiry"), "expire", permit, before=before)
    notify(permit, "expire")


@transaction.atomic
def permit_daily_check(*, permit: Permit, now: datetime | None = None) -> bool:
    """At the start of each day every person is checked again; a lapsed certificate
    suspends running work. True when the permit was suspended."""
    now, permit = now_or(now), locked(permit)
    if permit.status not in ACTIVE_STATUSES or permit.last_day_checked == local_day(now):
        return False
    permit.last_day_checked = local_day(now)
    permit.save(update_fields=["last_day_checked"])
    if permit.status != Status.IN_PROGRESS:
        return False
    # 5.3.1: gas analysed every day before work; the people sign in again each day: a new
    # day starts suspended and resumes through the checks of ``resume_reasons``.
    reason = "worker_unqualified" if people_today_reasons(permit, now) else "new_day"
    suspend(Actor.system("permits.daily"), permit, reason, now)
    return True
