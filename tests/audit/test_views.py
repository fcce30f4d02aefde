"""Issue 6: the audit trail page lists and filters entries (person, certificate, actor,
date), shows an object's history as a timeline, exports to .xlsx, and is for safety
managers only; nobody can edit or delete entries through the app."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from safework.audit.models import AuditEntry
from safework.certificates.services import certificate_renew
from safework.core.actors import Actor
from safework.people.services import person_update
from tests.conftest import make_user
from tests.factories import CertificateFactory, OrganizationFactory

PASSWORD = "Pw-for-tests-123"


@pytest.fixture
def history(manager):
    cert = CertificateFactory()
    person_update(actor=manager, person=cert.person, phone="13800000001")
    certificate_renew(actor=manager, certificate=cert)
    other = CertificateFactory()
    person_update(actor=manager, person=other.person, phone="13800000002")
    return cert, other


@pytest.fixture
def mgr_client(client, manager_user):
    client.login(username="manager", password=PASSWORD)
    return client


def test_list_filters_by_person(mgr_client, history):
    cert, other = history
    html = mgr_client.get(f"/audit/?person={cert.person_id}").content.decode()
    assert "13800000001" in html and "13800000002" not in html
    assert "换证中" in html  # the certificate's renewal shows under its person


def test_list_filters_by_certificate_actor_and_date(mgr_client, history):
    cert, _ = history
    html = mgr_client.get(f"/audit/?certificate={cert.pk}").content.decode()
    assert "13800000001" not in html and "换证中" in html
    assert mgr_client.get("/audit/?actor=nobody").content.decode().count("<tr>") == 2
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "13800000001" not in mgr_client.get(f"/audit/?from={tomorrow}").content.decode()


def test_object_history_timeline(mgr_client, history):
    cert, _ = history
    html = mgr_client.get(f"/audit/object/people.person/{cert.person_id}/").content.decode()
    assert "13800000001" in html and "manager" in html


def test_export_xlsx_holds_the_filtered_rows_and_is_itself_audited(mgr_client, history):
    cert, _ = history
    resp = mgr_client.get(f"/audit/export.xlsx?person={cert.person_id}")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "序号"
    assert len(rows) == 1 + 2  # the phone change and the renewal
    assert AuditEntry.objects.filter(action="export").exists()


def test_anchor_page_and_verify_now(mgr_client, history, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    assert mgr_client.get("/audit/anchors/").status_code == 200
    html = mgr_client.post("/audit/anchors/verify/").content.decode()
    assert "完整" in html


@pytest.mark.parametrize("role", ["contractor_admin", "viewer", "area_head"])
def test_only_safety_managers_read_the_trail(db, django_user_model, client, history, role):
    make_user(django_user_model, "u", role, organization=OrganizationFactory())
    client.login(username="u", password=PASSWORD)
    for url in (
        "/audit/",
        "/audit/export.xlsx",
        "/audit/anchors/",
        f"/audit/object/people.person/{history[0].person_id}/",
    ):
        assert client.get(url).status_code == 403, url


def test_admin_cannot_edit_or_delete_entries(admin_client, history):
    entry = AuditEntry.objects.first()
    assert admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code in (403, 404)
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code in (
        403,
        404,
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_user_named_like_a_scheduled_job_is_told_apart_from_it(db, django_user_model):
    """The actor label is only a name: a login called "system" writes the same label as
    a scheduled job, so the entry also keeps (and hashes) the user's id."""
    from safework.audit.services import audit_record

    user = make_user(django_user_model, "system", "safety_manager")
    by_user = audit_record(actor=Actor(user=user), action="update", object_type="t")
    by_job = audit_record(actor=Actor.system(), action="update", object_type="t")
    assert by_user.actor == by_job.actor == "system"
    assert (by_user.actor_user_id, by_job.actor_user_id) == (user.pk, None)


def test_every_action_of_the_register_has_a_chinese_label():
    """The trail page names actions in Chinese, not as code: every action the register,
    certificates, accounts and audit code writes has a label (found in the source)."""
    import re
    from pathlib import Path

    from django.utils import translation

    from safework.audit.templatetags.audit_tags import action_label

    src = Path(__file__).resolve().parents[2] / "src" / "safework"
    actions = set()
    for app in ("core", "people", "certificates", "accounts", "audit"):
        for path in (src / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            actions |= set(re.findall(r'action="([a-z0-9_]+)"', text))
            actions |= set(re.findall(r'_audit\(\s*request,\s*"([a-z0-9_]+)"', text))
    actions -= {"store_true"}  # argparse, not an audit action
    assert {"permission_change", "password_set", "view_id_number", "ledger_import"} <= actions
    with translation.override("zh-hans"):
        unlabelled = {a for a in actions if action_label(a) == a}
        assert not unlabelled
        assert action_label("password_set") == "管理员设置了密码"
