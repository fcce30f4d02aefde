"""Gate events: the list with filters, scoped like the people; the people-on-site count
from entries and exits; and the gate access pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safework.access.models import AreaAuthorization, AreaPolicy, Gate, GateEvent, PushEndpoint
from safework.access.selectors import people_on_site, people_on_site_count
from safework.access.services import gate_check
from safework.core.actors import Actor
from safework.core.choices import Role
from tests.conftest import make_user
from tests.factories import PersonFactory, SiteFactory, WorkAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate_actor():
    return Actor.system("gate test")


@pytest.fixture
def exit_gate(area):
    return Gate.objects.create(code="n-out", name="北门出口", area=area, direction="out")


def login(django_user_model, username, role, org=None, sites=()):
    client = Client()
    client.force_login(make_user(django_user_model, username, role, org, sites))
    return client


def test_entries_and_exits_give_the_people_on_site(
    gate_actor, manager, welder, gate, exit_gate, authorized, contractor
):
    other = PersonFactory(organization=contractor)  # no special operations: certifies nothing
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="n-1")
    gate_check(actor=gate_actor, credential=str(other.pk), gate_code="n-1")
    assert people_on_site_count(actor=manager) == 2
    gate_check(actor=gate_actor, credential=str(other.pk), gate_code="n-out")
    assert [e.person_id for e in people_on_site(actor=manager)] == [welder.pk]
    assert people_on_site_count(actor=manager, site_id=gate.area.site_id) == 1
    assert people_on_site_count(actor=manager, site_id=SiteFactory().pk) == 0


def test_a_denied_entry_does_not_put_anyone_on_site(gate_actor, manager, welder, gate):
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="n-1")  # not authorised
    assert GateEvent.objects.get().decision == "deny"
    assert people_on_site_count(actor=manager) == 0


def test_presence_ends_after_the_configured_hours(
    gate_actor, manager, welder, gate, authorized, settings
):
    settings.GATE_PRESENCE_HOURS = 12
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="n-1")
    later = timezone.now() + timedelta(hours=13)
    assert people_on_site_count(actor=manager) == 1
    assert people_on_site_count(actor=manager, now=later) == 0


def test_presence_is_per_site(gate_actor, manager, welder, gate, authorized, contractor):
    east = WorkAreaFactory(site=SiteFactory(name="东厂区"))
    Gate.objects.create(code="e-1", name="东门", area=east, direction="both")
    AreaAuthorization.objects.create(area=east, organization=contractor)
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="n-1")
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="e-1")
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="e-1", direction="out")
    assert [e.site_id for e in people_on_site(actor=manager)] == [gate.area.site_id]


def test_events_page_filters(
    client, manager_user, gate_actor, welder, gate, authorized, contractor
):
    stranger = PersonFactory(name="王路人", organization=contractor, employment_state="left")
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="n-1")
    gate_check(actor=gate_actor, credential=str(stranger.pk), gate_code="n-1")
    client.force_login(manager_user)
    page = client.get("/access/events/").content.decode()
    assert "张焊工" in page and "王路人" in page and 'data-reason="person_inactive"' in page
    denied = client.get("/access/events/", {"decision": "deny"}).content.decode()
    assert "王路人" in denied and "张焊工" not in denied
    by_name = client.get("/access/events/", {"q": "焊工"}).content.decode()
    assert "张焊工" in by_name and "王路人" not in by_name
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "张焊工" in client.get("/access/events/", {"date_from": today}).content.decode()
    assert "张焊工" not in client.get("/access/events/", {"date_from": tomorrow}).content.decode()
    exits = client.get("/access/events/", {"direction": "out"}).content.decode()
    assert "张焊工" not in exits
    other_gate = Gate.objects.create(code="n-2", name="北门2号", area=gate.area)
    assert "张焊工" in client.get("/access/events/", {"gate": gate.pk}).content.decode()
    assert "张焊工" not in client.get("/access/events/", {"gate": other_gate.pk}).content.decode()


def test_a_contractor_admin_sees_only_their_own_peoples_events(
    django_user_model, gate_actor, welder, gate, authorized, rival
):
    stranger = PersonFactory(name="乙公司工人", organization=rival)
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="n-1")
    gate_check(actor=gate_actor, credential=str(stranger.pk), gate_code="n-1")
    gate_check(actor=gate_actor, credential="unknown-card", gate_code="n-1")
    admin = login(django_user_model, "rival-admin", Role.CONTRACTOR_ADMIN, rival)
    page = admin.get("/access/events/").content.decode()
    assert "乙公司工人" in page and "张焊工" not in page
    assert page.count("data-event=") == 1
    assert "张焊工" not in admin.get("/access/on-site/").content.decode()
    assert admin.get(f"/access/badges/{welder.pk}/card.pdf").status_code == 404


def test_an_area_head_sees_their_sites_events(
    django_user_model, gate_actor, welder, gate, authorized
):
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="n-1")
    own = login(django_user_model, "head", Role.AREA_HEAD, sites=[gate.area.site])
    other = login(django_user_model, "head2", Role.AREA_HEAD, sites=[SiteFactory()])
    assert "张焊工" in own.get("/access/events/").content.decode()
    assert "张焊工" not in other.get("/access/events/").content.decode()


def test_on_site_page(client, manager_user, gate_actor, welder, gate, authorized):
    gate_check(actor=gate_actor, credential=str(welder.pk), gate_code="n-1")
    client.force_login(manager_user)
    page = client.get("/access/on-site/").content.decode()
    assert 'id="on-site-total">1<' in page and f'data-person="{welder.pk}"' in page
    assert 'id="on-site-count">1<' in client.get("/access/").content.decode()


def test_gate_and_area_pages_for_a_safety_manager(client, manager_user, area, welder, contractor):
    client.force_login(manager_user)
    assert client.get("/access/").status_code == 200
    response = client.post(
        "/access/gates/new/",
        {"code": "s-2", "name": "南门", "area": area.pk, "direction": "in", "is_active": "on"},
    )
    assert response.status_code == 302
    gate = Gate.objects.get(code="s-2")
    assert (gate.area, gate.direction) == (area, "in")
    duplicate = client.post(
        "/access/gates/new/", {"code": "s-2", "name": "又一个", "area": area.pk, "direction": "in"}
    )
    assert duplicate.status_code == 200 and Gate.objects.count() == 1
    assert "is-invalid" in duplicate.content.decode()
    client.post(f"/access/areas/{area.pk}/rule/", {})
    assert AreaPolicy.objects.get(area=area).requires_qualification is False
    client.post(
        f"/access/areas/{area.pk}/", {"organization": contractor.pk, "valid_until": "2030-01-01"}
    )
    client.post(f"/access/areas/{area.pk}/", {"person": str(welder.pk)})
    assert AreaAuthorization.objects.filter(area=area).count() == 2
    page = client.get(f"/access/areas/{area.pk}/").content.decode()
    assert "甲承包商" in page and "张焊工" in page and "2030-01-01" in page
    bad = client.post(f"/access/areas/{area.pk}/", {"person": "no-such-person"})
    assert bad.status_code == 200 and AreaAuthorization.objects.filter(area=area).count() == 2
    both = client.post(f"/access/areas/{area.pk}/", {})
    assert both.status_code == 200 and AreaAuthorization.objects.filter(area=area).count() == 2
    auth = AreaAuthorization.objects.filter(area=area, person=welder).get()
    client.post(f"/access/authorizations/{auth.pk}/delete/")
    assert not AreaAuthorization.objects.filter(pk=auth.pk).exists()


def test_contractor_admins_cannot_manage_gates_or_authorise(
    django_user_model, area, contractor, welder
):
    admin = login(django_user_model, "ca", Role.CONTRACTOR_ADMIN, contractor)
    assert admin.get("/access/gates/new/").status_code == 403
    assert admin.post(f"/access/areas/{area.pk}/", {"person": str(welder.pk)}).status_code == 403
    assert admin.get("/access/endpoints/").status_code == 403
    assert not AreaAuthorization.objects.exists()


def test_an_area_head_authorises_only_at_their_sites(django_user_model, area, welder):
    own = login(django_user_model, "head", Role.AREA_HEAD, sites=[area.site])
    welder.sites.add(area.site)  # an area head sees the people of their sites
    assert own.post(f"/access/areas/{area.pk}/", {"person": str(welder.pk)}).status_code == 302
    elsewhere = WorkAreaFactory()
    assert own.post(f"/access/areas/{elsewhere.pk}/", {"person": str(welder.pk)}).status_code == 404


def test_the_person_page_has_a_badge_panel_with_reissue_and_revoke(client, manager_user, welder):
    client.force_login(manager_user)
    page = client.get(f"/people/{welder.pk}/").content.decode()
    assert 'id="badge"' in page and f"/api/v1/persons/{welder.pk}/badge.svg" in page
    assert client.get(f"/api/v1/persons/{welder.pk}/badge.svg").status_code == 200
    client.post(f"/access/badges/{welder.pk}/reissue/")
    assert welder.badge.__class__.objects.get(person=welder).version == 2
    client.post(f"/access/badges/{welder.pk}/revoke/", {"reason": "丢失"})
    assert 'id="badge-revoked"' in client.get(f"/people/{welder.pk}/").content.decode()


def test_push_endpoint_page_shows_the_secret_once(client, manager_user):
    client.force_login(manager_user)
    response = client.post(
        "/access/endpoints/", {"name": "东门门禁", "url": "http://127.0.0.1:9/push"}
    )
    endpoint = PushEndpoint.objects.get()
    assert 'id="endpoint-secret"' in response.content.decode()
    assert "东门门禁" in client.get("/access/endpoints/").content.decode()
    client.post(f"/access/endpoints/{endpoint.pk}/active/", {"active": "0"})
    endpoint.refresh_from_db()
    assert endpoint.is_active is False


def test_navbar_links_gate_access(client, manager_user):
    client.force_login(manager_user)
    assert 'href="/access/"' in client.get("/").content.decode()
