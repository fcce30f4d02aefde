"""The three ways in (issue 3): the page (upload, preview, commit, error report), the API
``POST /api/v1/imports/ledger`` and ``safework import-ledger``; and scoping: a contractor
admin imports only into their own organization(s) and sees only their own imports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safework import cli
from safework.certificates.ledger.services import ledger_import_file
from safework.certificates.models import Certificate, LedgerImport
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.people.models import Person
from tests.api.conftest import new_token
from tests.certificates.ledger.conftest import id_no, ledger, row
from tests.conftest import make_user
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/imports/ledger"


def upload(data, name="台账.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def api_post(token, data, **form):
    client = Client()
    body = {"file": upload(data), **form}
    return client.post(API, body, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def contractor_admin(org_a, django_user_model):
    return make_user(django_user_model, "admin-a", Role.CONTRACTOR_ADMIN, organization=org_a)


# -- API ----------------------------------------------------------------------------------


def test_api_dry_run_then_commit_then_reimport(today, org_a):
    token = new_token("write")
    data = ledger(row(1), row(2))
    dry = api_post(token, data, dry_run="true")
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert body["dry_run"] is True and body["committed"] is False
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert body["people_created"] == 2 and body["certificates_created"] == 2
    assert body["errors"] == [] and body["unmapped_columns"] == [
        {"sheet": "特种作业人员", "column": "序号"}
    ]
    assert Person.objects.count() == 0
    done = api_post(token, data, dry_run="false")
    assert done.status_code == 201 and done.json()["committed"] is True
    assert Certificate.objects.count() == 2
    again = api_post(token, data)
    assert again.status_code == 201 and again.json()["unchanged"] == 2
    assert Certificate.objects.count() == 2


def test_api_errors_name_sheet_row_and_column_and_nothing_is_written(today, org_a):
    resp = api_post(new_token("write"), ledger(row(1), row(2, 准操项目="火箭驾驶")))
    assert resp.status_code == 422
    body = resp.json()
    assert body["state"] == "refused" and "未导入" in body["message"]
    [error] = body["errors"]
    assert error["sheet"] == "特种作业人员" and error["row"] == 5
    assert error["column"] == "准操项目" and "未知的准操项目" in error["message"]
    assert body["error_report_url"].endswith("/errors.xlsx")
    assert Person.objects.count() == 0


def test_api_refuses_a_file_that_is_not_a_ledger(today, org_a):
    resp = api_post(new_token("write"), b"hello,world\n1,2\n")
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "file"


def test_api_needs_a_write_token(today, org_a):
    assert api_post(new_token("read"), ledger(row(1))).status_code == 403
    assert Client().post(API, {"file": upload(ledger(row(1)))}).status_code == 401


def test_api_contractor_token_imports_only_into_its_organization(today, org_a, org_b):
    token = new_token("write", organization=org_a)
    ok = api_post(token, ledger(row(1, org="")))
    assert ok.status_code == 201
    assert Person.objects.get().organization == org_a
    other = api_post(token, ledger(row(2, org="乙安装公司")))
    assert other.status_code == 422
    assert other.json()["errors"][0]["column"] == "所属单位"
    wrong_default = api_post(token, ledger(row(3, org="")), organization_id=str(org_b.pk))
    assert wrong_default.status_code == 422
    assert wrong_default.json()["errors"][0]["field"] == "organization_id"


def test_api_get_a_recorded_import_is_scoped(today, org_a, org_b):
    record = ledger_import_file(
        actor=Actor.system(), data=ledger(row(1)), file_name="a.xlsx", dry_run=True
    )
    manager_token = new_token("write")
    resp = Client().get(f"{API}/{record.pk}", headers={"Authorization": f"Bearer {manager_token}"})
    assert resp.status_code == 200 and resp.json()["people_created"] == 1
    rival = new_token("write", organization=org_b)
    resp = Client().get(f"{API}/{record.pk}", headers={"Authorization": f"Bearer {rival}"})
    assert resp.status_code == 404


def test_a_contractor_cannot_touch_a_person_of_another_organization(today, org_a, org_b):
    PersonFactory(name="工人1", id_number=id_no(1), organization=org_b)
    resp = api_post(new_token("write", organization=org_a), ledger(row(1)))
    assert resp.status_code == 422
    [error] = resp.json()["errors"]
    assert error["column"] == "身份证号码" and "无权查看" in error["message"]
    assert "乙安装公司" not in resp.content.decode()
    assert Person.objects.get().organization == org_b


# -- CLI ----------------------------------------------------------------------------------


@pytest.fixture
def keep_connection(monkeypatch):
    """The command line closes the database connections when done; the test's
    transaction must survive that."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)


def test_cli_dry_run_and_import(today, org_a, tmp_path, capsys, keep_connection):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger(row(1), row(2)))
    cli.main(["import-ledger", str(path), "--dry-run"])
    out = capsys.readouterr().out
    assert "新增人员 2" in out and "序号" in out
    assert Person.objects.count() == 0
    cli.main(["import-ledger", str(path)])
    assert Person.objects.count() == 2
    record = LedgerImport.objects.first()
    assert record.state == "committed" and record.actor == "import-ledger"


