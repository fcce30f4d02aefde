"""The daily scan's queries (issue 4, The daily scan): set-based, one indexed date-range
query per (rules, kind, level), each excluding what was already sent at that level or a
more urgent one for the same due date. Only the rows actually due come back to Python.

Which rules apply: a person of an owner organization follows that owner's policy; a
contractor's person follows the policy of the owner of a site they work on (the first
owner with a policy, by id, if several); everyone else the defaults (rules.AlertRules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from safework.certificates.choices import ManualState, Status
from safework.certificates.models import Certificate
from safework.certificates.status import status_q
from safework.core.choices import OrganizationKind
from safework.core.models import Organization
from safework.people.choices import EmploymentState
from safework.people.models import Person

from .choices import LAPSE, WarningKind
from .models import AlertPolicy, CertificateWarning
from .rules import AlertRules, level_range

DATE_FIELD = {WarningKind.EXPIRY: "valid_until", WarningKind.REVIEW: "next_review_due"}
LAPSED_STATUS = {WarningKind.EXPIRY: Status.EXPIRED, WarningKind.REVIEW: Status.REVIEW_OVERDUE}


@dataclass(frozen=True)
class Due:
    certificate_id: int
    person_id: int
    kind: str
    level: int
    due_date: date
    rules: AlertRules


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


def level_q(kind: str, level: int, days: list[int], on: date) -> Q:
    """The certificates whose ``kind`` date is at ``level`` on ``on``."""
    field = DATE_FIELD[kind]
    if level == LAPSE:
        # Lapsed: the status says so (status.py), and recently enough to be news.
        oldest = on - timedelta(days=settings.ALERTS_CATCH_UP_DAYS)
        return status_q(LAPSED_STATUS[kind], on) & Q(**{f"{field}__gte": oldest})
    low, high = level_range(level, days)
    dates = Q(
        **{f"{field}__gte": on + timedelta(days=low), f"{field}__lte": on + timedelta(days=high)}
    )
    if kind == WarningKind.REVIEW:
        dates &= Q(valid_until__gte=on)  # an expired certificate has no review to take
    return dates


def not_yet_sent(kind: str, level: int) -> Exists:
    sent = CertificateWarning.objects.filter(
        certificate_id=OuterRef("pk"),
        kind=kind,
        due_date=OuterRef(DATE_FIELD[kind]),
        level__lte=level,  # this level or a more urgent one: never send a stale warning
    )
    return ~Exists(sent)


def _levels(rules: AlertRules, days: list[int]) -> list[int]:
    return [*days, *([LAPSE] if rules.notify_on_lapse else [])]


def _type_groups(rules: AlertRules, kind: str) -> list[tuple[list[int], Q]]:
    """Per-certificate-type thresholds: one group per overridden type, then the rest."""
    attr = "expiry_days" if kind == WarningKind.EXPIRY else "review_days"
    codes = list(rules.type_overrides)
    groups = [(getattr(rules.type_overrides[c], attr), Q(type__code=c)) for c in codes]
    rest = ~Q(type__code__in=codes) if codes else Q()
    return [*groups, (getattr(rules, attr), rest)]


def due_queries(on: date) -> list[tuple[QuerySet, str, int, AlertRules]]:
    """Every (queryset, kind, level, rules) the scan runs; the benchmark counts them."""
    out = []
    for rules, scope in policy_groups():
        for kind in (WarningKind.EXPIRY, WarningKind.REVIEW):
            for days, types in _type_groups(rules, kind):
                for level in _levels(rules, days):
                    qs = current().filter(scope, types, level_q(kind, level, days, on))
                    out.append((qs.filter(not_yet_sent(kind, level)), kind, level, rules))
    return out


def find_due(on: date) -> list[Due]:
    found: list[Due] = []
    for qs, kind, level, rules in due_queries(on):
        for pk, person_id, due in qs.values_list("pk", "person_id", DATE_FIELD[kind]):
            found.append(Due(pk, person_id, kind, level, due, rules))
    return found + renewals_open(on)


def renewals_open(on: date) -> list[Due]:
    """Issue 4: a renewal (换证中) still open N days after it started reminds the safety
    manager once per renewal (the start date is part of the key)."""
    found = []
    for rules, scope in policy_groups():
        days = rules.renewal_reminder_days
        sent = CertificateWarning.objects.filter(
            certificate_id=OuterRef("pk"),
            kind=WarningKind.RENEWAL_OPEN,
            due_date=OuterRef("manual_state_on"),
        )
        qs = Certificate.objects.filter(
            scope,
            status_q(Status.RENEWING, on),
            person__employment_state=EmploymentState.ACTIVE,
            manual_state_on__lte=on - timedelta(days=days),
        ).filter(~Exists(sent))
        for pk, person_id, started in qs.values_list("pk", "person_id", "manual_state_on"):
            found.append(Due(pk, person_id, WarningKind.RENEWAL_OPEN, days, started, rules))
    return found
