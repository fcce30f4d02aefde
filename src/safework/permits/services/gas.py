"""Recording a gas analysis; pass/fail is decided by ``rules.gas`` (5.3.2, 5.2.7, 6.4)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from ..choices import ACTIVE_STATUSES, Status
from ..models import GasTest, Permit
from ..rules import gas
from .common import actor_name, audit, locked, notify, now_or, require_may_change, require_status

READING_FIELDS = (
    "lel_percent", "result_percent", "oxygen_percent", "toxic_ppm", "toxic_limit_ppm",
    "oxygen_enriched",
)  # fmt: skip


@transaction.atomic
def gas_test_record(*, actor: Actor, permit: Permit, sampled_at: datetime, sample_point: str,
                    analyst: str, instrument: str, gas_name: str = "", toxic_gas: str = "",
                    now: datetime | None = None, **reading) -> GasTest:  # fmt: skip
    permit = locked(permit)
    require_may_change(actor, permit)
    require_status(permit, Status.APPROVING, Status.JSA_SIGNED, *ACTIVE_STATUSES)
    if timezone.is_naive(sampled_at):
        sampled_at = timezone.make_aware(sampled_at)
    if sampled_at > now_or(now):
        raise ValidationFailed({"sampled_at": _("The sample time is in the future.")})
    values = {k: reading.get(k) for k in READING_FIELDS}
    values["oxygen_enriched"] = bool(values["oxygen_enriched"])
    for k in READING_FIELDS[:-1]:
        values[k] = None if values[k] in (None, "") else Decimal(str(values[k]))
    failures = gas.evaluate(permit.kind, gas.Reading(**values))
    row = GasTest.objects.create(
        permit=permit, sampled_at=sampled_at, sample_point=sample_point, gas=gas_name,
        toxic_gas=toxic_gas, analyst=analyst, instrument=instrument, passed=not failures,
        failures=failures, recorded_by=actor_name(actor), **values,
    )  # fmt: skip
    audit(actor, "gas_test", permit, passed=row.passed, failures=failures)
    if failures and permit.status == Status.IN_PROGRESS:
        # 6.5: "检测报警时应立即停止作业" — a failed reading during work suspends it.
        from .lifecycle import suspend

        suspend(actor, permit, "gas_failed", now_or(now))
    elif failures:
        notify(permit, f"gas_failed:{row.pk}")
    return row


def latest_passing_fresh(permit: Permit, now: datetime, after: datetime | None = None):
    """The newest sample, if it passed, is ≤ 30 min old and taken after ``after``."""
    last = permit.gas_tests.filter(sampled_at__lte=now).order_by("-sampled_at", "-id").first()
    if last is None or not gas.sample_fresh(last.sampled_at, now):
        return None, "gas_stale"
    if not last.passed:
        return None, "gas_failed"
    if after is not None and last.sampled_at < after:
        return None, "gas_stale"
    return last, ""
