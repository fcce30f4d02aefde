"""The daily scan (issue 4): thresholds, idempotency, catch-up, renewal, recipients per
level, per-owner and per-type rules, the day's status transitions, the audit entry."""

from collections import defaultdict
from datetime import date, timedelta

import pytest

from safework.alerts import services
from safework.alerts.choices import LAPSE, Channel, WarningKind
from safework.alerts.models import CertificateWarning, InboxItem, Notification, StatusTransition
from safework.audit.models import AuditEntry
from safework.certificates.services import certificate_renew
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind
from safework.people.choices import EmploymentState
from tests.factories import CertificateFactory, OrganizationFactory, SiteFactory

from .conftest import DAY0, certificate, worker

pytestmark = pytest.mark.django_db


def scan(plant, day):
    return services.scan_expiry(on=day, actor=plant.system)


def levels(cert):
    return list(
        CertificateWarning.objects.filter(certificate=cert)
        .order_by("scan_date")
        .values_list("kind", "level", "scan_date")
    )


def test_each_threshold_once_then_the_lapse(plant, clock, sms_channel):
    cert = certificate(worker(plant), valid_until=DAY0 + timedelta(days=30))
    for day in range(0, 40):
        scan(plant, DAY0 + timedelta(days=day))
    assert levels(cert) == [
        ("expiry", 30, DAY0),
        ("expiry", 15, DAY0 + timedelta(days=15)),
        ("expiry", 7, DAY0 + timedelta(days=23)),
        ("expiry", LAPSE, DAY0 + timedelta(days=31)),  # valid_until itself is still in force
    ]


def test_running_twice_sends_nothing_twice(plant, clock, sms_channel):
    certificate(worker(plant), valid_until=DAY0 + timedelta(days=10))
    first = scan(plant, DAY0)
    count = Notification.objects.count()
    second = scan(plant, DAY0)
    assert first.warnings == 1 and first.notifications > 0
    assert (second.warnings, second.notifications) == (0, 0)
    assert Notification.objects.count() == count
    assert InboxItem.objects.count() == first.inbox


def test_after_missed_days_only_the_most_urgent_warning(plant, clock, sms_channel):
    cert = certificate(worker(plant), valid_until=DAY0 + timedelta(days=20))
    scan(plant, DAY0)  # level 30
    scan(plant, DAY0 + timedelta(days=16))  # 4 days left: 15 was missed, 7 is due
    assert [lvl for _k, lvl, _d in levels(cert)] == [30, 7]
    # A late scan of a missed day cannot send the stale level afterwards.
    scan(plant, DAY0 + timedelta(days=6))
    assert [lvl for _k, lvl, _d in levels(cert)] == [30, 7]


def test_something_that_lapsed_long_ago_is_not_news(plant, clock, sms_channel, settings):
    settings.ALERTS_CATCH_UP_DAYS = 7
    recent = certificate(worker(plant), valid_until=DAY0 - timedelta(days=3))
    old = certificate(worker(plant, phone="13900000002"), valid_until=DAY0 - timedelta(days=90))
    scan(plant, DAY0)
    assert [lvl for _k, lvl, _d in levels(recent)] == [LAPSE]
    assert levels(old) == []


