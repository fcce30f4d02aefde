"""Whether a person may perform an operation item on a date: the one rule (DESIGN.md
principle 2) used by the gate, permits, dashboard and API alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from safework.core.clock import today
from safework.people.choices import EmploymentState

from .choices import QUALIFYING_STATUSES, Status
from .status import status_of

# Status of the best certificate held -> reason code.
_STATUS_REASON = {
    Status.EXPIRED: "certificate_expired",
    Status.REVIEW_OVERDUE: "review_overdue",
    Status.RENEWING: "certificate_renewing",
    Status.SUSPENDED: "certificate_suspended",
    Status.REVOKED: "certificate_revoked",
}


@dataclass(frozen=True)
class Qualification:
    item_code: str
    qualified: bool
    reasons: tuple[str, ...] = ()
    certificate_id: int | None = None
    status: str | None = None  # status of the certificate that decides
    valid_until: date | None = None
    extra: dict = field(default_factory=dict, compare=False)


def person_reasons(person, on: date | None = None) -> list[str]:
    """Reasons about the person, whatever the operation: employment and, for contractor
    staff, admission (documents complete, briefing passed: issue 7)."""
    if person.employment_state == EmploymentState.BLACKLISTED:
        return ["person_blacklisted"]
    if person.employment_state != EmploymentState.ACTIVE:
        return ["person_inactive"]
    from safework.contractors.standing import admission_reasons  # one row, cached per request

    return admission_reasons(person, on or today())


def _certificates(person, item_code: str) -> list:
    # Uses a prefetched ``certificates`` (with ``type``) when there is one: no N+1 on lists.
    return [c for c in person.certificates.all() if c.type.code == item_code and not c.superseded]


def qualification(person, item, on: date) -> Qualification:
    item_code = item if isinstance(item, str) else item.code
    reasons = person_reasons(person, on)
    candidates = _certificates(person, item_code)
    if not candidates:
        return Qualification(item_code, False, tuple([*reasons, "no_certificate"]))
    rated = sorted(
        ((status_of(c, on), c) for c in candidates),
        key=lambda sc: (sc[0] in QUALIFYING_STATUSES, sc[1].valid_until),
        reverse=True,
    )
    best_status, best = rated[0]
    if best_status in QUALIFYING_STATUSES:
        return Qualification(
            item_code, not reasons, tuple(reasons), best.id, best_status, best.valid_until
        )
    cert_reasons = []
    for status, _cert in rated:
        code = _STATUS_REASON.get(status)
        if code and code not in cert_reasons:
            cert_reasons.append(code)
    return Qualification(
        item_code, False, tuple(reasons + cert_reasons), None, best_status, best.valid_until
    )


def qualifications_for(person, on: date) -> list[Qualification]:
    """One per assigned special operation, in catalogue order."""
    return [qualification(person, t.code, on) for t in person.special_operations.all()]
