"""A worker signs in on the phone with ID number + mobile number + a one-time SMS code
sent through the outbox: rate-limited, expiring, single use, audited (issue 7)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safework.alerts import config
from safework.alerts.models import ChannelConfig, Notification
from safework.audit.models import AuditEntry
from safework.contractors import services
from safework.contractors.models import LoginCode


@pytest.fixture
def sms(db):
    """The platform's SMS account (pointing at a closed local port: nothing leaves)."""
    settings = {
        "access_key_id": "id", "access_key_secret": "secret", "sign_name": "某化工",
        "template_code": "SMS_1", "endpoint": "http://127.0.0.1:9/",
    }  # fmt: skip
    return ChannelConfig.objects.create(
        channel="sms_aliyun", settings_encrypted=config.encrypt("sms_aliyun", settings)
    )


@pytest.fixture
def who(worker):
    return {"id_number": worker.person.full_id_number(), "phone": worker.person.phone}


def sent_code(person) -> str:
    message = Notification.objects.filter(person=person).order_by("id").last()
    assert message.channel == "sms_aliyun" and message.recipient == person.phone
    return message.payload["sms_params"]["code"]


def test_a_code_goes_through_the_outbox_and_signs_in_once(sms, worker, who):
    assert services.code_request(ip="10.0.0.1", **who) is True
    code = sent_code(worker.person)
    assert re.fullmatch(r"\d{6}", code)
    assert code not in LoginCode.objects.get().code_hash  # only a keyed hash is stored
    result = services.code_verify(code=code, ip="10.0.0.1", **who)
    assert result.person == worker.person
    again = services.code_verify(code=code, ip="10.0.0.1", **who)
    assert again.person is None and again.error  # single use
    actions = list(
        AuditEntry.objects.filter(action__startswith="worker_signin")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["worker_signin.code", "worker_signin"]


def test_a_wrong_code_counts_and_five_end_the_code(sms, worker, who):
    services.code_request(ip="10.0.0.2", **who)
    code = sent_code(worker.person)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert services.code_verify(code=wrong, ip="10.0.0.2", **who).person is None
    assert LoginCode.objects.get().failures == 5
    assert services.code_verify(code=code, ip="10.0.0.3", **who).person is None  # dead now
    assert AuditEntry.objects.filter(action="worker_signin.failed").count() == 5


def test_a_code_expires(sms, worker, who):
    services.code_request(ip="10.0.0.4", **who)
    code = sent_code(worker.person)
    LoginCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.code_verify(code=code, ip="10.0.0.4", **who).person is None


def test_codes_are_rate_limited_per_person(sms, worker, who):
    assert services.code_request(ip="10.0.0.5", **who) is True
    assert services.code_request(ip="10.0.0.5", **who) is False  # within a minute
    LoginCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    for _ in range(4):
        assert services.code_request(ip="10.0.0.5", **who) is True
        LoginCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert services.code_request(ip="10.0.0.5", **who) is False  # five an hour
    assert AuditEntry.objects.filter(action="worker_signin.refused").count() == 2


def test_codes_are_rate_limited_per_client(sms, worker, who):
    other = {"id_number": who["id_number"], "phone": "13800000000"}
    for _ in range(10):
        services.code_request(ip="10.9.9.9", **other)
    assert services.code_request(ip="10.9.9.9", **who) is False


def test_no_answer_tells_whether_a_person_exists(sms, worker, who, client):
    assert (
        services.code_request(ip="10.0.0.6", id_number=who["id_number"], phone="13900000000")
        is False
    )
    assert not LoginCode.objects.exists()
    a = client.post("/brief/", {"id_number": who["id_number"], "phone": "13900000000"})
    b = client.post("/brief/", {"id_number": who["id_number"], "phone": who["phone"]})
    strip = lambda r: re.sub(r'[A-Za-z0-9]{64}|value="[^"]*"', "", r.content.decode())  # noqa: E731
    assert strip(a) == strip(b)


def test_the_sign_in_page(sms, worker, who):
    client = Client()
    assert client.get("/brief/courses/")["Location"].startswith("/brief/")
    page = client.post("/brief/", who)
    assert 'name="code"' in page.content.decode()
    code = sent_code(worker.person)
    wrong = client.post("/brief/", who | {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 200 and "invalid-feedback" in wrong.content.decode()
    signed = client.post("/brief/", who | {"code": code})
    assert signed.status_code == 302 and signed["Location"] == "/brief/courses/"
    assert client.get("/brief/courses/").status_code == 200
    client.post("/brief/signout/")
    assert client.get("/brief/courses/").status_code == 302


def test_owner_employees_cannot_use_the_worker_sign_in(sms, owner):
    from tests.factories import PersonFactory

    employee = PersonFactory(organization=owner, phone="13911112222")
    assert (
        services.code_request(
            id_number=employee.full_id_number(), phone=employee.phone, ip="10.1.1.1"
        )
        is False
    )