def test_sixty_day_calendar_sends_exactly_the_expected_warnings(plant, clock, sms_channel):
    """A simulated calendar: each cert's expected (kind, level, day index) listed by hand."""
    w = worker(plant)
    a = certificate(w, valid_until=DAY0 + timedelta(days=45))
    b = certificate(
        w, valid_until=DAY0 + timedelta(days=2000), next_review_due=DAY0 + timedelta(days=9)
    )
    c = certificate(w, valid_until=DAY0 + timedelta(days=100))  # nothing within 60 days
    d = certificate(w, valid_until=DAY0 + timedelta(days=12))
    for day in range(60):
        scan(plant, DAY0 + timedelta(days=day))
    got = {
        (w.certificate_id, w.kind, w.level, (w.scan_date - DAY0).days)
        for w in CertificateWarning.objects.all()
    }
    expected = {
        (a.pk, "expiry", 30, 15), (a.pk, "expiry", 15, 30), (a.pk, "expiry", 7, 38),
        (a.pk, "expiry", LAPSE, 46),
        (b.pk, "review", 15, 0), (b.pk, "review", 7, 2), (b.pk, "review", LAPSE, 10),
        (d.pk, "expiry", 15, 0), (d.pk, "expiry", 7, 5), (d.pk, "expiry", LAPSE, 13),
    }  # fmt: skip
    assert got == expected
    assert not CertificateWarning.objects.filter(certificate=c).exists()
    # The messages, exactly: the worker's own SMS per warning; every other recipient one
    # digest per day and channel listing that day's warnings (the area head from 7 days),
    # and one inbox item per login and day.
    warned = defaultdict(set)
    for w in CertificateWarning.objects.all():
        warned[(w.scan_date - DAY0).days].add(w)
    regular = {("sms_aliyun", "13800000002"), ("email", "contact@jiangsu.test"),
               ("email", "admin@jiangsu.test"), ("email", "manager@plant.test")}  # fmt: skip
    expected_messages, expected_inbox = set(), set()
    for day, ws in warned.items():
        urgent = any(w.level <= 7 for w in ws)
        for w in ws:
            expected_messages.add((day, f"warning:{w.pk}:sms_aliyun:13912345678", (w.pk,)))
        ids = tuple(sorted(w.pk for w in ws))
        for channel, to in regular | ({("email", "head@plant.test")} if urgent else set()):
            expected_messages.add(
                (day, f"digest:{DAY0 + timedelta(days=day)}:1:{channel}:{to}", ids)
            )
        for user in ["anquan", "chengbao", *(["quyu"] if urgent else [])]:
            expected_inbox.add((day, user))
    got_messages = {
        (_day(n), n.dedupe_key, (n.warning_id,) if n.warning_id else tuple(sorted(n.payload["digest"]["items"])))
        for n in Notification.objects.all()
    }  # fmt: skip
    assert got_messages == expected_messages
    assert Notification.objects.count() == len(expected_messages) == 10 + 9 * 4 + 6
    got_inbox = [(_day(i), i.user.username) for i in InboxItem.objects.all()]
    assert sorted(got_inbox) == sorted(expected_inbox) and len(got_inbox) == 9 * 2 + 6


def _day(row) -> int:
    return (
        (date.fromisoformat((row.dedupe_key or "").split(":")[1]) - DAY0).days
        if (row.dedupe_key.startswith("digest:"))
        else (row.warning.scan_date - DAY0).days
    )


def test_renewal_stops_expiry_warnings_and_reminds_after_30_days(plant, clock, sms_channel):
    cert = certificate(worker(plant), valid_until=DAY0 + timedelta(days=20))
    scan(plant, DAY0)
    clock.day = DAY0 + timedelta(days=1)
    certificate_renew(actor=Actor.system("test"), certificate=cert)
    for day in range(1, 45):
        scan(plant, DAY0 + timedelta(days=day))
    assert levels(cert) == [
        ("expiry", 30, DAY0),
        (WarningKind.RENEWAL_OPEN, 30, DAY0 + timedelta(days=31)),
    ]
    reminder = CertificateWarning.objects.get(kind=WarningKind.RENEWAL_OPEN)
    assert _recipients(reminder) == {(Channel.EMAIL, "manager@plant.test")}  # the manager only
    assert _inbox_users(reminder) == {"anquan"}


def _digests(warning):
    """The day's digests that list ``warning``."""
    day = Notification.objects.filter(dedupe_key__startswith=f"digest:{warning.scan_date}:")
    return [n for n in day if warning.pk in n.payload["digest"]["items"]]


def _recipients(warning):
    """Everyone told about ``warning``: its own messages and the digests listing it."""
    own = {(n.channel, n.recipient) for n in warning.notifications.all()}
    return own | {(n.channel, n.recipient) for n in _digests(warning)}


def _inbox_users(warning):
    day = InboxItem.objects.filter(dedupe_key__startswith=f"digest:{warning.scan_date}:")
    return set(day.values_list("user__username", flat=True))


def test_recipients_per_level(plant, clock, sms_channel):
    person = worker(plant)
    certificate(person, valid_until=DAY0 + timedelta(days=10))
    scan(plant, DAY0)
    at_15 = CertificateWarning.objects.get()
    assert _recipients(at_15) == {
        (Channel.SMS_ALIYUN, "13912345678"),  # the worker
        (Channel.SMS_ALIYUN, "13800000002"),  # the contractor's contact
        (Channel.EMAIL, "contact@jiangsu.test"),
        (Channel.EMAIL, "admin@jiangsu.test"),  # the contractor admin
        (Channel.EMAIL, "manager@plant.test"),  # the safety manager
    }
    assert {(n.channel, n.recipient) for n in at_15.notifications.all()} == {
        (Channel.SMS_ALIYUN, "13912345678")  # only the worker's own SMS is per warning
    }
    assert _inbox_users(at_15) == {"anquan", "chengbao"}
    scan(plant, DAY0 + timedelta(days=4))
    at_7 = CertificateWarning.objects.get(level=7)
    assert _recipients(at_7) - _recipients(at_15) == {(Channel.EMAIL, "head@plant.test")}
    assert _inbox_users(at_7) == {"anquan", "quyu", "chengbao"}  # not the other site's head


