"""Verification against an official source (issue 3), with a local HTTP server on
127.0.0.1 playing the provider: match, not found, mismatch with the differing fields,
and the source slow, down, failing and answering garbage; manual checks with a
screenshot; follow-up tasks; the monthly run, rate-limited and resumable."""

import json
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from safework.audit.models import AuditEntry
from safework.certificates.choices import ManualState
from safework.certificates.models import (
    CertificateVerification,
    VerificationSource,
)
from safework.certificates.numbers import full_number
from safework.certificates.verification import services
from safework.certificates.verification.http import HttpVerifier
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed
from tests.conftest import make_user
from tests.factories import CertificateFactory, OrganizationFactory, PersonFactory, make_id_number

pytestmark = pytest.mark.django_db
Result = CertificateVerification.Result
SECRET = "provider-key-123"


class Provider(BaseHTTPRequestHandler):
    """The provider: POST /query with {id_number, name}; answers per ``server.mode``."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server.requests.append((time.monotonic(), body, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Bearer {SECRET}":
            return self._send(401, b'{"error": "unauthorized"}')
        if server.mode == "slow":
            time.sleep(2.5)
        if server.mode == "error":
            return self._send(503, b"maintenance")
        if server.mode == "garbage":
            return self._send(200, b"<html>\xe6\x9f\xa5\xe8\xaf\xa2</html>")
        if server.mode == "wrong_shape":
            return self._send(200, b'{"certificates": {"oops": 1}}')
        records = server.records.get((body["id_number"], body["name"]), [])
        self._send(200, json.dumps({"certificates": records}, ensure_ascii=False).encode())

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    server.mode, server.records, server.requests = "ok", {}, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def source(provider, system_actor):
    return services.verification_source_save(
        actor=system_actor,
        name="省级证书核验服务",
        base_url=f"http://127.0.0.1:{provider.server_address[1]}/v1",
        username="",
        secret=SECRET,
        timeout_seconds=1,
        requests_per_minute=600,
        is_active=True,
    )


@pytest.fixture
def cert():
    person = PersonFactory(name="张焊工", id_number=make_id_number(801))
    return CertificateFactory(
        person=person,
        number=f"T{make_id_number(801)}",
        valid_from=date(2024, 3, 1),
        valid_until=date(2030, 3, 1),
        next_review_due=date(2027, 3, 1),
        first_issued_on=date(2020, 3, 1),
    )


def as_source(cert, **over):
    record = {
        "name": cert.person.name,
        "sex": "男",
        "number": full_number(cert),
        "category": "焊接与热切割作业",
        "item": "熔化焊接与热切割作业",
        "first_issued_on": cert.first_issued_on.isoformat(),
        "valid_from": cert.valid_from.isoformat(),
        "valid_until": cert.valid_until.isoformat(),
        "review_due": cert.next_review_due.isoformat(),
        "authority": "上海市应急管理局",
    }
    return record | over


def known(provider, cert, **over):
    key = (cert.person.full_id_number(), cert.person.name)
    provider.records[key] = [as_source(cert, **over)]


def check(source, cert, actor):
    return services.certificate_verify(actor=actor, certificate=cert, verifier=HttpVerifier(source))


def test_a_match_is_recorded_and_audited(provider, source, cert, manager):
    known(provider, cert)
    record = check(source, cert, manager)
    assert record.result == Result.MATCH and not record.follow_up
    assert record.source == "省级证书核验服务" and record.method == "provider"
    # The query carries the ID number and name in the body, with the credentials.
    _at, body, auth = provider.requests[-1]
    assert body == {
        "id_type": "resident_id",
        "id_number": make_id_number(801),
        "name": "张焊工",
    }
    assert auth == f"Bearer {SECRET}"
    assert AuditEntry.objects.filter(action="verify", object_id=str(cert.pk)).exists()


def test_a_mismatch_lists_the_differing_fields_and_becomes_a_task(provider, source, cert, manager):
    known(provider, cert, valid_until="2029-03-01", review_due="2026-03-01")
    record = check(source, cert, manager)
    assert record.result == Result.MISMATCH and record.follow_up
    assert record.differences == {
        "next_review_due": {"before": "2027-03-01", "after": "2026-03-01"},
        "valid_until": {"before": "2030-03-01", "after": "2029-03-01"},
    }


def test_not_found_when_the_source_does_not_know_it(provider, source, cert, manager):
    record = check(source, cert, manager)
    assert record.result == Result.NOT_FOUND and record.follow_up


def test_another_certificate_of_the_person_is_not_this_one(provider, source, cert, manager):
    known(provider, cert, number="OTHER-1", item="高压电工作业", category="电工作业")
    assert check(source, cert, manager).result == Result.NOT_FOUND


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [
        ("slow", "1 s"),
        ("error", "503"),
        ("garbage", "not understood"),
        ("wrong_shape", "not a list"),
    ],
)
def test_the_source_slow_failing_or_answering_garbage_is_unavailable(
    provider, source, cert, manager, mode, fragment
):
    provider.mode = mode
    started = time.monotonic()
    record = check(source, cert, manager)
    assert record.result == Result.UNAVAILABLE and not record.follow_up
    assert fragment in record.detail
    assert time.monotonic() - started < 2.4  # the timeout, not the provider, decided


def test_the_source_down_is_unavailable(source, cert, manager, provider):
    provider.shutdown()
    provider.server_close()
    record = check(source, cert, manager)
    assert record.result == Result.UNAVAILABLE and "connection" in record.detail


def test_an_outsider_cannot_verify(provider, source, cert, django_user_model):
    org = OrganizationFactory()
    outsider = make_user(django_user_model, "out", Role.CONTRACTOR_ADMIN, organization=org)
    with pytest.raises(NotAllowed):
        check(source, cert, Actor(user=outsider))


def png():
    import io

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return SimpleUploadedFile("screenshot.png", out.getvalue(), "image/png")


def test_manual_check_with_a_screenshot_on_the_certificate_page(client, manager_user, cert):
    client.force_login(manager_user)
    url = reverse("certificates:verify_manual", args=[cert.pk])
    resp = client.post(
        url,
        {
            "result": "match",
            "checked_on": date.today().isoformat(),
            "source": "cx.mem.gov.cn",
            "note": "查询结果一致",
            "evidence": png(),
        },
    )
    assert resp.status_code == 302
    record = CertificateVerification.objects.get()
    assert record.method == "manual" and record.actor == "manager" and record.evidence
    page = client.get(reverse("certificates:detail", args=[cert.pk])).content.decode()
    assert "人工核验" in page and "与数据源一致" in page and "查询结果一致" in page
    evidence = client.get(reverse("certificates:verification_evidence", args=[record.pk]))
    assert evidence.status_code == 200 and evidence["X-Content-Type-Options"] == "nosniff"


def test_manual_check_refuses_a_future_date_and_an_executable(client, manager_user, cert):
    client.force_login(manager_user)
    url = reverse("certificates:verify_manual", args=[cert.pk])
    future = (date.today() + timedelta(days=2)).isoformat()
    resp = client.post(url, {"result": "match", "checked_on": future, "source": "x"})
    assert resp.status_code == 200 and "将来" in resp.content.decode()
    exe = SimpleUploadedFile("a.png", b"MZ\x90\x00rest", "image/png")
    resp = client.post(
        url,
        {"result": "match", "checked_on": date.today().isoformat(), "source": "x", "evidence": exe},
    )
    assert resp.status_code == 200 and not CertificateVerification.objects.exists()


def test_provider_button_and_follow_up_tasks(client, manager_user, provider, source, cert):
    known(provider, cert, valid_until="2029-03-01")
    client.force_login(manager_user)
    page = client.get(reverse("certificates:detail", args=[cert.pk])).content.decode()
    assert "通过 省级证书核验服务 核验" in page
    client.post(reverse("certificates:verify_provider", args=[cert.pk]), {"source": source.pk})
    record = CertificateVerification.objects.get()
    assert record.result == Result.MISMATCH
    tasks = client.get(reverse("certificates:verification_tasks")).content.decode()
    assert "张焊工" in tasks and "与数据源不一致" in tasks
    client.post(
        reverse("certificates:verification_resolve", args=[record.pk]),
        {"resolution": "已通知本人复核"},
    )
    record.refresh_from_db()
    assert record.resolved_at and record.resolution == "已通知本人复核"
    assert "张焊工" not in client.get(reverse("certificates:verification_tasks")).content.decode()


def test_tasks_are_scoped(client, django_user_model, provider, source, cert, system_actor):
    check(source, cert, system_actor)  # not found: a task
    org = OrganizationFactory()
    outsider = make_user(django_user_model, "out", Role.CONTRACTOR_ADMIN, organization=org)
    client.force_login(outsider)
    assert "张焊工" not in client.get(reverse("certificates:verification_tasks")).content.decode()
    record = CertificateVerification.objects.get()
    resp = client.post(
        reverse("certificates:verification_resolve", args=[record.pk]), {"resolution": "x"}
    )
    assert resp.status_code == 404


def test_sources_are_for_safety_managers_and_the_secret_is_encrypted(
    client, manager_user, django_user_model
):
    client.force_login(manager_user)
    resp = client.post(
        reverse("certificates:verification_source_create"),
        {
            "name": "服务商A",
            "base_url": "https://verify.example.invalid/api",
            "secret": "s3cret",
            "timeout_seconds": 5,
            "requests_per_minute": 20,
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    source = VerificationSource.objects.get()
    assert source.secret_encrypted and "s3cret" not in source.secret_encrypted
    assert HttpVerifier(source)._headers()["Authorization"] == "Bearer s3cret"
    client.force_login(make_user(django_user_model, "viewer", Role.VIEWER))
    assert client.get(reverse("certificates:verification_sources")).status_code == 403


def many_certs(n):
    certs = [CertificateFactory() for _ in range(n)]
    CertificateFactory(manual_state=ManualState.REVOKED)  # not checked
    CertificateFactory(
        valid_until=date.today() - timedelta(days=1),
        valid_from=date.today() - timedelta(days=900),
        next_review_due=None,
    )  # expired: not checked
    return certs


def test_monthly_run_checks_every_active_certificate_within_the_rate(provider, source):
    certs = many_certs(4)
    for c in certs:
        known(provider, c)
    source.requests_per_minute = 120  # one every 0.5 s
    source.save()
    slept = []
    run = services.verification_run(source=source, sleep=slept.append)
    assert run.finished_at is not None and run.counts == {"match": 4}
    assert CertificateVerification.objects.filter(run=run).count() == 4
    assert len(slept) == 3 and all(0 < s <= 0.5 for s in slept)


def test_an_interrupted_run_resumes_from_its_cursor(provider, source):
    certs = many_certs(5)
    first = services.verification_run(source=source, sleep=lambda s: None, limit=2)
    assert first.finished_at is None and first.cursor == certs[1].pk
    assert services.run_due(source)
    [resumed] = services.verification_run_all(sleep=lambda s: None)
    assert resumed.pk == first.pk and resumed.finished_at is not None
    checked = CertificateVerification.objects.values_list("certificate_id", flat=True)
    assert sorted(checked) == sorted(c.pk for c in certs)  # each exactly once
    assert not services.run_due(source)  # done for this month
    assert services.verification_run_all(sleep=lambda s: None) == []


def test_a_run_stops_while_the_source_is_down_and_resumes_later(provider, source):
    """The certificates asked while the source was down are asked again when the run
    resumes: the cursor goes back to before the streak of unavailable answers."""
    certs = many_certs(8)
    services.verification_run(source=source, sleep=lambda s: None, limit=2)
    provider.mode = "error"
    run = services.verification_run(source=source, sleep=lambda s: None)
    assert run.finished_at is None and run.cursor == certs[1].pk
    assert run.counts == {"not_found": 2, "unavailable": services.MAX_UNAVAILABLE_IN_A_ROW}
    provider.mode = "ok"
    run = services.verification_run(source=source, sleep=lambda s: None)
    assert run.finished_at is not None and run.counts["not_found"] == 8
    answered = CertificateVerification.objects.exclude(result="unavailable")
    assert sorted(answered.values_list("certificate_id", flat=True)) == [c.pk for c in certs]


def test_the_task_runs_daily_in_shanghai_time():
    from datetime import datetime

    from safework.certificates.tasks import reverify_monthly

    task = reverify_monthly.task_class()
    assert task.validate_datetime(datetime(2026, 6, 1, 18, 30))  # 02:30 in Shanghai
    assert not task.validate_datetime(datetime(2026, 6, 1, 2, 30))
