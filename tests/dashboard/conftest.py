"""Dashboard fixtures: an owner with two sites, a contractor, people whose certificates
cover every status, gate events (on site, first entries, denials), permits, messages."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from safework.access.models import GateEvent
from safework.alerts.models import Notification
from safework.certificates.choices import ManualState
from safework.contractors.models import ContractorWorker
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from safework.permits.models import Permit
from tests.conftest import make_user
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    WorkAreaFactory,
)

TODAY = date(2026, 6, 10)
NOW = timezone.make_aware(datetime(2026, 6, 10, 11, 0))


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    """The dashboard's "today" is the one clock helper (STYLE.md 6)."""
    monkeypatch.setattr("safework.dashboard.filters.today", lambda: TODAY)
    for module in ("forms", "selfcheck", "services", "reports"):
        monkeypatch.setattr(f"safework.dashboard.{module}.today", lambda: TODAY)


@pytest.fixture(autouse=True)
def _no_delivery(settings):
    settings.ALERTS_DELIVER_ON_COMMIT = False


@dataclass
class World:
    owner: object
    contractor: object
    site: object
    other_site: object
    area: object
    people: dict = field(default_factory=dict)


def cert(person, code="MEM-2.1", until=None, review=None, state=ManualState.NONE, **kw):
    from safework.certificates.models import CertificateType

    return CertificateFactory(
        person=person,
        type=CertificateType.objects.get(code=code),
        valid_from=TODAY - timedelta(days=400),
        first_issued_on=TODAY - timedelta(days=400),
        valid_until=until or TODAY + timedelta(days=1000),
        next_review_due=review,
        manual_state=state,
        **kw,
    )


def standing(person, **fields):
    """The person's admission standing as the contractors' services keep it."""
    ContractorWorker.objects.update_or_create(
        person=person, defaults={"organization": person.organization, "subject": True, **fields}
    )


def event(person, site, at, decision="allow", direction="in", reasons=(), org=None):
    return GateEvent.objects.create(
        at=at, site=site, person=person, person_name=person.name if person else "",
        organization=org or (person.organization if person else None), credential_kind="badge",
        decision=decision, direction=direction, reasons=list(reasons),
    )  # fmt: skip


def permit(world, number, status, start, kind="hot_work", level="hot_2", **kw):
    return Permit.objects.create(
        number=number, site=world.site, work_area=world.area, kind=kind, level=level,
        status=status, applicant_org=world.owner, performing_org=kw.pop("org", world.contractor),
        person_in_charge=world.people["ok"], content="检修", place="E-101",
        planned_start=start, planned_end=start + timedelta(hours=4), **kw,
    )  # fmt: skip


@pytest.fixture
def world(db):
    owner = OrganizationFactory(name="业主化工", kind=OrganizationKind.OWNER)
    contractor = OrganizationFactory(name="甲安装公司", kind=OrganizationKind.CONTRACTOR)
    site = SiteFactory(name="一厂", owner=owner)
    other = SiteFactory(name="二厂", owner=owner)
    area = WorkAreaFactory(site=site)
    w = World(owner, contractor, site, other, area)
    mk = PersonFactory
    p = w.people
    # Compliant welder of the contractor, on site.
    p["ok"] = mk(
        name="合规焊工", organization=contractor, special_operations=["MEM-2.1"], sites=[site]
    )
    cert(p["ok"])
    # Expired certificate, on site.
    p["expired"] = mk(
        name="过期电工", organization=contractor, special_operations=["MEM-1.1"], sites=[site]
    )
    cert(p["expired"], "MEM-1.1", until=TODAY - timedelta(days=3))
    # Certificate expiring in 10 days, review due within the window; owner's staff, on site.
    p["expiring"] = mk(
        name="将到期", organization=owner, special_operations=["MEM-2.1"], sites=[site]
    )
    cert(p["expiring"], until=TODAY + timedelta(days=10), review=TODAY + timedelta(days=10))
    # Renewing for 45 days, at the other site, not on site.
    p["renewing"] = mk(
        name="换证中", organization=owner, special_operations=["MEM-3.1"], sites=[other]
    )
    cert(
        p["renewing"],
        "MEM-3.1",
        state=ManualState.RENEWING,
        manual_state_on=TODAY - timedelta(days=45),
    )
    # Valid certificate but not admitted (contractor admission control), on site.
    p["not_admitted"] = mk(
        name="未准入", organization=contractor, special_operations=["MEM-2.1"], sites=[site]
    )
    cert(p["not_admitted"])
    standing(p["not_admitted"], admitted=False)
    standing(p["ok"], admitted=True)
    # Not a special-operations worker, on site.
    p["plain"] = mk(name="普工", organization=contractor, sites=[site])
    # Old man near retirement (born 1966-09 -> 60 y + delay), at the other site.
    p["old"] = mk(
        name="老师傅",
        organization=owner,
        birth_date=date(1966, 9, 1),
        special_operations=["MEM-2.1"],
        sites=[other],
    )
    cert(p["old"])
    long_ago = NOW - timedelta(days=30)
    for key in ("ok", "expired", "expiring", "not_admitted", "plain"):
        event(p[key], site, NOW - timedelta(hours=2))
    event(p["ok"], site, long_ago)  # ok entered before: not a first entry today
    event(p["expiring"], site, long_ago)
    event(p["renewing"], other, NOW - timedelta(hours=3))
    event(p["renewing"], other, NOW - timedelta(hours=1), direction="out")  # left again
    event(p["expired"], site, NOW - timedelta(hours=2, minutes=5), decision="deny",
          reasons=["certificate_expired"])  # fmt: skip
    event(p["not_admitted"], site, NOW - timedelta(hours=3), decision="deny",
          reasons=["not_admitted", "briefing_not_passed"])  # fmt: skip
    permit(w, "DH-1", "in_progress", NOW - timedelta(hours=1))
    permit(w, "DH-2", "approved", NOW + timedelta(hours=1))
    permit(w, "GC-1", "closed", NOW - timedelta(days=5), kind="height", level="height_1")
    permit(w, "GC-2", "draft", NOW + timedelta(days=30), kind="height", level="height_2")
    Notification.objects.create(channel="email", recipient="a@example.com", state="pending",
                                next_attempt_at=NOW, about_organization=contractor)  # fmt: skip
    Notification.objects.create(channel="email", recipient="b@example.com", state="dead",
                                next_attempt_at=NOW, about_organization=owner)  # fmt: skip
    return w


@pytest.fixture
def contractor_admin(world, django_user_model):
    user = make_user(django_user_model, "cadmin", Role.CONTRACTOR_ADMIN, world.contractor)
    return Actor(user=user)


@pytest.fixture
def area_head_other(world, django_user_model):
    user = make_user(django_user_model, "head2", Role.AREA_HEAD, sites=[world.other_site])
    return Actor(user=user)