def test_group_robots_of_the_owner_and_the_contractor(plant, clock, sms_channel, server):
    for org, key in ((plant.owner, "owner"), (plant.contractor, "contractor")):
        services.channel_save(
            actor=plant.system, channel=Channel.WECOM, organization=org,
            values={"webhook_url": server.url(f"/wecom?key={key}")},
        )  # fmt: skip
    certificate(worker(plant), valid_until=DAY0 + timedelta(days=10))
    scan(plant, DAY0)
    groups = Notification.objects.filter(channel=Channel.WECOM)
    assert sorted(groups.values_list("organization_id", flat=True)) == sorted(
        [plant.owner.pk, plant.contractor.pk]
    )


def test_without_an_sms_account_the_scan_says_so(plant, clock):
    certificate(worker(plant), valid_until=DAY0 + timedelta(days=10))
    report = scan(plant, DAY0)
    assert report.skipped["no_sms_channel"] == 2  # the worker and the contractor contact
    assert not Notification.objects.filter(channel__startswith="sms").exists()


def test_people_who_left_and_marked_certificates_get_nothing(plant, clock, sms_channel):
    gone = worker(plant)
    gone.employment_state = EmploymentState.LEFT
    gone.save()
    certificate(gone, valid_until=DAY0 + timedelta(days=10))
    certificate(worker(plant), valid_until=DAY0 + timedelta(days=10), manual_state="suspended")
    assert scan(plant, DAY0).warnings == 0


def test_thresholds_per_owner_and_per_certificate_type(plant, clock, sms_channel):
    services.policy_save(
        actor=plant.system, organization=plant.owner,
        rules={"expiry_days": [60, 20], "type_overrides": {"SAMR-N1": {"expiry_days": [90]}}},
    )  # fmt: skip
    other_owner = OrganizationFactory(kind=OrganizationKind.OWNER, name="西部化工")
    elsewhere = SiteFactory(owner=other_owner)
    welder = certificate(worker(plant), valid_until=DAY0 + timedelta(days=50))
    forklift = certificate(
        worker(plant, phone="13900000003"), valid_until=DAY0 + timedelta(days=80)
    )
    forklift.type = type(forklift.type).objects.get(code="SAMR-N1")
    forklift.save()
    far_person = worker(plant, phone="13900000004")
    far_person.sites.set([elsewhere])
    far = certificate(far_person, valid_until=DAY0 + timedelta(days=50))
    scan(plant, DAY0)
    assert [lvl for _k, lvl, _d in levels(welder)] == [60]
    assert [lvl for _k, lvl, _d in levels(forklift)] == [90]
    assert levels(far) == []  # the other owner has the defaults: 30 days


def test_status_transitions_of_the_day(plant, clock, sms_channel):
    expired = certificate(worker(plant), valid_until=DAY0 - timedelta(days=1))
    overdue = certificate(
        worker(plant, phone="13900000005"),
        valid_until=DAY0 + timedelta(days=900),
        next_review_due=DAY0 - timedelta(days=1),
    )
    entering = certificate(
        worker(plant, phone="13900000006"), valid_until=DAY0 + timedelta(days=30)
    )
    CertificateFactory(valid_until=DAY0 + timedelta(days=300))  # nothing happens to it
    report = scan(plant, DAY0)
    got = set(StatusTransition.objects.values_list("certificate_id", "from_status", "to_status"))
    assert got == {
        (expired.pk, "expiring", "expired"),
        (overdue.pk, "expiring", "review_overdue"),
        (entering.pk, "valid", "expiring"),
    }
    assert report.transitions == 3 and scan(plant, DAY0).transitions == 0


def test_transitions_of_missed_days_are_caught_up(plant, clock, sms_channel):
    scan(plant, DAY0)
    cert = certificate(worker(plant), valid_until=DAY0 + timedelta(days=1))
    scan(plant, DAY0 + timedelta(days=4))  # days 1-4 in one go
    row = StatusTransition.objects.get(certificate=cert, to_status="expired")
    assert row.on == DAY0 + timedelta(days=2)


def test_the_scan_is_audited(plant, clock, sms_channel):
    certificate(worker(plant), valid_until=DAY0 + timedelta(days=10))
    scan(plant, DAY0)
    entry = AuditEntry.objects.filter(action="alerts.scan").get()
    assert entry.changes["warnings"]["after"] == 1


