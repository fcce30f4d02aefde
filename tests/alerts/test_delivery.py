"""The outbox: written with the transaction that caused it, delivered with backoff, dead
after the last attempt and retried by hand; a killed worker's message is delivered
again; a provider down for an hour loses nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safework.alerts import outbox, services
from safework.alerts.choices import Channel, State
from safework.alerts.delivery import backoff, claim, deliver, deliver_due
from safework.alerts.errors import TransactionRequired
from safework.alerts.models import Notification
from safework.audit.models import AuditEntry
from safework.core.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def wecom(plant, server):
    services.channel_save(
        actor=plant.system, channel=Channel.WECOM, organization=plant.owner,
        values={"webhook_url": server.url("/wecom?key=wecom-key")},
    )  # fmt: skip
    return server


def enqueue(plant, key=None):
    return outbox.enqueue(
        channel=Channel.WECOM,
        recipient="group",
        body="测试",
        organization=plant.owner,
        dedupe_key=key,
    )


def test_the_outbox_row_rolls_back_with_its_cause(plant):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(plant)
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(plant):
    with pytest.raises(TransactionRequired):
        enqueue(plant)


def test_a_repeated_dedupe_key_returns_the_same_row(plant):
    first, second = enqueue(plant, "permit:1"), enqueue(plant, "permit:1")
    assert first.pk == second.pk and Notification.objects.count() == 1


def test_backoff_doubles_up_to_the_cap(settings):
    settings.ALERTS_BACKOFF_SECONDS, settings.ALERTS_BACKOFF_MAX_SECONDS = 60, 600
    assert [backoff(n).seconds for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 480, 600]


def test_failures_back_off_then_die_then_a_manual_retry_delivers(plant, wecom, settings):
    settings.ALERTS_MAX_ATTEMPTS, settings.ALERTS_BACKOFF_SECONDS = 3, 60
    wecom.mode = "down"
    row, now = enqueue(plant), timezone.now()
    deliver_due(now=now)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at) == (
        State.FAILED,
        1,
        now + timedelta(seconds=60),
    )
    deliver_due(now=now + timedelta(seconds=30))  # not due yet
    row.refresh_from_db()
    assert row.attempts == 1
    deliver_due(now=now + timedelta(seconds=61))
    deliver_due(now=now + timedelta(seconds=61 + 121))
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.DEAD, 3) and "503" in row.last_error
    deliver_due(now=now + timedelta(days=1))
    assert len(wecom.requests) == 3  # dead stays dead
    wecom.mode = "ok"
    services.notification_retry(actor=Actor(user=plant.manager), notification=row)
    deliver_due()
    row.refresh_from_db()
    assert row.state == State.SENT and len(wecom.requests) == 4
    assert AuditEntry.objects.filter(action="alerts.retry", object_id=str(row.pk)).exists()


def test_a_provider_down_for_an_hour_loses_nothing(plant, wecom, settings):
    settings.ALERTS_MAX_ATTEMPTS, settings.ALERTS_BACKOFF_SECONDS = 10, 60
    rows = [enqueue(plant) for _ in range(5)]
    start, wecom.mode = timezone.now(), "down"
    minute = start
    while minute < start + timedelta(hours=3):  # the worker polls every minute
        wecom.mode = "down" if minute < start + timedelta(hours=1) else "ok"
        deliver_due(now=minute)
        minute += timedelta(minutes=1)
    states = set(
        Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("state", flat=True)
    )
    assert states == {State.SENT}


def test_a_killed_workers_message_is_delivered_again(plant, wecom, settings):
    settings.ALERTS_LEASE_SECONDS = 300
    row, now = enqueue(plant), timezone.now()
    claimed = claim(now=now)  # ...and the worker dies before sending
    assert [c.pk for c in claimed] == [row.pk]
    assert claim(now=now + timedelta(seconds=10)) == []  # still leased: nobody else takes it
    report = deliver_due(now=now + timedelta(seconds=301))  # the lease has expired
    row.refresh_from_db()
    assert report.sent == 1 and row.state == State.SENT and row.attempts == 2
    assert len(wecom.requests) == 1


def test_a_late_result_of_a_lost_lease_does_not_overwrite(plant, wecom, settings):
    settings.ALERTS_LEASE_SECONDS = 300
    row, now = enqueue(plant), timezone.now()
    slow = claim(now=now)[0]
    deliver_due(now=now + timedelta(seconds=301))  # another worker took over and sent it
    wecom.mode = "down"
    deliver(slow)  # the first worker wakes up and fails
    row.refresh_from_db()
    assert row.state == State.SENT


def test_a_message_that_keeps_killing_workers_ends_dead(plant, wecom, settings):
    settings.ALERTS_LEASE_SECONDS, settings.ALERTS_MAX_ATTEMPTS = 60, 2
    row, now = enqueue(plant), timezone.now()
    claim(now=now)
    claim(now=now + timedelta(seconds=61))
    deliver_due(now=now + timedelta(seconds=122))
    row.refresh_from_db()
    assert row.state == State.DEAD and "worker was lost" in row.last_error


def test_two_workers_never_claim_the_same_row(plant):
    rows = [enqueue(plant) for _ in range(6)]
    now = timezone.now()
    a, b = claim(now=now, limit=4), claim(now=now, limit=4)
    assert {r.pk for r in a}.isdisjoint({r.pk for r in b})
    assert {r.pk for r in a} | {r.pk for r in b} == {r.pk for r in rows}


@pytest.mark.django_db(transaction=True)
def test_four_concurrent_workers_send_each_message_once(plant, wecom):
    with transaction.atomic():
        rows = [enqueue(plant) for _ in range(40)]
    sent = []

    def work():
        try:
            while (report := deliver_due(batch=5, max_batches=1)).total:
                sent.append(report.sent)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert sum(sent) == 40 and len(wecom.requests) == 40
    once = Notification.objects.filter(pk__in=[r.pk for r in rows], state=State.SENT, attempts=1)
    assert once.count() == 40


def test_a_batch_reads_its_channel_settings_once(plant, wecom):
    for _ in range(5):
        enqueue(plant)
    with CaptureQueriesContext(connection) as queries:
        report = deliver_due(batch=5)
    configs = [q for q in queries.captured_queries if "alerts_channelconfig" in q["sql"]]
    assert report.sent == 5 and len(configs) == 1


def test_retry_all_dead_only_touches_what_the_actor_may_see(plant):
    mine = outbox.enqueue(channel=Channel.WECOM, recipient="g", organization=plant.contractor)
    theirs = outbox.enqueue(channel=Channel.WECOM, recipient="g", organization=plant.owner)
    Notification.objects.update(state=State.DEAD)
    count = services.notification_retry_dead(
        actor=Actor(user=plant.contractor_admin), ids=[mine.pk, theirs.pk]
    )
    states = dict(Notification.objects.values_list("pk", "state"))
    assert count == 1 and states == {mine.pk: State.PENDING, theirs.pk: State.DEAD}
