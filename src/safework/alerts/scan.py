"""The daily scan's queries (issue 4, The daily scan): set-based, one indexed date-range
query per (rules, kind, thresholds) that gives each due certificate its level with a CASE
and excludes what was already sent at that level or a more urgent one for the same due
date; the warnings are copied into their table by the database, never through Python.

Which rules apply: a person of an owner organization follows that owner's policy; a
contractor's person follows the policy of the owner of a site they work on (the first
owner with a policy, by id, if several); everyone else the defaults (rules.AlertRules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from django.conf import settings
from django.db.models import (
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    SmallIntegerField,
    Value,
    When,
)
from django.utils import timezone

from safework.certificates.choices import ManualState, Status
from safework.certificates.models import Certificate
from safework.certificates.status import status_q
from safework.core.choices import OrganizationKind
from safework.core.models import Organization
from safework.people.choices import EmploymentState
from safework.people.models import Person

from .choices import LAPSE, WarningKind
from .models import AlertPolicy, CertificateWarning
from .rules import AlertRules
from .sql import DaysFrom, insert_select

DATE_FIELD = {WarningKind.EXPIRY: "valid_until", WarningKind.REVIEW: "next_review_due"}


@dataclass(frozen=True)
class Batch:
    """The ``size`` warnings the scan issued under one set of rules: the ids after
    ``after`` up to ``last``. Scans hold the scan lock, so nothing else writes warnings
    in between."""

    rules: AlertRules
    after: int
    last: int
    size: int

    def warnings(self) -> QuerySet[CertificateWarning]:
        return CertificateWarning.objects.filter(pk__gt=self.after, pk__lte=self.last)


def policy_groups() -> list[tuple[AlertRules, Q]]:
    """(rules, which certificates) pairs that partition the current certificates."""
    policies = list(AlertPolicy.objects.order_by("organization_id"))
    owners = Organization.objects.filter(kind=OrganizationKind.OWNER).count()
    if not policies:
        return [(AlertRules(), Q())]
    if owners <= 1 and len(policies) == 1:
        return [(AlertRules.model_validate(policies[0].rules), Q())]
    groups, taken = [], Q(pk__in=[])
    for policy in policies:
        match = _owner_match(policy.organization_id)
        groups.append((AlertRules.model_validate(policy.rules), match & ~taken))
        taken |= match
    return [*groups, (AlertRules(), ~taken)]


def _owner_match(owner_id: int) -> Q:
    on_site = Person.sites.through.objects.filter(
        person_id=OuterRef("person_id"), site__owner_id=owner_id
    )
    contractor = ~Q(person__organization__kind=OrganizationKind.OWNER)
    return Q(person__organization_id=owner_id) | (contractor & Q(Exists(on_site)))


def current() -> QuerySet[Certificate]:
    """Certificates that may be warned about: in force, not marked (a renewal 换证中
    stops expiry warnings, issue 4), held by someone still employed."""
    return Certificate.objects.filter(
        superseded=False,
        manual_state=ManualState.NONE,
        person__employment_state=EmploymentState.ACTIVE,
    )


def level_case(field: str, days: list[int], on: date, lapse: bool) -> Case:
    """The level of the date ``field`` on ``on`` (rules.level_on in SQL): LAPSE once it
    has passed, else the smallest threshold the days left have reached."""
    whens = [When(**{f"{field}__lt": on}, then=Value(LAPSE))] if lapse else []
    whens += [
        When(**{f"{field}__lte": on + timedelta(days=d)}, then=Value(d)) for d in sorted(days)
    ]
    return Case(*whens, output_field=SmallIntegerField())


def due_at_levels(kind: str, days: list[int], on: date, lapse: bool) -> QuerySet | None:
    """The current certificates whose ``kind`` date is at one of the levels on ``on`` and
    not yet warned about at that level or a more urgent one, annotated with the warning
    (w_kind, w_level, w_due). Lapsed only recently enough to be news (catch-up days)."""
    if not days and not lapse:
        return None
    field = DATE_FIELD[kind]
    first = on - timedelta(days=settings.ALERTS_CATCH_UP_DAYS) if lapse else on
    last = on + timedelta(days=max(days)) if days else on - timedelta(days=1)
    dates = Q(**{f"{field}__gte": first, f"{field}__lte": last})
    if kind == WarningKind.REVIEW:
        dates &= Q(valid_until__gte=on)  # an expired certificate has no review to take
    qs = (
        current()
        .filter(dates)
        .annotate(
            w_kind=Value(str(kind)), w_level=level_case(field, days, on, lapse), w_due=F(field)
        )
    )
    return qs.filter(~Exists(_sent(kind).filter(level__lte=OuterRef("w_level"))))


def _sent(kind: str) -> QuerySet[CertificateWarning]:
    """Warnings of ``kind`` already issued for the row's certificate and due date."""
    return CertificateWarning.objects.filter(
        certificate_id=OuterRef("pk"), kind=kind, due_date=OuterRef("w_due")
    )


