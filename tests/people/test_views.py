"""People pages through the test client: list and filters, person page, forms, state
actions, the audited ID reveal, and scoping (outsiders get 404, viewers 403)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from safework.audit.models import AuditEntry
from safework.certificates.choices import ManualState
from safework.core.choices import Role
from safework.people.choices import EmploymentState
from safework.people.models import Person
from tests.conftest import make_user
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db


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


def person_post(org, **overrides):
    data = {
        "name": "王建国",
        "id_number": make_id_number(901),
        "phone": "13800138000",
        "organization": org.pk,
        "special_operations": ["MEM-2.1", "SAMR-N1"],
        "job_title": "焊工",
        "note": "",
    }
    return data | overrides


# ----- list -------------------------------------------------------------------------


def test_list_shows_people_with_qualification(manager_client, org_a):
    CertificateFactory(
        person=PersonFactory(name="张焊工", organization=org_a, special_operations=["MEM-2.1"])
    )
    PersonFactory(name="李无证", organization=org_a, special_operations=["MEM-2.1"])
    response = manager_client.get(reverse("people:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "张焊工" in html and "李无证" in html
    assert "甲建设公司" in html


def test_list_filters_by_organization_site_item_and_status(manager_client, org_a, org_b):
    site = SiteFactory()
    welder = PersonFactory(
        name="张焊工", organization=org_a, special_operations=["MEM-2.1"], sites=[site]
    )
    CertificateFactory(person=welder)
    PersonFactory(name="李无证", organization=org_a, special_operations=["MEM-2.1"])
    PersonFactory(name="赵叉车", organization=org_b, special_operations=["SAMR-N1"])
    url = reverse("people:list")

    def names(**query):
        html = manager_client.get(url, query).content.decode()
        return {n for n in ("张焊工", "李无证", "赵叉车") if n in html}

    assert names(organization=org_b.pk) == {"赵叉车"}
    assert names(site=site.pk) == {"张焊工"}
    assert names(operation="SAMR-N1") == {"赵叉车"}
    assert names(status="unqualified") == {"李无证", "赵叉车"}
    assert names(status="valid") == {"张焊工"}


def test_list_search_by_name_full_id_and_phone(manager_client, org_a):
    PersonFactory(
        name="张焊工", id_number=make_id_number(77), phone="13912345678", organization=org_a
    )
    PersonFactory(name="李四", organization=org_a)
    url = reverse("people:list")
    for q in ("张焊", make_id_number(77), "13912345678"):
        html = manager_client.get(url, {"q": q}).content.decode()
        assert "张焊工" in html and "李四" not in html, q


def test_list_htmx_returns_only_the_results(manager_client, org_a):
    PersonFactory(name="张焊工", organization=org_a)
    response = manager_client.get(reverse("people:list"), {"q": "张"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "张焊工" in html
    assert "<html" not in html


def test_list_history_restore_gets_the_whole_page(manager_client, org_a):
    response = manager_client.get(
        reverse("people:list"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_list_is_paginated_by_50(manager_client, org_a):
    PersonFactory.create_batch(51, organization=org_a)
    response = manager_client.get(reverse("people:list"))
    assert len(response.context["page_obj"]) == 50
    assert len(manager_client.get(reverse("people:list"), {"page": 2}).context["page_obj"]) == 1


def test_list_has_no_n_plus_one(manager_client, org_a, django_assert_max_num_queries):
    for _ in range(20):
        CertificateFactory(person=PersonFactory(organization=org_a, special_operations=["MEM-2.1"]))
    with django_assert_max_num_queries(20):
        manager_client.get(reverse("people:list"))


# ----- person page --------------------------------------------------------------------


def test_person_page_shows_details_certificates_and_qualification(manager_client, org_a):
    person = PersonFactory(
        name="张焊工",
        organization=org_a,
        id_number=make_id_number(55),
        special_operations=["MEM-2.1", "SAMR-N1"],
    )
    CertificateFactory(person=person, number="CERT-0001")
    response = manager_client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert person.id_number_masked in html
    assert make_id_number(55) not in html
    assert "CERT-0001" in html
    assert 'data-item="MEM-2.1" data-qualified="yes"' in html
    assert 'data-item="SAMR-N1" data-qualified="no"' in html
    assert 'data-reason="no_certificate"' in html
    assert "1985-06-15" in html


def test_person_page_shows_renewing_reason_in_chinese(manager_client, org_a):
    person = PersonFactory(organization=org_a, special_operations=["MEM-2.1"])
    CertificateFactory(person=person, manual_state=ManualState.RENEWING)
    html = manager_client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert 'data-reason="certificate_renewing"' in html
    assert 'data-status="renewing"' in html


def test_person_page_warns_at_retirement_age(manager_client, org_a):
    old = PersonFactory(
        organization=org_a,
        birth_date=date(1950, 1, 1),
        id_number=make_id_number(5, birth=date(1950, 1, 1)),
    )
    young = PersonFactory(organization=org_a)
    assert (
        'id="retirement-warning"'
        in manager_client.get(reverse("people:detail", args=[old.pk])).content.decode()
    )
    assert (
        'id="retirement-warning"'
        not in manager_client.get(reverse("people:detail", args=[young.pk])).content.decode()
    )


def test_manager_reveals_full_id_and_it_is_audited(manager_client, org_a):
    person = PersonFactory(organization=org_a, id_number=make_id_number(31))
    detail = manager_client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert 'id="reveal-id"' in detail
    response = manager_client.post(
        reverse("people:reveal_id", args=[person.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert make_id_number(31) in response.content.decode()
    assert AuditEntry.objects.filter(action="view_id_number", object_id=str(person.pk)).exists()


def test_contractor_admin_cannot_reveal_full_id(contractor_client, org_a):
    person = PersonFactory(organization=org_a)
    detail = contractor_client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert 'id="reveal-id"' not in detail
    response = contractor_client.post(reverse("people:reveal_id", args=[person.pk]))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="view_id_number").exists()


# ----- create and edit ----------------------------------------------------------------


def test_create_person(manager_client, org_a):
    site = SiteFactory()
    response = manager_client.post(reverse("people:create"), person_post(org_a, sites=[site.pk]))
    person = Person.objects.get(name="王建国")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.organization == org_a
    assert person.full_id_number() == make_id_number(901)
    assert sorted(t.code for t in person.special_operations.all()) == ["MEM-2.1", "SAMR-N1"]
    assert list(person.sites.all()) == [site]


def test_create_form_renders_grouped_operations(manager_client):
    html = manager_client.get(reverse("people:create")).content.decode()
    assert 'name="special_operations" value="MEM-2.1"' in html
    assert 'name="id_number"' in html and 'type="submit"' in html
    assert "焊接与热切割作业" in html


def test_bad_id_checksum_shows_chinese_error_and_keeps_values(manager_client, org_a):
    good = make_id_number(902)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = manager_client.post(reverse("people:create"), person_post(org_a, id_number=bad))
    assert response.status_code == 200
    html = response.content.decode()
    assert "校验" in html
    assert 'id="id_id_number_error"' in html
    assert 'value="王建国"' in html and 'value="13800138000"' in html
    assert re.search(r'value="MEM-2.1"[^>]*checked', html)
    assert not re.search(r'value="MEM-1.1"[^>]*checked', html)
    assert not Person.objects.filter(name="王建国").exists()


def test_fifteen_digit_id_asks_for_eighteen(manager_client, org_a):
    response = manager_client.post(
        reverse("people:create"), person_post(org_a, id_number="110101850615123")
    )
    assert "18" in response.content.decode()
    assert response.context["form"].errors["id_number"]


def test_duplicate_id_number_is_shown_on_the_field(manager_client, org_a):
    PersonFactory(id_number=make_id_number(903))
    response = manager_client.post(
        reverse("people:create"), person_post(org_a, id_number=make_id_number(903))
    )
    assert response.context["form"].errors["id_number"]


def test_edit_person_keeps_id_when_left_empty(manager_client, org_a, org_b):
    person = PersonFactory(organization=org_a, id_number=make_id_number(40))
    url = reverse("people:edit", args=[person.pk])
    form_html = manager_client.get(url).content.decode()
    assert make_id_number(40) not in form_html  # the edit form never shows the full number
    response = manager_client.post(url, person_post(org_b, name="新名字", id_number=""))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "新名字" and person.organization == org_b
    assert person.full_id_number() == make_id_number(40)


# ----- employment state ----------------------------------------------------------------


def test_deactivate_blacklist_and_reactivate(manager_client, org_a):
    person = PersonFactory(organization=org_a)
    url = reverse("people:state", args=[person.pk])
    manager_client.post(url, {"state": EmploymentState.LEFT})
    person.refresh_from_db()
    assert person.employment_state == EmploymentState.LEFT
    response = manager_client.post(url, {"state": EmploymentState.BLACKLISTED, "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    manager_client.post(url, {"state": EmploymentState.BLACKLISTED, "reason": "违章动火"})
    person.refresh_from_db()
    assert person.employment_state == EmploymentState.BLACKLISTED
    manager_client.post(url, {"state": EmploymentState.ACTIVE})
    person.refresh_from_db()
    assert person.employment_state == EmploymentState.ACTIVE


# ----- roles and scoping ---------------------------------------------------------------


def test_contractor_admin_gets_404_for_another_orgs_person(contractor_client, org_b):
    other = PersonFactory(organization=org_b)
    for name in ("people:detail", "people:edit", "people:state"):
        assert contractor_client.get(reverse(name, args=[other.pk])).status_code == 404
    response = contractor_client.post(
        reverse("people:edit", args=[other.pk]), person_post(org_b, id_number="")
    )
    assert response.status_code == 404


def test_contractor_admin_sees_only_own_people(contractor_client, org_a, org_b):
    PersonFactory(name="本单位工人", organization=org_a)
    PersonFactory(name="外单位工人", organization=org_b)
    html = contractor_client.get(reverse("people:list")).content.decode()
    assert "本单位工人" in html and "外单位工人" not in html
    html = contractor_client.get(reverse("people:list"), {"organization": org_b.pk}).content
    assert "外单位工人" not in html.decode()


def test_contractor_admin_cannot_register_for_another_org(contractor_client, org_a, org_b):
    response = contractor_client.post(reverse("people:create"), person_post(org_b))
    assert response.status_code == 200
    assert response.context["form"].errors["organization"]
    assert not Person.objects.exists()


def test_contractor_admin_registers_own_worker(contractor_client, org_a):
    response = contractor_client.post(reverse("people:create"), person_post(org_a))
    assert response.status_code == 302
    assert Person.objects.get().organization == org_a


def test_viewer_cannot_change_anything(viewer_client, org_a):
    person = PersonFactory(organization=org_a)
    html = viewer_client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert 'id="add-certificate"' not in html and 'id="person-actions"' not in html
    assert viewer_client.get(reverse("people:create")).status_code == 403
    assert viewer_client.post(reverse("people:create"), person_post(org_a)).status_code == 403
    response = viewer_client.post(
        reverse("people:state", args=[person.pk]), {"state": EmploymentState.LEFT}
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.employment_state == EmploymentState.ACTIVE
    assert Person.objects.count() == 1


def test_area_head_sees_only_people_of_their_sites(client, django_user_model, org_a):
    mine, other = SiteFactory(), SiteFactory()
    user = make_user(django_user_model, "head", Role.AREA_HEAD, sites=[mine])
    client.force_login(user)
    inside = PersonFactory(name="本厂区", organization=org_a, sites=[mine])
    outside = PersonFactory(name="外厂区", organization=org_a, sites=[other])
    html = client.get(reverse("people:list")).content.decode()
    assert "本厂区" in html and "外厂区" not in html
    assert client.get(reverse("people:detail", args=[inside.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[outside.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("people:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_expired_certificate_makes_person_unqualified(manager_client, org_a):
    person = PersonFactory(organization=org_a, special_operations=["MEM-2.1"])
    CertificateFactory(
        person=person,
        valid_from=date.today() - timedelta(days=3000),
        first_issued_on=date.today() - timedelta(days=3000),
        valid_until=date.today() - timedelta(days=1),
        next_review_due=None,
    )
    html = manager_client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert 'data-reason="certificate_expired"' in html
