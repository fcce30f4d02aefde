"""List exports (issue 3): the people and certificate lists with the page's filters, as
.xlsx with Chinese headers and masked ID numbers; full ID numbers only for safety
managers and only when asked; every export recorded; a contractor admin exports only
what they see."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from safework.audit.models import AuditEntry
from safework.certificates.choices import ManualState
from safework.core.choices import Role
from tests.conftest import make_user
from tests.factories import CertificateFactory, OrganizationFactory, PersonFactory, make_id_number

pytestmark = pytest.mark.django_db
TODAY = date.today()


def sheet(resp):
    assert resp.status_code == 200, resp.status_code
    assert resp["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def data():
    org_a = OrganizationFactory(name="甲建设公司")
    org_b = OrganizationFactory(name="乙安装公司")
    welder = PersonFactory(
        name="张焊工",
        organization=org_a,
        id_number=make_id_number(901),
        special_operations=["MEM-2.1"],
    )
    other = PersonFactory(name="李电工", organization=org_b, id_number=make_id_number(902))
    renewing = CertificateFactory(
        person=welder, number=f"T{make_id_number(901)}", manual_state=ManualState.RENEWING
    )
    expiring = CertificateFactory(
        person=other, number="SH-2020-01", valid_until=TODAY + timedelta(days=10)
    )
    CertificateFactory(person=other, number="SH-2020-02")  # valid, far from expiry
    return {"org_a": org_a, "org_b": org_b, "renewing": renewing, "expiring": expiring}


def test_certificates_export_has_chinese_headers_masked_ids_and_the_filters(
    client, manager_user, data
):
    client.force_login(manager_user)
    rows = sheet(client.get(reverse("certificates:export_certificates") + "?status=renewing"))
    assert rows[0][:7] == [
        "姓名",
        "身份证号",
        "单位",
        "作业类别",
        "准操项目",
        "项目代码",
        "证书编号",
    ]
    assert len(rows) == 2
    name, id_masked, org, _cat, item, code, number, *_rest, status = rows[1]
    assert (name, org, item, code, status) == (
        "张焊工",
        "甲建设公司",
        "熔化焊接与热切割作业",
        "MEM-2.1",
        "换证中",
    )
    full = make_id_number(901)
    assert id_masked == full[:6] + "********" + full[-4:]
    assert number == "T" + id_masked
    within = sheet(client.get(reverse("certificates:export_certificates") + "?within_days=30"))
    assert [r[6] for r in within[1:]] == ["SH-2020-01"]


def test_every_export_is_recorded(client, manager_user, data):
    client.force_login(manager_user)
    sheet(client.get(reverse("certificates:export_people") + "?q=张"))
    entry = AuditEntry.objects.get(action="export", object_type="people.person")
    assert entry.changes["rows"] == 1 and entry.changes["filters"]["q"] == "张"
    assert entry.changes["full_id_numbers"] is False


def test_full_id_numbers_only_for_safety_managers_and_recorded(
    client, manager_user, django_user_model, data
):
    client.force_login(manager_user)
    rows = sheet(
        client.get(reverse("certificates:export_certificates") + "?status=renewing&full_id=1")
    )
    assert rows[1][1] == make_id_number(901)
    assert rows[1][6] == "T" + make_id_number(901)
    entry = AuditEntry.objects.get(action="export", object_type="certificates.certificate")
    assert entry.changes["full_id_numbers"] is True
    client.force_login(make_user(django_user_model, "viewer", Role.VIEWER))
    resp = client.get(reverse("certificates:export_people") + "?full_id=1")
    assert resp.status_code == 403


def test_people_export_with_filters(client, manager_user, data):
    client.force_login(manager_user)
    rows = sheet(
        client.get(reverse("certificates:export_people") + f"?organization={data['org_a'].pk}")
    )
    assert rows[0][:4] == ["姓名", "性别", "身份证号", "出生日期"]
    assert [r[0] for r in rows[1:]] == ["张焊工"]
    assert rows[1][7] == "熔化焊接与热切割作业(MEM-2.1)"
    assert "*" in rows[1][2]


def test_a_contractor_admin_exports_only_what_they_see(client, django_user_model, data):
    user = make_user(
        django_user_model, "admin-a", Role.CONTRACTOR_ADMIN, organization=data["org_a"]
    )
    client.force_login(user)
    people = sheet(client.get(reverse("certificates:export_people")))
    assert [r[0] for r in people[1:]] == ["张焊工"]
    certs = sheet(client.get(reverse("certificates:export_certificates")))
    assert [r[0] for r in certs[1:]] == ["张焊工"]
    # Asking for another organization's people gives nothing of theirs.
    other = sheet(
        client.get(reverse("certificates:export_people") + f"?organization={data['org_b'].pk}")
    )
    assert all("李电工" not in r for r in other)
    assert client.get(reverse("certificates:export_people") + "?full_id=1").status_code == 403


def test_the_list_pages_offer_the_export_with_their_filters(client, manager_user, data):
    client.force_login(manager_user)
    page = client.get(reverse("certificates:list") + "?status=expiring").content.decode()
    assert reverse("certificates:export_certificates") + "?status=expiring" in page
    assert "导出 Excel" in page
    page = client.get(reverse("people:list") + "?q=张").content.decode()
    assert reverse("certificates:export_people") + "?q=%E5%BC%A0" in page


def test_anonymous_is_sent_to_login(client, data):
    resp = client.get(reverse("certificates:export_people"))
    assert resp.status_code == 302 and "login" in resp.url
