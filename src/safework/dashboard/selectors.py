"""The safety manager's figures, one selector per figure, each computed for a
``DashboardFilter`` and through the permission gate of the data it counts: people
(``people_visible``), certificates (``certificate_queryset``), gate events
(``events_visible``), permits (``permits_visible``), messages (``notifications_visible``).
Every count has a queryset behind it (``lists.py``), so each number opens its list."""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce

from django.db import connection
from django.db.models import Count, Exists, F, Lookup, Min, OuterRef, Q, QuerySet

from safework.access.choices import Decision, Direction
from safework.access.models import GateEvent
from safework.access.selectors import events_visible, people_on_site
from safework.alerts.choices import State
from safework.alerts.models import Notification
from safework.alerts.selectors import notifications_visible
from safework.certificates.choices import Status
from safework.certificates.models import Certificate, CertificateType
from safework.certificates.selectors import _count_each, certificate_list, certificate_queryset
from safework.certificates.status import horizon_days, qualifying_q, status_q
from safework.contractors.selectors import retraining_due, retraining_due_attempts
from safework.core.access import people_visible
from safework.people.choices import EmploymentState
from safework.people.models import Person
from safework.permits.choices import ACTIVE_STATUSES
from safework.permits.models import Permit
from safework.permits.selectors import permits_visible

from .compliance import compliant_q, has_special_operations_q
from .filters import DashboardFilter

EXPIRY_WINDOWS = (7, 15, 30)
RENEWING_AGE_BANDS = ((0, 30), (31, 60), (61, 90), (91, None))


@dataclass(frozen=True)
class Rate:
    total: int
    ok: int

    @property
    def rate(self) -> float | None:
        return None if not self.total else self.ok / self.total

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


# --- people ----------------------------------------------------------------------------------


def _at_site(qs: QuerySet[Person], site_id: int | None) -> QuerySet[Person]:
    if not site_id:
        return qs
    through = Person.sites.through
    return qs.filter(Exists(through.objects.filter(person_id=OuterRef("pk"), site_id=site_id)))


def people_in_scope(f: DashboardFilter) -> QuerySet[Person]:
    qs = people_visible(Person.objects.all(), f.actor)
    if f.organization_id:
        qs = qs.filter(organization_id=f.organization_id)
    return _at_site(qs, f.site_id)


def workers(f: DashboardFilter) -> QuerySet[Person]:
    """Employed special-operations workers (people with at least one assigned item)."""
    qs = people_in_scope(f).filter(employment_state=EmploymentState.ACTIVE)
    return qs.filter(has_special_operations_q())


def on_site_events(f: DashboardFilter) -> QuerySet[GateEvent]:
    """The entry event of each person on site now (``access.selectors.people_on_site``)."""
    qs = people_on_site(actor=f.actor, site_id=f.site_id, now=f.present)
    return qs.filter(organization_id=f.organization_id) if f.organization_id else qs


def on_site_people(f: DashboardFilter) -> QuerySet[Person]:
    return Person.objects.filter(id__in=on_site_events(f).order_by().values("person_id"))


def on_site_count(f: DashboardFilter) -> int:
    return on_site_events(f).order_by().count()


def _entries() -> QuerySet[GateEvent]:
    return GateEvent.objects.filter(
        decision=Decision.ALLOW, direction=Direction.IN, person__isnull=False, site__isnull=False
    )


def new_entry_events(f: DashboardFilter) -> QuerySet[GateEvent]:
    """Entries in the period that were the person's first ever at that site."""
    period = _entries().filter(at__gte=f.start, at__lt=f.end)
    if f.site_id:
        period = period.filter(site_id=f.site_id)
    if f.organization_id:
        period = period.filter(organization_id=f.organization_id)
    earlier = _entries().filter(
        person_id=OuterRef("person_id"), site_id=OuterRef("site_id"), at__lt=OuterRef("at")
    )
    return events_visible(period, f.actor).exclude(Exists(earlier)).order_by("-at", "-id")


def new_entry_count(f: DashboardFilter) -> int:
    return new_entry_events(f).order_by().count()


def on_site_workers(f: DashboardFilter) -> QuerySet[Person]:
    return on_site_people(f).filter(has_special_operations_q())