def renewals_open(rules: AlertRules, on: date) -> QuerySet:
    """Issue 4: a renewal (换证中) still open N days after it started reminds the safety
    manager once per renewal (the start date is part of the key)."""
    days = rules.renewal_reminder_days
    qs = Certificate.objects.filter(
        status_q(Status.RENEWING, on),
        person__employment_state=EmploymentState.ACTIVE,
        manual_state_on__lte=on - timedelta(days=days),
    ).annotate(
        w_kind=Value(str(WarningKind.RENEWAL_OPEN)), w_level=Value(days), w_due=F("manual_state_on")
    )
    return qs.filter(~Exists(_sent(WarningKind.RENEWAL_OPEN)))


def _type_groups(rules: AlertRules, kind: str) -> list[tuple[list[int], Q]]:
    """Per-certificate-type thresholds: one group per overridden type, then the rest."""
    attr = "expiry_days" if kind == WarningKind.EXPIRY else "review_days"
    codes = list(rules.type_overrides)
    groups = [(getattr(rules.type_overrides[c], attr), Q(type__code=c)) for c in codes]
    rest = ~Q(type__code__in=codes) if codes else Q()
    return [*groups, (getattr(rules, attr), rest)]


def due_queries(on: date) -> list[tuple[QuerySet, AlertRules]]:
    """Every (query, rules) the scan runs to find what is due; the benchmark counts them."""
    out = []
    for rules, scope in policy_groups():
        for kind in (WarningKind.EXPIRY, WarningKind.REVIEW):
            for days, types in _type_groups(rules, kind):
                qs = due_at_levels(kind, days, on, rules.notify_on_lapse)
                if qs is not None:
                    out.append((qs.filter(scope, types), rules))
        out.append((renewals_open(rules, on).filter(scope), rules))
    return out


def issue_warnings(on: date) -> list[Batch]:
    """Write a warning for everything due on ``on``, one batch per set of rules."""
    now, batches = timezone.now(), []
    for rules, queries in groupby(due_queries(on), key=lambda pair: pair[1]):
        after = _last_warning_id()
        columns = _warning_columns(on, now)
        size = sum(
            insert_select(CertificateWarning, qs, columns, staged=True) for qs, _rules in queries
        )
        batches.append(Batch(rules, after, _last_warning_id(), size))
    return batches


def analyze_warnings() -> None:
    """Tell PostgreSQL's planner how many warnings there now are (ANALYZE counts this
    transaction's own rows) before the fan-out joins them: with the statistics of the
    morning's table (none on the first scan) it planned the contact messages as nested
    loops over 133 organizations x 89,649 warnings (43 s instead of 1 s). Not needed
    for a day of few warnings, whose fan-out is planned from them out (sql.planned_for)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CertificateWarning._meta.db_table}")


def _warning_columns(on: date, now) -> dict:
    return {
        "certificate_id": F("pk"),
        "person_id": F("person_id"),
        "kind": F("w_kind"),
        "level": F("w_level"),
        "due_date": F("w_due"),
        "scan_date": Value(on),
        "days_left": DaysFrom(F("w_due"), on),
        "created_at": Value(now),
    }


def _last_warning_id() -> int:
    return CertificateWarning.objects.aggregate(last=Max("pk"))["last"] or 0
