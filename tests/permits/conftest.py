"""Fixtures of the permit tests: a site with a geofenced work area, qualified people,
approvers, a fixed clock; and the browser fixtures of tests/e2e at a phone's size."""

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from tests.conftest import make_user
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    WorkAreaFactory,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
TZ = ZoneInfo("Asia/Shanghai")
# A Tuesday, an ordinary working day (not a holiday, not a make-up day), 09:00.
WORKDAY_9AM = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
LAT, LNG = 31.230416, 121.473701


@pytest.fixture
def clock():
    return WORKDAY_9AM


@pytest.fixture
def owner(db):
    return OrganizationFactory(kind=OrganizationKind.OWNER, name="业主化工")


@pytest.fixture
def area(owner):
    from safework.permits.models import Geofence

    site = SiteFactory(owner=owner, code="plant-a")
    work_area = WorkAreaFactory(site=site, name="裂解装置")
    Geofence.objects.create(work_area=work_area, latitude=LAT, longitude=LNG, radius_m=150)
    return work_area


def certified(item: str, *, org, valid_until=None, **person_kw):
    person = PersonFactory(organization=org, **person_kw)
    kw = {"valid_until": valid_until} if valid_until else {}
    CertificateFactory(person=person, type=_type(item), **kw)
    return person


def _type(code):
    from safework.certificates.models import CertificateType

    return CertificateType.objects.get(code=code)


@pytest.fixture
def people(owner):
    """One qualified person per role, and a trained guardian (all owner staff)."""
    from safework.permits.models import GuardianTraining

    guardian = PersonFactory(organization=owner, name="王监护")
    GuardianTraining.objects.create(
        person=guardian, issued_by="安全培训中心", valid_from=date(2025, 1, 1),
        valid_until=date(2027, 12, 31),
    )  # fmt: skip
    return {
        "welder": certified("MEM-2.1", org=owner, name="李焊工"),
        "electrician": certified("MEM-1.2", org=owner, name="张电工"),
        "commander": certified("SAMR-Q1", org=owner, name="赵指挥"),
        "driver": certified("SAMR-Q2", org=owner, name="钱司机"),
        "scaffolder": certified("MEM-3.1", org=owner, name="孙架子工"),
        "worker": PersonFactory(organization=owner, name="周作业"),
        "leader": PersonFactory(organization=owner, name="吴负责人"),
        "guardian": guardian,
    }


@pytest.fixture
def area_head(db, django_user_model, area):
    user = make_user(django_user_model, "areahead", Role.AREA_HEAD, sites=[area.site])
    return Actor(user=user)


@pytest.fixture
def approvers(manager, area_head):
    return [manager, area_head]


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page with the browser's position granted at the work area."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
        has_touch=True, base_url=live_server.url, geolocation={"latitude": LAT,
        "longitude": LNG, "accuracy": 10}, permissions=["geolocation"],
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def later(moment, **delta):
    return moment + timedelta(**delta)
