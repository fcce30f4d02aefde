"""The distribution charts (issue 10): workers by category and item, by organization, by
age band and near retirement age, certificates expiring per month over the next 12
months, and the compliance rate over time from the daily snapshots. Counted in SQL; the
age and retirement cut-offs are birth dates worked out once from ``people.retirement``."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum

from safework.core.access import scope_organization_ids
from safework.core.choices import Role
from safework.people.models import Person
from safework.people.retirement import retirement_date

from .filters import DashboardFilter
from .models import ComplianceSnapshot
from .selectors import Rate, current_certificates, month_bounds, workers

# (label, lowest age, highest age) — the last band is open.
AGE_BANDS = (("18–29", 18, 29), ("30–39", 30, 39), ("40–49", 40, 49), ("50–54", 50, 54),
             ("55–59", 55, 59), ("60+", 60, None))  # fmt: skip
NEAR_RETIREMENT_DAYS = 365
TOP_ORGANIZATIONS = 15
HISTORY_DAYS = 30


def workers_by_item(f: DashboardFilter) -> list[dict]:
    through = Person.special_operations.through
    rows = (
        through.objects.filter(person_id__in=workers(f).values("id"))
        .values(
            "certificatetype__category_name",
            "certificatetype__code",
            "certificatetype__name",
            "certificatetype__sort_order",
        )
        .annotate(n=Count("id"))
        .order_by("certificatetype__sort_order")
    )
    return [
        {
            "category": r["certificatetype__category_name"],
            "code": r["certificatetype__code"],
            "name": r["certificatetype__name"],
            "n": r["n"],
        }
        for r in rows
    ]


def workers_by_category(f: DashboardFilter) -> list[dict]:
    totals: dict[str, int] = {}
    for row in workers_by_item(f):
        totals[row["category"]] = totals.get(row["category"], 0) + row["n"]
    return [{"category": c, "n": n} for c, n in totals.items()]


def workers_by_organization(f: DashboardFilter) -> list[dict]:
    rows = (
        workers(f)
        .order_by()
        .values("organization_id", "organization__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organization__name")[:TOP_ORGANIZATIONS]
    )
    return [
        {"id": r["organization_id"], "name": r["organization__name"], "n": r["n"]} for r in rows
    ]


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def age_band_q(on: date, low: int, high: int | None) -> Q:
    """Aged ``low`` to ``high`` (inclusive) on ``on``, as a range of birth dates."""
    q = Q(birth_date__lte=_years_before(on, low))
    if high is not None:
        q &= Q(birth_date__gt=_years_before(on, high + 1))
    return q


def workers_by_age(f: DashboardFilter) -> list[dict]:
    counts = workers(f).aggregate(
        **{
            f"b{i}": Count("pk", filter=age_band_q(f.on, low, high))
            for i, (_label, low, high) in enumerate(AGE_BANDS)
        }
    )
    return [{"band": label, "n": counts[f"b{i}"]} for i, (label, *_r) in enumerate(AGE_BANDS)]


def _latest_birth_retiring_by(day: date, sex: str) -> date:
    """The latest birth date whose statutory retirement date is on or before ``day``
    (retirement dates grow with birth dates, so a bisection finds it)."""
    low, high = day - timedelta(days=80 * 366), day
    while (high - low).days > 1:
        mid = low + (high - low) / 2
        if retirement_date(mid, sex) <= day:
            low = mid
        else:
            high = mid
    return high if retirement_date(high, sex) <= day else low


def retirement_q(day: date) -> Q:
    """People at or past the statutory retirement age on ``day`` (RULES.md 1)."""
    q = Q(pk__in=[])
    for sex in ("M", "F"):
        q |= Q(sex=sex, birth_date__lte=_latest_birth_retiring_by(day, sex))
    return q


def near_retirement(f: DashboardFilter) -> QuerySet[Person]:
    """Reaching the retirement age within NEAR_RETIREMENT_DAYS, or past it already."""
    horizon = f.on + timedelta(days=NEAR_RETIREMENT_DAYS)
    return workers(f).filter(retirement_q(horizon)).select_related("organization")


def retirement_counts(f: DashboardFilter) -> dict[str, int]:
    horizon = f.on + timedelta(days=NEAR_RETIREMENT_DAYS)
    return workers(f).aggregate(
        past=Count("pk", filter=retirement_q(f.on)),
        near=Count("pk", filter=retirement_q(horizon) & ~retirement_q(f.on)),
    )


def months_ahead(on: date, count: int = 12) -> list[tuple[date, date]]:
    first, following = month_bounds(on)
    months = []
    for _i in range(count):
        months.append((first, following))
        first, following = following, month_bounds(following)[1]
    return months


def expiring_in_month(f: DashboardFilter, first: date) -> QuerySet:
    """Current certificates whose validity ends in the month starting ``first``."""
    start, following = month_bounds(first)
    start = max(start, f.on)
    return current_certificates(f).filter(
        manual_state="none", valid_until__gte=start, valid_until__lt=following
    )


def expiry_by_month(f: DashboardFilter) -> list[dict]:
    months = months_ahead(f.on)
    counts = current_certificates(f).aggregate(
        **{
            f"m{i}": Count(
                "pk",
                filter=Q(manual_state="none", valid_until__gte=max(a, f.on), valid_until__lt=b),
            )
            for i, (a, b) in enumerate(months)
        }
    )
    return [{"month": a, "n": counts[f"m{i}"]} for i, (a, _b) in enumerate(months)]


# --- the compliance history --------------------------------------------------------------------


def snapshots_in_scope(f: DashboardFilter) -> QuerySet[ComplianceSnapshot]:
    """Snapshot rows the actor may see, for the filter: one organization's or all visible
    ones; one site's, or (no site chosen) the all-sites rows (an area head: their
    sites' rows)."""
    qs = ComplianceSnapshot.objects.all()
    actor = f.actor
    if actor.role == Role.CONTRACTOR_ADMIN:
        qs = qs.filter(organization_id__in=scope_organization_ids(actor))
    elif not actor.sees_everything and actor.role != Role.AREA_HEAD:
        return qs.none()
    if f.organization_id:
        qs = qs.filter(organization_id=f.organization_id)
    if f.site_id:
        return qs.filter(site_id=f.site_id)
    if actor.role == Role.AREA_HEAD:
        return qs.filter(site_id__in=list(actor.site_ids))
    return qs.filter(site__isnull=True)


def history_range(f: DashboardFilter) -> tuple[date, date]:
    if f.date_from < f.date_to:
        return f.date_from, f.date_to
    return f.date_to - timedelta(days=HISTORY_DAYS - 1), f.date_to


def compliance_history(f: DashboardFilter) -> list[dict]:
    first, last = history_range(f)
    rows = (
        snapshots_in_scope(f)
        .filter(on__gte=first, on__lte=last)
        .values("on")
        .annotate(
            workers=Sum("workers"),
            compliant=Sum("compliant"),
            on_site=Sum("on_site"),
            on_site_compliant=Sum("on_site_compliant"),
        )
        .order_by("on")
    )
    return [
        {
            "on": r["on"],
            "register": Rate(r["workers"], r["compliant"]),
            "on_site": Rate(r["on_site"], r["on_site_compliant"]),
        }
        for r in rows
    ]


def distribution_figures(f: DashboardFilter) -> dict:
    return {
        "by_item": workers_by_item(f),
        "by_category": workers_by_category(f),
        "by_organization": workers_by_organization(f),
        "by_age": workers_by_age(f),
        "retirement": retirement_counts(f),
        "expiry_by_month": expiry_by_month(f),
        "history": compliance_history(f),
    }
