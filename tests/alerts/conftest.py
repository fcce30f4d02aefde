"""Alerts fixtures: a plant (owner, contractor, site), its logins, configured channels,
and local servers standing in for the providers (tests/alerts/servers.py)."""

from datetime import date

import pytest
from django.utils import timezone

from safework.alerts import services
from safework.alerts.choices import Channel
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from tests.conftest import make_user
from tests.factories import CertificateFactory, OrganizationFactory, PersonFactory, SiteFactory

from .servers import ProviderServer

DAY0 = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _no_wake(settings):
    # Delivery is driven by the tests (deliver_due), not by on-commit hooks.
    settings.ALERTS_DELIVER_ON_COMMIT = False
    settings.SITE_URL = "https://safework.test"


@pytest.fixture
def clock(monkeypatch):
    """A settable "today" (STYLE.md 6: core.clock.today reads timezone.localdate)."""

    class Clock:
        day = DAY0

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: Clock.day)
    return Clock


@pytest.fixture
def plant(db, django_user_model):
    owner = OrganizationFactory(
        kind=OrganizationKind.OWNER, name="东方石化", contact_phone="13800000001"
    )
    contractor = OrganizationFactory(
        kind=OrganizationKind.CONTRACTOR, name="江苏安装", contact_phone="13800000002",
        contact_email="contact@jiangsu.test",
    )  # fmt: skip
    site = SiteFactory(owner=owner, name="炼油厂")
    other_site = SiteFactory(owner=owner, name="化工厂")

    class Plant:
        pass

    p = Plant()
    p.owner, p.contractor, p.site, p.other_site = owner, contractor, site, other_site
    p.manager = make_user(django_user_model, "anquan", Role.SAFETY_MANAGER, owner)
    p.manager.email = "manager@plant.test"
    p.manager.save()
    p.area_head = make_user(django_user_model, "quyu", Role.AREA_HEAD, owner, sites=[site])
    p.area_head.email = "head@plant.test"
    p.area_head.save()
    p.other_head = make_user(django_user_model, "quyu2", Role.AREA_HEAD, owner, sites=[other_site])
    p.contractor_admin = make_user(django_user_model, "chengbao", Role.CONTRACTOR_ADMIN, contractor)
    p.contractor_admin.email = "admin@jiangsu.test"
    p.contractor_admin.save()
    p.system = Actor.system("test")
    return p


def worker(plant, *, org=None, name="李四", phone="13912345678"):
    return PersonFactory(
        organization=org or plant.contractor, name=name, phone=phone, sites=[plant.site]
    )


def certificate(person, *, valid_until, next_review_due=None, **extra):
    from datetime import timedelta

    return CertificateFactory(
        person=person,
        valid_from=valid_until - timedelta(days=6 * 365),
        first_issued_on=valid_until - timedelta(days=6 * 365),
        valid_until=valid_until,
        next_review_due=next_review_due,
        **extra,
    )


@pytest.fixture
def server():
    srv = ProviderServer()
    yield srv
    srv.stop()


@pytest.fixture
def sms_channel(plant, server):
    return services.channel_save(
        actor=plant.system, channel=Channel.SMS_ALIYUN, organization=plant.owner,
        values={"access_key_id": "testId", "access_key_secret": "testSecret",
                "sign_name": "东方石化", "template_code": "SMS_1", "endpoint": server.url("/aliyun")},
    )  # fmt: skip
