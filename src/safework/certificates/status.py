"""Certificate status on a date: one pure function and its set-based SQL form.

DESIGN.md: revoked / suspended / renewing if so marked; else expired if D > valid_until;
else review_overdue if next_review_due < D; else expiring if valid_until or
next_review_due is within the warning horizon; else valid. ``valid_until`` itself and
``next_review_due`` itself are still in force (a review is overdue the day after).
第二十六条: 未按期复审的，证书失效 -> review_overdue does not qualify.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, CharField, Q, Value, When

from .choices import ManualState, Status


def horizon_days() -> int:
    return settings.EXPIRY_WARNING_DAYS


def certificate_status(
    *,
    manual_state: str,
    valid_until: date,
    next_review_due: date | None,
    on: date,
    superseded: bool = False,
    warning_days: int | None = None,
) -> Status:
    if superseded:
        return Status.SUPERSEDED
    if manual_state == ManualState.REVOKED:
        return Status.REVOKED
    if manual_state == ManualState.SUSPENDED:
        return Status.SUSPENDED
    if manual_state == ManualState.RENEWING:
        return Status.RENEWING
    if on > valid_until:
        return Status.EXPIRED
    if next_review_due is not None and next_review_due < on:
        return Status.REVIEW_OVERDUE
    horizon = on + timedelta(days=horizon_days() if warning_days is None else warning_days)
    if valid_until <= horizon or (next_review_due is not None and next_review_due <= horizon):
        return Status.EXPIRING
    return Status.VALID


def status_of(certificate, on: date) -> Status:
    return certificate_status(
        manual_state=certificate.manual_state,
        valid_until=certificate.valid_until,
        next_review_due=certificate.next_review_due,
        superseded=certificate.superseded,
        on=on,
    )


def status_q(status: str, on: date, prefix: str = "", warning_days: int | None = None) -> Q:
    """A filter selecting certificates with ``status`` on ``on``; ``prefix`` reaches them
    through a relation (``"certificates__"``). Same rules as ``certificate_status``."""
    p = prefix
    horizon = on + timedelta(days=horizon_days() if warning_days is None else warning_days)
    active = Q(**{f"{p}superseded": False})
    unmarked = active & Q(**{f"{p}manual_state": ManualState.NONE})
    not_expired = Q(**{f"{p}valid_until__gte": on})
    review_ok = Q(**{f"{p}next_review_due__isnull": True}) | Q(**{f"{p}next_review_due__gte": on})
    near = Q(**{f"{p}valid_until__lte": horizon}) | Q(**{f"{p}next_review_due__lte": horizon})
    return {
        Status.SUPERSEDED: Q(**{f"{p}superseded": True}),
        Status.REVOKED: active & Q(**{f"{p}manual_state": ManualState.REVOKED}),
        Status.SUSPENDED: active & Q(**{f"{p}manual_state": ManualState.SUSPENDED}),
        Status.RENEWING: active & Q(**{f"{p}manual_state": ManualState.RENEWING}),
        Status.EXPIRED: unmarked & Q(**{f"{p}valid_until__lt": on}),
        Status.REVIEW_OVERDUE: unmarked & not_expired & Q(**{f"{p}next_review_due__lt": on}),
        Status.EXPIRING: unmarked & not_expired & review_ok & near,
        Status.VALID: unmarked & not_expired & review_ok & ~near,
    }[Status(status)]


def qualifying_q(on: date, prefix: str = "") -> Q:
    return status_q(Status.VALID, on, prefix) | status_q(Status.EXPIRING, on, prefix)


def status_annotation(on: date, warning_days: int | None = None) -> Case:
    """``.annotate(status=status_annotation(on))``: the status as a SQL CASE."""
    order = [
        Status.SUPERSEDED,
        Status.REVOKED,
        Status.SUSPENDED,
        Status.RENEWING,
        Status.EXPIRED,
        Status.REVIEW_OVERDUE,
        Status.EXPIRING,
    ]
    return Case(
        *[When(status_q(s, on, warning_days=warning_days), then=Value(str(s))) for s in order],
        default=Value(str(Status.VALID)),
        output_field=CharField(),
    )