# Up to this many people on site, the compliance count is given their ids rather than the
# presence subquery (PostgreSQL misjudges the anti-join's size and scans every person for
# a few hundred present; and SQLite bounds a statement's parameters).
PRESENT_IDS_MAX = 10_000


def _present_person_ids(f: DashboardFilter) -> list[int]:
    """The person of each entry event of ``on_site_events`` (one per person and site)."""
    return list(on_site_events(f).order_by().values_list("person_id", flat=True))


def _compliance(people: QuerySet[Person], on: date) -> Rate:
    row = people.aggregate(total=Count("pk"), ok=Count("pk", filter=compliant_q(on)))
    return Rate(row["total"], row["ok"])


class _AnyOf(Lookup):
    """``column = ANY(%s)`` with the values as one array parameter (PostgreSQL): hundreds
    of ids cost one placeholder, not one each (the driver and Django handle each)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, list(self.rhs))


def _pk_among(ids: list[int]) -> Q:
    if connection.vendor == "postgresql":
        return Q(_AnyOf(F("pk"), ids))
    return Q(pk__in=ids)


def compliance_on_site(f: DashboardFilter, present: list[int] | None = None) -> Rate:
    """Share of special-operations workers on site now whose every assigned item is
    qualified (issue 10), by ``compliant_q`` (the set form of ``qualification``).
    ``present``: ``_present_person_ids(f)`` when the caller has them already."""
    if present is None:
        present = _present_person_ids(f)
    if len(present) > PRESENT_IDS_MAX:
        return _compliance(on_site_workers(f), f.on)
    people = Person.objects.filter(_pk_among(sorted(set(present))), has_special_operations_q())
    return _compliance(people, f.on)


def presence_figures(f: DashboardFilter) -> tuple[int, Rate]:
    """People on site now and the compliance among them, from one reading of presence:
    ``on_site_count`` and ``compliance_on_site`` (tested equal)."""
    present = _present_person_ids(f)
    return len(present), compliance_on_site(f, present)


def noncompliant_on_site(f: DashboardFilter) -> QuerySet[Person]:
    return on_site_workers(f).exclude(compliant_q(f.on))


def compliance_register(f: DashboardFilter) -> Rate:
    """The same share over every employed special-operations worker in scope."""
    return _compliance(workers(f), f.on)


def noncompliant_workers(f: DashboardFilter) -> QuerySet[Person]:
    return workers(f).exclude(compliant_q(f.on))


# --- certificates ----------------------------------------------------------------------------


def _certificates_at_site(qs: QuerySet[Certificate], f: DashboardFilter) -> QuerySet:
    if f.site_id:
        through = Person.sites.through
        at_site = through.objects.filter(person_id=OuterRef("person_id"), site_id=f.site_id)
        qs = qs.filter(Exists(at_site))
    return qs


def current_certificates(f: DashboardFilter) -> QuerySet[Certificate]:
    qs = certificate_queryset(f.actor).filter(superseded=False)
    if f.organization_id:
        qs = qs.filter(person__organization_id=f.organization_id)
    return _certificates_at_site(qs, f)


def _expiring_parts(f: DashboardFilter) -> tuple[QuerySet[Certificate], QuerySet[Certificate]]:
    """The expiring certificates (``status_q``) as two disjoint sets, each one index range
    (``cert_current_until_review``, ``cert_current_review_until``): validity ending within
    the horizon, or validity beyond it and the review due within it. ``status_q``'s "near"
    is an OR of the two dates, which no single index range answers; past the horizon on
    validity, "near" can only be the review, so the second set states its range outright
    (an implied condition: tests/dashboard/test_certificate_figures.py checks the sum
    against ``certificate_status`` certificate by certificate)."""
    horizon = f.on + timedelta(days=horizon_days())
    expiring = current_certificates(f).filter(status_q(Status.EXPIRING, f.on))
    by_validity = expiring.filter(valid_until__lte=horizon)
    by_review = expiring.filter(
        valid_until__gt=horizon, next_review_due__gte=f.on, next_review_due__lte=horizon
    )
    return by_validity, by_review


def certificate_counts(f: DashboardFilter) -> dict[str, int]:
    """Current certificates by status on ``f.on``, in one statement (the register's
    ``status_counts`` way: narrow ranges counted, ``valid`` the rest), each range read
    from an index alone."""
    current = current_certificates(f)
    ranges = {
        s: current.filter(status_q(s, f.on))
        for s in Status.values
        if s not in {Status.VALID, Status.SUPERSEDED, Status.EXPIRING}
    }
    by_validity, by_review = _expiring_parts(f)
    counts = _count_each(total=current, _validity=by_validity, _review=by_review, **ranges)
    total = counts.pop("total")
    counts[Status.EXPIRING] = counts.pop("_validity") + counts.pop("_review")
    counts[Status.VALID] = total - sum(counts.values())
    return {s: counts[s] for s in Status.values if s != Status.SUPERSEDED}


def certificates_of_status(f: DashboardFilter, status: str) -> QuerySet[Certificate]:
    qs = certificate_list(actor=f.actor, on=f.on, status=status, organization_id=f.organization_id)
    return _certificates_at_site(qs, f)


def expiring_within(f: DashboardFilter, days: int) -> QuerySet[Certificate]:
    """Still qualifying, with validity or the review running out within ``days``: the
    certificate list's own ``within_days`` filter."""
    qs = certificate_list(
        actor=f.actor,
        on=f.on,
        status=Status.EXPIRING,
        within_days=days,
        organization_id=f.organization_id,
    )
    return _certificates_at_site(qs, f)


