"""May this person pass? Pure functions over a person (certificates and special operations
prefetched), the authorisations that name them or their organization, and the area's
rule. The certificate part is ``certificates.qualification``, the one rule, applied to
each of the person's own special operations; every reason it gives is kept, so reasons
it learns later (contractor admission) reach the gate without a change here.

"证不过期，人不进场": everything is evaluated on the day asked about, so a certificate that
lapsed at midnight denies at 00:00 with nobody touching a record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from safework.certificates.qualification import Qualification, person_reasons, qualifications_for

CREDENTIAL_REASONS = ("unknown_credential", "badge_revoked")
# Reasons about holding a certificate for an operation item. An area that does not
# require valid certificates ignores these, and only these: anything else qualification
# says about the person (employment, admission, briefing) still stops them.
ITEM_REASONS = frozenset(
    {
        "no_certificate",
        "certificate_expired",
        "review_overdue",
        "certificate_renewing",
        "certificate_suspended",
        "certificate_revoked",
        "reexam_required",
        "not_assigned",
    }
)
AREA_NOT_AUTHORIZED = "area_not_authorized"


@dataclass(frozen=True)
class Grant:
    """An authorisation as the rules see it (from the model or a test)."""

    area_id: int
    valid_from: date | None = None
    valid_until: date | None = None

    def covers(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


@dataclass(frozen=True)
class PersonStanding:
    """The person's own reasons on a day (qualification for all their operations) and
    the day their certificates stop qualifying them, if they do now."""

    reasons: tuple[str, ...]
    lapses_on: date | None  # first day the deciding certificates no longer qualify


def _unique(codes: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    return seen


def standing(person, on: date) -> PersonStanding:
    results = qualifications_for(person, on)
    reasons = _unique([*person_reasons(person), *(r for q in results for r in q.reasons)])
    lapses = None if reasons else _lapse(person, results)
    return PersonStanding(tuple(reasons), lapses)


def _lapse(person, results: list[Qualification]) -> date | None:
    """The day after the earliest last valid day (validity or review due) among the
    certificates that qualify the person now."""
    by_id = {c.id: c for c in person.certificates.all()}
    days = []
    for result in results:
        cert = by_id.get(result.certificate_id)
        if cert is None:
            continue
        last = min(d for d in (cert.valid_until, cert.next_review_due) if d is not None)
        days.append(last + timedelta(days=1))
    return min(days) if days else None


def area_reasons(
    own: PersonStanding, *, requires_qualification: bool, authorized: bool
) -> list[str]:
    reasons = [r for r in own.reasons if requires_qualification or r not in ITEM_REASONS]
    if not authorized:
        reasons.append(AREA_NOT_AUTHORIZED)
    return reasons


def authorized(grants: Iterable[Grant], area_id: int, on: date) -> bool:
    return any(g.area_id == area_id and g.covers(on) for g in grants)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class AreaRule:
    area_id: int
    requires_qualification: bool


@dataclass(frozen=True)
class Permission:
    """Where the person may go on ``on`` and until when, for the allowlist."""

    areas: tuple[int, ...]
    allowed_until: datetime | None  # earliest moment any part of this stops holding
    recheck_at: datetime | None  # earliest moment this may change (grants starting too)


def permission(
    own: PersonStanding, grants: list[Grant], rules: Iterable[AreaRule], on: date
) -> Permission:
    by_area: dict[int, list[Grant]] = {}
    for grant in grants:
        if grant.covers(on):
            by_area.setdefault(grant.area_id, []).append(grant)
    areas, ends = [], []
    for rule in rules:
        covering = by_area.get(rule.area_id, [])
        reasons = area_reasons(
            own, requires_qualification=rule.requires_qualification, authorized=bool(covering)
        )
        if reasons:
            continue
        areas.append(rule.area_id)
        ends.append(_grant_end(covering))
        if rule.requires_qualification:
            ends.append(own.lapses_on)
    until = _earliest(ends)
    starts = [g.valid_from for g in grants if g.valid_from is not None and g.valid_from > on]
    changes = [until, *(local_midnight(d) for d in starts)]
    return Permission(tuple(sorted(areas)), until if areas else None, _min(changes))


def _grant_end(covering: list[Grant]) -> date | None:
    """The day after the last day of the longest-running covering authorisation."""
    if any(g.valid_until is None for g in covering):
        return None
    return max(g.valid_until for g in covering) + timedelta(days=1)


def _earliest(days: list[date | None]) -> datetime | None:
    known = [d for d in days if d is not None]
    return local_midnight(min(known)) if known else None


def _min(moments: list[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def permission_ahead(person, grants: list[Grant], rules: list[AreaRule], on: date) -> Permission:
    """``permission`` on ``on``, its end made exact for rules that do not say when they
    lapse: if tomorrow allows fewer areas (a contractor's admission or briefing running
    out, say), the entry ends at midnight. Certificates and authorisations give their
    own dates; this look-ahead covers the rest, and the nightly reconciliation looks a
    day ahead again for everyone."""
    today_ = permission(standing(person, on), grants, rules, on)
    if not today_.areas:
        return today_
    tomorrow = on + timedelta(days=1)
    ahead = permission(standing(person, tomorrow), grants, rules, tomorrow)
    if set(today_.areas) <= set(ahead.areas):
        return today_
    midnight = local_midnight(tomorrow)
    until = _min([today_.allowed_until, midnight])
    return Permission(today_.areas, until, _min([today_.recheck_at, midnight]))
