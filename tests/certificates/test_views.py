"""Certificate pages through the test client: list and filters, add from the person
page, edit, renew / suspend / revoke / reinstate, review (复审), replacement and history,
the catalogue, and scoping (outsiders get 404, viewers 403)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from safework.certificates.choices import ManualState, RevocationKind
from safework.certificates.models import Certificate, CertificateType
from safework.certificates.numbers import full_number
from safework.core.choices import Role
from tests.conftest import make_user
from tests.factories import CertificateFactory, OrganizationFactory, PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def org_a():
    return OrganizationFactory(name="甲建设公司")


@pytest.fixture
def org_b():
    return OrganizationFactory(name="乙安装公司")


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def viewer_client(client, django_user_model):
    client.force_login(make_user(django_user_model, "viewer", Role.VIEWER))
    return client


@pytest.fixture
def contractor_client(client, django_user_model, org_a):
    user = make_user(django_user_model, "contractor-a", Role.CONTRACTOR_ADMIN, organization=org_a)
    client.force_login(user)
    return client


@pytest.fixture
def welder(org_a):
    return PersonFactory(
        name="张焊工",
        organization=org_a,
        id_number=make_id_number(11),
        special_operations=["MEM-2.1"],
    )


@pytest.fixture
def cert(welder):
    return CertificateFactory(person=welder, number="OLD-0001")


def cert_post(**overrides):
    data = {
        "type": "MEM-2.1",
        "number": make_id_number(11),
        "issued_by": "上海市应急管理局",
        "first_issued_on": (TODAY - timedelta(days=100)).isoformat(),
        "valid_from": (TODAY - timedelta(days=100)).isoformat(),
        "valid_until": (TODAY - timedelta(days=100) + timedelta(days=6 * 365)).isoformat(),
        "next_review_due": "",
        "scope_note": "",
    }
    return data | overrides


def expired(person, **kw):
    start = TODAY - timedelta(days=2500)
    return CertificateFactory(
        person=person,
        first_issued_on=start,
        valid_from=start,
        valid_until=TODAY - timedelta(days=3),
        next_review_due=None,
        **kw,
    )


# ----- list ------------------------------------------------------------------------------


def test_list_shows_status_badges(manager_client, cert):
    html = manager_client.get(reverse("certificates:list")).content.decode()
    assert "OLD-0001" in html and 'data-status="valid"' in html


def test_list_filters(manager_client, welder, org_b):
    CertificateFactory(person=welder, number="VALID-1")
    expired(welder, number="EXPIRED-1")
    forklift = CertificateType.objects.get(code="SAMR-N1")
    CertificateFactory(
        person=PersonFactory(organization=org_b),
        type=forklift,
        number="OTHER-1",
        valid_until=TODAY + timedelta(days=10),
        next_review_due=None,
    )
    url = reverse("certificates:list")

    def numbers(**query):
        html = manager_client.get(url, query).content.decode()
        return {n for n in ("VALID-1", "EXPIRED-1", "OTHER-1") if n in html}

    assert numbers(status="expired") == {"EXPIRED-1"}
    assert numbers(organization=org_b.pk) == {"OTHER-1"}
    assert numbers(type="MEM-2.1") == {"VALID-1", "EXPIRED-1"}
    assert numbers(within_days=30) == {"OTHER-1"}
    assert numbers(status="bogus") == {"VALID-1", "EXPIRED-1", "OTHER-1"}


def test_list_htmx_partial(manager_client, cert):
    response = manager_client.get(reverse("certificates:list"), HTTP_HX_REQUEST="true")
    assert "OLD-0001" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_contractor_admin_sees_only_own_certificates(contractor_client, cert, org_b):
    CertificateFactory(person=PersonFactory(organization=org_b), number="FOREIGN-1")
    html = contractor_client.get(reverse("certificates:list")).content.decode()
    assert "OLD-0001" in html and "FOREIGN-1" not in html


# ----- add and edit ------------------------------------------------------------------------


def test_add_certificate_from_person_page(manager_client, welder):
    person_page = manager_client.get(reverse("people:detail", args=[welder.pk])).content.decode()
    url = reverse("certificates:create", args=[welder.pk])
    assert url in person_page
    form_html = manager_client.get(url, {"type": "MEM-2.1"}).content.decode()
    assert 'name="number"' in form_html and 'type="date"' in form_html
    response = manager_client.post(url, cert_post())
    assert response.status_code == 302
    cert = Certificate.objects.get(person=welder)
    assert full_number(cert) == make_id_number(11)
    # 第二十一条: review every 3 years, computed when left empty.
    assert cert.next_review_due == date(
        cert.valid_from.year + 3, cert.valid_from.month, cert.valid_from.day
    )
    html = manager_client.get(reverse("people:detail", args=[welder.pk])).content.decode()
    assert 'data-item="MEM-2.1" data-qualified="yes"' in html


def test_add_certificate_errors_are_shown_on_fields(manager_client, welder):
    url = reverse("certificates:create", args=[welder.pk])
    bad = cert_post(
        number=make_id_number(12), valid_until=(TODAY - timedelta(days=200)).isoformat()
    )
    response = manager_client.post(url, bad)
    errors = response.context["form"].errors
    assert "valid_until" in errors
    assert not Certificate.objects.exists()
    response = manager_client.post(url, cert_post(number=make_id_number(12)))
    assert "number" in response.context["form"].errors  # an ID number, but not this person's
    response = manager_client.post(url, cert_post(type=""))
    assert "type" in response.context["form"].errors


def test_edit_certificate(manager_client, cert):
    url = reverse("certificates:edit", args=[cert.pk])
    assert 'value="OLD-0001"' in manager_client.get(url).content.decode()
    data = cert_post(number="NEW-NUMBER", next_review_due=cert.next_review_due.isoformat())
    assert manager_client.post(url, data).status_code == 302
    cert.refresh_from_db()
    assert cert.number == "NEW-NUMBER" and cert.issued_by == "上海市应急管理局"


def test_id_like_certificate_number_is_masked_and_never_prefilled(manager_client, welder):
    cert = CertificateFactory(person=welder, number="T" + make_id_number(11))
    masked = "T" + welder.id_number_masked
    for url in (
        reverse("people:detail", args=[welder.pk]),
        reverse("certificates:detail", args=[cert.pk]),
        reverse("certificates:list"),
        reverse("certificates:edit", args=[cert.pk]),
        reverse("certificates:replace", args=[cert.pk]),
    ):
        html = manager_client.get(url).content.decode()
        assert make_id_number(11) not in html, url
    assert (
        masked
        in manager_client.get(reverse("certificates:detail", args=[cert.pk])).content.decode()
    )
    # Left empty on the edit form, the number is kept.
    data = cert_post(number="", next_review_due=cert.next_review_due.isoformat())
    assert (
        manager_client.post(reverse("certificates:edit", args=[cert.pk]), data).status_code == 302
    )
    cert.refresh_from_db()
    assert full_number(cert) == "T" + make_id_number(11)
    assert cert.issued_by == "上海市应急管理局"


# ----- actions -------------------------------------------------------------------------------


def test_renew_then_reinstate(manager_client, cert):
    response = manager_client.post(reverse("certificates:renew", args=[cert.pk]))
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.RENEWING
    html = manager_client.get(reverse("certificates:detail", args=[cert.pk])).content.decode()
    assert 'data-status="renewing"' in html
    manager_client.post(reverse("certificates:reinstate", args=[cert.pk]), {"next": "person"})
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.NONE


def test_suspend_needs_a_reason(manager_client, cert):
    url = reverse("certificates:suspend", args=[cert.pk])
    response = manager_client.post(url, {"reason": ""})
    assert response.context["form"].errors["reason"]
    assert manager_client.post(url, {"reason": "违章作业"}).status_code == 302
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.SUSPENDED and cert.manual_reason == "违章作业"


def test_revoke_with_kind(manager_client, cert):
    url = reverse("certificates:revoke", args=[cert.pk])
    data = {"reason": "证书注销", "kind": RevocationKind.CANCELLED}
    assert manager_client.post(url, data).status_code == 302
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.REVOKED
    assert cert.revocation_kind == RevocationKind.CANCELLED
    response = manager_client.post(reverse("certificates:reinstate", args=[cert.pk]), follow=True)
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.REVOKED
    assert list(response.context["messages"])  # the service's refusal is shown


def test_record_review_moves_due_date(manager_client, cert):
    old_due = cert.next_review_due
    url = reverse("certificates:review", args=[cert.pk])
    data = {"reviewed_on": TODAY.isoformat(), "authority": "北京市应急管理局", "next_due": ""}
    assert manager_client.post(url, data).status_code == 302
    cert.refresh_from_db()
    assert cert.next_review_due != old_due
    html = manager_client.get(reverse("certificates:detail", args=[cert.pk])).content.decode()
    assert "北京市应急管理局" in html


def test_review_in_the_future_is_refused_on_the_field(manager_client, cert):
    url = reverse("certificates:review", args=[cert.pk])
    response = manager_client.post(url, {"reviewed_on": (TODAY + timedelta(days=5)).isoformat()})
    assert response.context["form"].errors["reviewed_on"]


def test_replace_keeps_old_certificate_in_history(manager_client, welder):
    old = expired(welder, number="OLD-EXPIRED")
    url = reverse("certificates:replace", args=[old.pk])
    start = TODAY - timedelta(days=10)
    data = {
        "number": "RENEWED-1",
        "issued_by": "北京市应急管理局",
        "first_issued_on": old.first_issued_on.isoformat(),
        "valid_from": start.isoformat(),
        "valid_until": (start + timedelta(days=6 * 365)).isoformat(),
    }
    assert manager_client.post(url, data).status_code == 302
    new = Certificate.objects.get(number="RENEWED-1")
    assert new.replaces == old
    assert new.number == "RENEWED-1"
    old.refresh_from_db()
    assert old.superseded
    detail = manager_client.get(reverse("certificates:detail", args=[new.pk])).content.decode()
    assert "OLD-EXPIRED" in detail
    person = manager_client.get(reverse("people:detail", args=[welder.pk])).content.decode()
    assert 'id="certificate-history"' in person and 'data-status="superseded"' in person
    assert 'data-item="MEM-2.1" data-qualified="yes"' in person


def test_replace_keeps_the_id_number_when_left_empty(manager_client, welder):
    old = expired(welder, number=make_id_number(11))
    start = TODAY - timedelta(days=10)
    data = {
        "number": "",
        "issued_by": "北京市应急管理局",
        "first_issued_on": old.first_issued_on.isoformat(),
        "valid_from": start.isoformat(),
        "valid_until": (start + timedelta(days=6 * 365)).isoformat(),
    }
    response = manager_client.post(reverse("certificates:replace", args=[old.pk]), data)
    assert response.status_code == 302
    assert full_number(Certificate.objects.get(replaces=old)) == make_id_number(11)


def test_catalogue_lists_every_type(manager_client):
    html = manager_client.get(reverse("certificates:catalogue")).content.decode()
    for ctype in CertificateType.objects.all():
        assert f'data-code="{ctype.code}"' in html
    assert "焊接与热切割作业" in html and "起重机作业" in html
    unconfirmed = CertificateType.objects.filter(code_unconfirmed=True).count()
    assert html.count("text-bg-warning fw-normal") == unconfirmed


# ----- roles and scoping ------------------------------------------------------------------------


def test_contractor_admin_gets_404_on_another_orgs_certificate(contractor_client, org_b):
    foreign = CertificateFactory(person=PersonFactory(organization=org_b))
    for name in ("detail", "edit", "suspend", "revoke", "review", "replace"):
        url = reverse(f"certificates:{name}", args=[foreign.pk])
        assert contractor_client.get(url).status_code == 404, name
    assert (
        contractor_client.post(reverse("certificates:renew", args=[foreign.pk])).status_code == 404
    )
    create = reverse("certificates:create", args=[foreign.person_id])
    assert contractor_client.post(create, cert_post()).status_code == 404
    foreign.refresh_from_db()
    assert foreign.manual_state == ManualState.NONE


def test_viewer_cannot_change_certificates(viewer_client, cert):
    html = viewer_client.get(reverse("certificates:detail", args=[cert.pk])).content.decode()
    assert 'id="certificate-actions"' not in html
    assert viewer_client.post(reverse("certificates:renew", args=[cert.pk])).status_code == 403
    assert viewer_client.get(reverse("certificates:edit", args=[cert.pk])).status_code == 403
    response = viewer_client.post(
        reverse("certificates:create", args=[cert.person_id]), cert_post(number="X-1")
    )
    assert response.status_code == 403
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.NONE
    assert Certificate.objects.count() == 1