def within_q(on: date, days: int) -> Q:
    """The certificate list's ``within_days``: validity or review ending in the window."""
    horizon = on + timedelta(days=days)
    return Q(valid_until__gte=on, valid_until__lte=horizon) | Q(
        next_review_due__gte=on, next_review_due__lte=horizon
    )


def expiring_counts(f: DashboardFilter) -> dict[int, int]:
    """The three counts over the two index ranges of the expiring certificates (tested
    equal to the lengths of ``expiring_within``'s lists)."""
    # Counted on a date the index holds (not the id; valid_until is never null), so the
    # index answers alone.
    windows = {f"d{d}": Count("valid_until", filter=within_q(f.on, d)) for d in EXPIRY_WINDOWS}
    parts = [part.aggregate(**windows) for part in _expiring_parts(f)]
    return {d: sum(part[f"d{d}"] for part in parts) for d in EXPIRY_WINDOWS}


def review_due(f: DashboardFilter) -> QuerySet[Certificate]:
    """Qualifying certificates whose review (复审) window is open: the review falls due
    within the item's window (第二十二条: applied for within the 60 days before)."""
    windows = set(CertificateType.objects.values_list("review_window_days", flat=True))
    in_window = Q(pk__in=[])
    for days in windows:
        in_window |= Q(type__review_window_days=days, next_review_due__lte=f.on + timedelta(days))
    # The range on next_review_due (indexed) first: the reviews of the widest window.
    widest = f.on + timedelta(days=max(windows, default=0))
    qs = current_certificates(f).filter(next_review_due__gte=f.on, next_review_due__lte=widest)
    return qs.filter(qualifying_q(f.on), in_window).select_related("person__organization", "type")


def renewing(f: DashboardFilter, band: int | None = None) -> QuerySet[Certificate]:
    """换证中, oldest first; ``band`` picks one of RENEWING_AGE_BANDS (days since marked)."""
    qs = certificates_of_status(f, Status.RENEWING)
    if band is not None:
        qs = qs.filter(_band_q(f.on, band))
    return qs.order_by("manual_state_on", "id")


def _band_q(on: date, band: int) -> Q:
    low, high = RENEWING_AGE_BANDS[band]
    q = Q(manual_state_on__lte=on - timedelta(days=low))
    return q & Q(manual_state_on__gte=on - timedelta(days=high)) if high is not None else q


def _in_band(age: int, band: int) -> bool:
    """``_band_q`` for one certificate ``age`` days since it was marked."""
    low, high = RENEWING_AGE_BANDS[band]
    return age >= low and (high is None or age <= high)