def test_the_messages_say_who_what_when_and_what_to_do_in_chinese(plant, clock, sms_channel):
    person = worker(plant, name="王<五>")
    certificate(person, valid_until=DAY0 + timedelta(days=10))
    scan(plant, DAY0)
    mail = Notification.objects.get(recipient="manager@plant.test")
    assert mail.subject == "【安全预警】2026-06-01：1 张证书需要处理"
    assert "15 天内：1" in mail.body and "将于 2026-06-11 到期，还剩 10 天" in mail.body
    assert "https://safework.test/alerts/warnings/?date=2026-06-01" in mail.body
    assert "王&lt;五&gt;" in mail.payload["html"] and "王<五>" not in mail.payload["html"]
    sms = Notification.objects.get(recipient="13912345678")  # the worker's own
    assert sms.subject == "【安全预警】还剩 10 天：王<五>，熔化焊接与热切割作业"
    assert sms.payload["sms_params"] == {
        "name": "王<五>", "item": "熔化焊接与热切割作业", "date": "2026-06-01"[:8] + "11",
        "days": "10", "action": "及时换证",
    }  # fmt: skip
    contact = Notification.objects.get(recipient="13800000002")  # the contractor's digest
    assert contact.payload["sms_params"] == {
        "name": "江苏安装", "item": "1 张证书", "date": "2026-06-01", "days": "10",
        "action": "查看预警清单",
    }  # fmt: skip
    assert contact.payload["digest_sms_params"] == {  # for an account's digest template
        "name": "江苏安装", "count": "1", "date": "2026-06-01", "days": "10",
        "action": "查看预警清单",
    }  # fmt: skip
    assert "digest_sms_params" not in sms.payload


def test_a_recipient_gets_one_digest_per_day_and_channel(plant, clock, sms_channel):
    """25 certificates due on one day: the worker's SMS each, everyone else one digest per
    channel with the counts by level, the 10 most urgent listed, and one inbox item."""
    people = [worker(plant, phone=f"1390000{i:04d}") for i in range(25)]
    lapsed = [certificate(p, valid_until=DAY0 - timedelta(days=2)) for p in people[:3]]
    soon = [
        certificate(p, valid_until=DAY0 + timedelta(days=3 + i)) for i, p in enumerate(people[3:8])
    ]
    for p in people[8:]:
        certificate(p, valid_until=DAY0 + timedelta(days=20))
    report = scan(plant, DAY0)
    assert report.warnings == 25
    assert Notification.objects.filter(warning__isnull=False, channel="sms_aliyun").count() == 25
    digests = Notification.objects.filter(dedupe_key__startswith="digest:")
    assert sorted(digests.values_list("channel", "recipient")) == sorted([
        ("email", "admin@jiangsu.test"), ("email", "contact@jiangsu.test"),
        ("email", "head@plant.test"), ("email", "manager@plant.test"),
        ("sms_aliyun", "13800000002"),
    ])  # fmt: skip
    mail = digests.get(recipient="manager@plant.test")
    warning_of = {w.certificate_id: w.pk for w in CertificateWarning.objects.all()}
    assert mail.payload["digest"]["counts"] == {"-1": 3, "7": 5, "30": 17}
    assert mail.payload["digest"]["items"][:8] == [warning_of[c.pk] for c in lapsed + soon]
    assert len(mail.payload["digest"]["items"]) == 10 and mail.payload["digest"]["more"] == 15
    assert "……还有 15 项。" in mail.body and "已失效：3" in mail.body
    assert mail.subject == "【安全预警】2026-06-01：25 张证书，其中 3 张已失效"
    head = digests.get(recipient="head@plant.test")  # from 7 days on: 8 of them
    assert head.payload["digest"]["counts"] == {"-1": 3, "7": 5}
    assert sorted(InboxItem.objects.values_list("user__username", flat=True)) == [
        "anquan",
        "chengbao",
        "quyu",
    ]
    assert report.notifications == 25 + 5 and report.inbox == 3


def test_a_second_run_of_the_day_sends_only_what_is_new(plant, clock, sms_channel):
    certificate(worker(plant), valid_until=DAY0 + timedelta(days=10))
    first = scan(plant, DAY0)
    late = certificate(worker(plant, phone="13900000009"), valid_until=DAY0 + timedelta(days=5))
    second = scan(plant, DAY0)  # e.g. a certificate recorded after the 08:00 scan
    assert (first.warnings, second.warnings) == (1, 1)
    new = CertificateWarning.objects.get(certificate=late)
    again = Notification.objects.filter(dedupe_key__startswith=f"digest:{DAY0}:2:")
    assert again.count() == 5  # 4 regular recipients + the area head (7 days)
    assert all(n.payload["digest"]["items"] == [new.pk] for n in again)
    assert (scan(plant, DAY0).notifications, scan(plant, DAY0).inbox) == (0, 0)