def test_cli_errors_exit_1_and_print_every_error(today, org_a, tmp_path, capsys, keep_connection):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(ledger(row(1, 有效期至="2030-02-30")))
    with pytest.raises(SystemExit) as exc:
        cli.main(["import-ledger", str(path)])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "特种作业人员 4 有效期至: 日期“2030-02-30”不存在。" in err
    assert Person.objects.count() == 0


def test_cli_default_organization(today, org_a, tmp_path, keep_connection):
    path = tmp_path / "a.csv"
    path.write_text("姓名,身份证号,手机\n张三," + id_no(5) + ",13900000000\n", encoding="gbk")
    cli.main(["import-ledger", str(path), "--organization", "甲建设公司"])
    assert Person.objects.get().organization == org_a


# -- pages --------------------------------------------------------------------------------


def test_page_upload_preview_commit_and_error_report(today, client, manager_user, org_a):
    client.force_login(manager_user)
    page = client.get(reverse("certificates:imports"))
    assert page.status_code == 200 and "导入台账" in page.content.decode()
    resp = client.post(reverse("certificates:imports"), {"file": upload(ledger(row(1)))})
    record = LedgerImport.objects.get()
    assert resp.status_code == 302 and resp.url == reverse(
        "certificates:import_detail", args=[record.pk]
    )
    detail = client.get(resp.url).content.decode()
    assert "确认导入" in detail and "没有错误" in detail and "序号" in detail
    client.post(reverse("certificates:import_commit", args=[record.pk]))
    assert Person.objects.count() == 1
    assert "已导入" in client.get(resp.url).content.decode()


def test_page_shows_every_error_and_offers_the_report(today, client, manager_user, org_a):
    client.force_login(manager_user)
    client.post(
        reverse("certificates:imports"),
        {"file": upload(ledger(row(1, 性别="女"), row(2, 发证机关="")))},
    )
    record = LedgerImport.objects.get()
    detail = client.get(reverse("certificates:import_detail", args=[record.pk])).content.decode()
    assert "性别与身份证号不符" in detail and "发证机关为空" in detail
    assert "确认导入" not in detail
    report = client.get(reverse("certificates:import_errors", args=[record.pk]))
    assert report.status_code == 200
    assert b"".join(report.streaming_content)[:2] == b"PK"
    template = client.get(reverse("certificates:import_template"))
    assert template.status_code == 200


def test_page_file_errors_are_shown_on_the_form(today, client, manager_user, org_a):
    client.force_login(manager_user)
    resp = client.post(
        reverse("certificates:imports"),
        {"file": upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")},
    )
    assert resp.status_code == 200 and "另存为 .xlsx" in resp.content.decode()


def test_the_rows_go_only_to_the_uploader_or_a_safety_manager(
    today, client, manager_user, django_user_model, org_a
):
    record = ledger_import_file(
        actor=Actor(user=manager_user), data=ledger(row(1, 性别="女")), file_name="a.xlsx"
    )
    client.force_login(make_user(django_user_model, "viewer", Role.VIEWER))
    assert client.get(reverse("certificates:import_detail", args=[record.pk])).status_code == 200
    assert client.get(reverse("certificates:import_errors", args=[record.pk])).status_code == 403
    client.force_login(manager_user)
    assert client.get(reverse("certificates:import_errors", args=[record.pk])).status_code == 200


def test_viewer_and_area_head_cannot_import(today, client, django_user_model, org_a):
    client.force_login(make_user(django_user_model, "viewer", Role.VIEWER))
    resp = client.post(reverse("certificates:imports"), {"file": upload(ledger(row(1)))})
    assert resp.status_code == 403
    client.force_login(make_user(django_user_model, "head", Role.AREA_HEAD))
    resp = client.post(reverse("certificates:imports"), {"file": upload(ledger(row(1)))})
    assert resp.status_code == 403
    assert not LedgerImport.objects.exists()


def test_contractor_pages_see_only_their_own_imports(today, client, contractor_admin, org_a, org_b):
    theirs = ledger_import_file(
        actor=Actor.system(), data=ledger(row(1)), file_name="owner.xlsx", dry_run=True
    )
    client.force_login(contractor_admin)
    client.post(
        reverse("certificates:imports"), {"file": upload(ledger(row(2, org="")), "mine.xlsx")}
    )
    mine = LedgerImport.objects.get(file_name="mine.xlsx")
    listing = client.get(reverse("certificates:imports")).content.decode()
    assert "mine.xlsx" in listing and "owner.xlsx" not in listing
    assert client.get(reverse("certificates:import_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("certificates:import_errors", args=[theirs.pk])).status_code == 404
    client.post(reverse("certificates:import_commit", args=[theirs.pk]))
    assert Person.objects.count() == 0
    client.post(reverse("certificates:import_commit", args=[mine.pk]))
    assert Person.objects.get().organization == org_a