def renewing_ages(f: DashboardFilter) -> dict:
    """How many are 换证中 by age band, and the oldest age in days, in one query: the
    count per day marked (``cert_renewing_since`` answers alone), binned here by
    ``_in_band`` (tested equal to the lengths of ``renewing``'s lists)."""
    qs = current_certificates(f).filter(status_q(Status.RENEWING, f.on))
    days = qs.order_by().values_list("manual_state_on").annotate(n=Count("*"))
    bands = [0] * len(RENEWING_AGE_BANDS)
    oldest = None
    for day, n in days:
        if day is None:
            continue
        oldest = day if oldest is None else min(oldest, day)
        age = (f.on - day).days
        for band in range(len(bands)):
            bands[band] += n if _in_band(age, band) else 0
    return {"bands": bands, "oldest_days": (f.on - oldest).days if oldest else None}


# --- contractors' briefing -------------------------------------------------------------------


def retraining(f: DashboardFilter, category: str | None = None) -> list:
    """待复训 by category (``contractors.selectors.retraining_due``), for the filter."""
    grouped = retraining_due(actor=f.actor, on=f.on, within_days=30)
    keep = _retraining_keep(f)
    found = {
        cat: [a for a in attempts if keep(a)]
        for cat, attempts in grouped.items()
        if category is None or cat == category
    }
    return [(cat, attempts) for cat, attempts in sorted(found.items()) if attempts]


def _retraining_keep(f: DashboardFilter):
    sites = None
    if f.site_id:
        through = Person.sites.through
        sites = set(through.objects.filter(site_id=f.site_id).values_list("person_id", flat=True))

    def keep(attempt) -> bool:
        person = attempt.person
        org_ok = not f.organization_id or person.organization_id == f.organization_id
        return org_ok and (sites is None or person.pk in sites)

    return keep


def retraining_counts(f: DashboardFilter) -> dict[str, int]:
    """The same attempts as ``retraining``, counted per category in SQL."""
    qs = retraining_due_attempts(actor=f.actor, on=f.on, within_days=30)
    if f.organization_id:
        qs = qs.filter(person__organization_id=f.organization_id)
    if f.site_id:
        through = Person.sites.through
        qs = qs.filter(
            Exists(through.objects.filter(person_id=OuterRef("person_id"), site_id=f.site_id))
        )
    # COUNT(*), not of the id: the index of passes answers alone.
    rows = qs.order_by().values_list("course__category").annotate(n=Count("*"))
    return dict(sorted(rows))


# --- permits ---------------------------------------------------------------------------------


def permits_in_scope(f: DashboardFilter) -> QuerySet[Permit]:
    qs = permits_visible(Permit.objects.all(), f.actor)
    if f.site_id:
        qs = qs.filter(site_id=f.site_id)
    if f.organization_id:
        org = f.organization_id
        qs = qs.filter(Q(applicant_org_id=org) | Q(performing_org_id=org))
    return qs


def month_bounds(on: date) -> tuple[date, date]:
    first = on.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def _window_q(f: DashboardFilter, window: str) -> Q:
    if window == "live":
        return Q(status__in=ACTIVE_STATUSES)
    if window == "period":
        return Q(planned_start__gte=f.start, planned_start__lt=f.end)
    if window == "month":
        first, following = month_bounds(f.on)
        month = f.but(date_from=first, date_to=following - timedelta(days=1))
        return Q(planned_start__gte=month.start, planned_start__lt=month.end)
    raise ValueError(window)


def permits_window(f: DashboardFilter, window: str) -> QuerySet[Permit]:
    """``live``: approved, in progress or suspended now; ``period``: planned to start in
    the filter's range; ``month``: planned to start in the month of its last day."""
    return permits_in_scope(f).filter(_window_q(f, window))


PERMIT_WINDOWS = ("live", "period", "month")


def permit_counts(f: DashboardFilter) -> dict[str, list[dict]]:
    """Per window, the count for each kind and level: one grouped query over the permits
    of any window, each window counted by its own filter (tested equal to the lengths of
    ``permits_window``'s lists)."""
    windows = {w: _window_q(f, w) for w in PERMIT_WINDOWS}
    rows = (
        permits_in_scope(f)
        .filter(reduce(operator.or_, windows.values()))
        .order_by()
        .values("kind", "level")
        .annotate(**{f"n_{w}": Count("id", filter=q) for w, q in windows.items()})
        .order_by("kind", "level")
    )
    counts: dict[str, list[dict]] = {w: [] for w in PERMIT_WINDOWS}
    for row in rows:
        for w in PERMIT_WINDOWS:
            if row[f"n_{w}"]:
                counts[w].append({"kind": row["kind"], "level": row["level"], "n": row[f"n_{w}"]})
    return counts


