"""Gate access fixtures: a site with a work area and its gate, a contractor whose welder
holds a valid certificate, and API clients per token scope."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from safework.access import allowlist
from safework.access.models import Gate
from safework.core.choices import OrganizationKind
from tests.api.conftest import ApiClient, new_token
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    WorkAreaFactory,
)

TODAY = date(2026, 3, 10)


def local(day: date, at: time = time(0, 0)) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


@pytest.fixture(autouse=True)
def _fresh_gate_cache():
    """Gates are kept per process for two seconds; each test has its own."""
    from safework.access.selectors import forget_gates

    forget_gates()
    yield
    forget_gates()


@pytest.fixture
def freeze(monkeypatch):
    """Set "now" (timezone.now and so clock.today) to an aware moment."""

    def set_now(moment: datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


@pytest.fixture
def owner(db):
    return OrganizationFactory(name="业主化工", kind=OrganizationKind.OWNER)


@pytest.fixture
def contractor(db):
    return OrganizationFactory(name="甲承包商", kind=OrganizationKind.CONTRACTOR)


@pytest.fixture
def rival(db):
    return OrganizationFactory(name="乙承包商", kind=OrganizationKind.CONTRACTOR)


@pytest.fixture
def site(owner):
    return SiteFactory(name="北厂区", code="north", owner=owner)


@pytest.fixture
def area(site):
    return WorkAreaFactory(site=site, name="罐区", code="tanks")


@pytest.fixture
def gate(area):
    return Gate.objects.create(code="n-1", name="北门1号", area=area)


@pytest.fixture
def welder(contractor):
    person = PersonFactory(name="张焊工", organization=contractor, special_operations=["MEM-2.1"])
    CertificateFactory(
        person=person,
        valid_from=date(2024, 1, 1),
        valid_until=date(2029, 12, 31),
        next_review_due=date(2027, 1, 1),
    )
    return person


@pytest.fixture
def authorized(welder, area):
    """Through the service, which marks the organization's entries for recomputation."""
    from safework.access.services import authorization_create
    from safework.core.actors import Actor

    return authorization_create(
        actor=Actor.system("test"), area=area, organization=welder.organization
    )


@pytest.fixture
def gate_api(db):
    return ApiClient(token=new_token("gate"))


@pytest.fixture
def read_api(db):
    return ApiClient(token=new_token("read"))


@pytest.fixture
def write_api(db):
    return ApiClient(token=new_token("write"))


@pytest.fixture
def synced(db):
    """Bring the allowlist up to date (what the after-commit hook does in production)."""

    def run(**kwargs):
        return allowlist.refresh_pending(**kwargs)

    return run


def days(n: int) -> timedelta:
    return timedelta(days=n)