# --- gate denials and the outbox -------------------------------------------------------------


def denials(f: DashboardFilter) -> QuerySet[GateEvent]:
    qs = GateEvent.objects.filter(decision=Decision.DENY, at__gte=f.start, at__lt=f.end)
    if f.site_id:
        qs = qs.filter(site_id=f.site_id)
    if f.organization_id:
        qs = qs.filter(organization_id=f.organization_id)
    qs = events_visible(qs, f.actor)
    return qs.select_related("gate", "site", "organization").order_by("-at", "-id")


def _json_contains() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def denials_by_reason(f: DashboardFilter) -> tuple[int, dict[str, int]]:
    """The period's denials and how often each reason was given (one denial may give
    several). The day's denials are few; their reason lists are counted here."""
    counts: Counter = Counter()
    total = 0
    for reasons in denials(f).values_list("reasons", flat=True).order_by():
        total += 1
        counts.update(reasons or ["unknown"])
    return total, dict(counts.most_common())


def denials_with_reason(f: DashboardFilter, reason: str) -> list[GateEvent]:
    """The denials giving ``reason`` (portable: SQLite has no JSON containment)."""
    if _json_contains():
        return list(denials(f).filter(reasons__contains=[reason]))
    return [e for e in denials(f) if reason in (e.reasons or [])]


OUTBOX_STATES = (State.PENDING, State.FAILED, State.DEAD)


def messages_in_scope(f: DashboardFilter) -> QuerySet[Notification]:
    qs = notifications_visible(Notification.objects.all(), f.actor)
    if f.organization_id:
        qs = qs.filter(about_organization_id=f.organization_id)
    return qs


def outbox_health(f: DashboardFilter) -> dict:
    """Messages waiting (pending, failed and to be retried) or given up (dead), and the
    age of the oldest waiting one: one grouped query (per state, its count and oldest)."""
    rows = (
        messages_in_scope(f)
        .filter(state__in=OUTBOX_STATES)
        .order_by()
        .values_list("state")
        .annotate(n=Count("*"), oldest=Min("created_at"))
    )
    counts, waiting = dict.fromkeys(map(str, OUTBOX_STATES), 0), []
    for state, n, oldest in rows:
        counts[state] = n
        if state != State.DEAD:
            waiting.append(oldest)
    age = (f.present - min(waiting)).total_seconds() / 60 if waiting else None
    return {"counts": counts, "oldest_minutes": round(age) if age is not None else None}


def outbox_messages(f: DashboardFilter, state: str) -> QuerySet[Notification]:
    qs = messages_in_scope(f).filter(state=state)
    return qs.select_related("person", "about_organization").order_by("created_at", "id")


# --- everything the safety manager's page shows ----------------------------------------------


def manager_figures(f: DashboardFilter) -> dict:
    on_site, compliance = presence_figures(f)
    return {
        "on_site": on_site,
        "new_entries": new_entry_count(f),
        "compliance": compliance,
        "certificates": certificate_counts(f),
        "expiring": expiring_counts(f),
        "review_due": review_due(f).count(),
        "renewing": renewing_ages(f),
        "retraining": retraining_counts(f),
        "permits": permit_counts(f),
        "denials": denials_by_reason(f),
        "outbox": outbox_health(f),
    }


def contractor_board(f: DashboardFilter) -> dict:
    """The contractor board (在场人数, 持证合规率, 今日新增, 待复训 by category) for the
    filter's organization: the manager's figures, narrowed to that contractor."""
    on_site, compliance = presence_figures(f)
    return {
        "on_site": on_site,
        "compliance": compliance,
        "compliance_register": compliance_register(f),
        "new_entries": new_entry_count(f),
        "retraining": retraining_counts(f),
    }
