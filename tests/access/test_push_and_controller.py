"""Push to access-control systems through the outbox (signed, one event id per change,
repeats harmless), and the reference controller in examples/gate_controller.py run
against the live server: full sync, deltas, pushes, offline decisions."""

import hashlib
import hmac
import importlib.util
import json
import socket
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import pytest
from django.db import transaction

from safework.access import allowlist, push
from safework.access.models import AreaAuthorization, Gate
from safework.access.services import (
    badge_ensure,
    badge_revoke,
    badge_token,
    push_endpoint_create,
    push_endpoint_set_active,
)
from safework.alerts.delivery import deliver_due
from safework.alerts.models import Notification
from safework.certificates.services import certificate_suspend
from safework.core.actors import Actor
from tests.access.conftest import local
from tests.api.conftest import new_token
from tests.factories import CertificateFactory, PersonFactory, WorkAreaFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gate_controller.py"


def _controller_module():
    spec = importlib.util.spec_from_file_location("gate_controller", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def receiver():
    """A local HTTP server recording what it is sent."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/push", received
    server.shutdown()


# --- push, within one test transaction ----------------------------------------------------------


@pytest.mark.django_db
def test_a_permission_change_puts_one_signed_event_per_endpoint_in_the_outbox(
    welder, gate, authorized, system_actor, receiver, settings
):
    settings.ALERTS_DELIVER_ON_COMMIT = False
    url, received = receiver
    endpoint, secret = push_endpoint_create(actor=system_actor, name="东门门禁", url=url)
    allowlist.refresh_pending()
    first = Notification.objects.get(channel=push.CHANNEL)
    assert first.payload["entry"]["allowed"] is True and first.recipient == str(endpoint.pk)
    badge_ensure(actor=system_actor, person=welder)
    allowlist.refresh_pending()
    allowlist.refresh_pending()  # nothing new: no second event
    assert Notification.objects.filter(channel=push.CHANNEL).count() == 2
    report = deliver_due()
    assert report.sent == 2
    (headers, body), _second = received
    event = json.loads(body)
    assert headers["X-Safework-Event"] == event["event_id"] == first.payload["event_id"]
    stamp = headers["X-Safework-Timestamp"]
    mac = hmac.new(secret.encode(), f"{stamp}.{event['event_id']}.".encode() + body, hashlib.sha256)
    assert headers["X-Safework-Signature"] == "sha256=" + mac.hexdigest()
    assert event["type"] == "gate.permission_changed" and event["entry"]["person_id"] == welder.pk


@pytest.mark.django_db
def test_the_same_change_is_enqueued_once_and_resent_with_the_same_event_id(
    welder, gate, authorized, system_actor, receiver, settings
):
    settings.ALERTS_DELIVER_ON_COMMIT = False
    url, received = receiver
    push_endpoint_create(actor=system_actor, name="门禁", url=url)
    allowlist.refresh_pending()
    entry = allowlist.AllowlistEntry.objects.get(person_id=welder.pk)
    with transaction.atomic():
        push.enqueue_changes([entry])  # the same change again: deduplicated
    note = Notification.objects.get(channel=push.CHANNEL)
    push.GatePushTransport().send(note)
    push.GatePushTransport().send(note)  # a retry after a lost answer
    assert [h["X-Safework-Event"] for h, _b in received] == [note.payload["event_id"]] * 2


@pytest.mark.django_db
def test_endpoints_hear_only_about_their_organizations_people(
    welder, gate, authorized, rival, area, system_actor, settings
):
    settings.ALERTS_DELIVER_ON_COMMIT = False
    stranger = PersonFactory(organization=rival)
    AreaAuthorization.objects.create(area=area, person=stranger)
    own, _ = push_endpoint_create(
        actor=system_actor, name="甲", url="http://127.0.0.1:9/a", organization=welder.organization
    )
    everyone, _ = push_endpoint_create(actor=system_actor, name="全部", url="http://127.0.0.1:9/b")
    allowlist.refresh_pending()
    sent = Notification.objects.filter(channel=push.CHANNEL)
    assert {n.payload["entry"]["person_id"] for n in sent.filter(recipient=str(own.pk))} == {
        welder.pk
    }
    assert {n.payload["entry"]["person_id"] for n in sent.filter(recipient=str(everyone.pk))} == {
        welder.pk,
        stranger.pk,
    }


@pytest.mark.django_db
def test_failures_are_retried_and_a_removed_endpoint_is_permanent(
    welder, gate, authorized, system_actor, settings
):
    from safework.alerts.errors import TransportError

    settings.ALERTS_DELIVER_ON_COMMIT = False
    endpoint, _ = push_endpoint_create(
        actor=system_actor, name="门禁", url=f"http://127.0.0.1:{free_port()}/x"
    )
    allowlist.refresh_pending()
    note = Notification.objects.get(channel=push.CHANNEL)
    with pytest.raises(TransportError) as refused:
        push.GatePushTransport().send(note)
    assert refused.value.permanent is False  # nobody listening: try again later
    push_endpoint_set_active(actor=system_actor, endpoint=endpoint, active=False)
    with pytest.raises(TransportError) as gone:
        push.GatePushTransport().send(note)
    assert gone.value.permanent is True


@pytest.mark.django_db
def test_nothing_is_enqueued_for_a_rolled_back_change(welder, gate, authorized, system_actor):
    push_endpoint_create(actor=system_actor, name="门禁", url="http://127.0.0.1:9/x")
    allowlist.refresh_pending()
    before = Notification.objects.filter(channel=push.CHANNEL).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        badge_ensure(actor=system_actor, person=welder)
        raise RuntimeError("rolled back")
    assert not allowlist.AllowlistDirty.objects.exists()
    assert allowlist.refresh_pending() == 0
    assert Notification.objects.filter(channel=push.CHANNEL).count() == before


# --- the reference controller against the live server -----------------------------------------


LIVE = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(welder, gate, authorized, system_actor):
    """Committed data (the live server runs in another thread); serialized_rollback
    brings the catalogue back that flushing a transactional test removes."""
    return {
        "token": new_token("gate"),
        "badge": badge_token(badge_ensure(actor=system_actor, person=welder)),
        "welder": welder,
        "gate": gate,
    }


@LIVE
def test_the_controller_syncs_and_decides_offline(live_server, world, system_actor, tmp_path):
    module = _controller_module()
    controller = module.GateController(live_server.url, world["token"], "n-1", tmp_path / "s.json")
    assert controller.sync() == 1
    assert controller.decide(world["badge"])["decision"] == "allow"
    assert controller.decide(f"{live_server.url}/v/{world['badge']}")["decision"] == "allow"
    assert controller.decide("b1.k1.1.1.AAAAAAAAAAAAAAAAAAAAAA")["reason"] == "not_on_allowlist"
    # allowed_until: from that moment the entry is expired even without a sync.
    until = datetime.fromisoformat(controller.entries[world["welder"].pk]["allowed_until"])
    assert controller.decide(world["badge"], now=until)["reason"] == "expired"
    # Another gate of an area the person is not authorised for.
    other = Gate.objects.create(code="x-9", name="外区", area=WorkAreaFactory(), direction="both")
    controller.sync()
    controller.gate = other.code
    assert controller.decide(world["badge"])["reason"] == "area_not_authorized"
    controller.gate = "n-1"
    # A change on the server reaches the controller as a delta.
    certificate_suspend(
        actor=system_actor, certificate=world["welder"].certificates.get(), reason="违章"
    )
    assert controller.sync() == 1
    assert controller.decide(world["badge"])["reason"] == "not_on_allowlist"
    # The state survives a restart.
    again = module.GateController(live_server.url, world["token"], "n-1", tmp_path / "s.json")
    assert again.cursor == controller.cursor and again.entries == controller.entries


@LIVE
def test_the_controller_command_line(live_server, world, tmp_path):
    base = [
        sys.executable,
        str(EXAMPLE),
        "--server",
        live_server.url,
        "--token",
        world["token"],
        "--gate",
        "n-1",
        "--state",
        str(tmp_path / "s.json"),
    ]
    synced = subprocess.run([*base, "sync"], capture_output=True, text=True, timeout=60)
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["applied"] == 1
    allow = subprocess.run(
        [*base, "decide", world["badge"]], capture_output=True, text=True, timeout=60
    )
    assert allow.returncode == 0 and json.loads(allow.stdout)["person"] == "张焊工"
    deny = subprocess.run(
        [*base, "decide", "b1.k1.zz.1.AAAAAAAAAAAAAAAAAAAAAA"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert deny.returncode == 1


@LIVE
def test_the_controller_applies_signed_pushes_once(live_server, world, system_actor, tmp_path):
    module = _controller_module()
    port = free_port()
    _endpoint, secret = push_endpoint_create(
        actor=system_actor, name="参考门禁", url=f"http://127.0.0.1:{port}/push"
    )
    controller = module.GateController(
        live_server.url, world["token"], "n-1", tmp_path / "s.json", push_secret=secret
    )
    controller.sync()
    server = controller.serve(port)
    try:
        # Committed -> refreshed after commit -> outbox -> delivered (the test queue runs
        # tasks at once) -> the controller drops the badge without syncing.
        badge_revoke(actor=system_actor, person=world["welder"], reason="丢失")
        deliver_due()
        assert controller.decide(world["badge"])["reason"] == "not_on_allowlist"
        note = Notification.objects.filter(channel=push.CHANNEL).latest("id")
        seen = list(controller.seen_events)
        push.GatePushTransport().send(note)  # delivered twice
        assert controller.seen_events == seen
        bad = controller.handle_push(
            {
                "X-Safework-Event": "x.1",
                "X-Safework-Timestamp": "1",
                "X-Safework-Signature": "sha256=00",
            },
            b"{}",
        )
        assert bad == 401
    finally:
        server.shutdown()


@LIVE
def test_the_controller_denies_at_midnight_while_offline(
    live_server, contractor, area, gate, tmp_path, freeze
):
    last_day = date(2026, 3, 10)
    freeze(local(last_day, time(15)))
    person = PersonFactory(organization=contractor, special_operations=["MEM-2.1"])
    CertificateFactory(
        person=person, valid_from=date(2020, 3, 11), valid_until=last_day, next_review_due=None
    )
    AreaAuthorization.objects.create(area=area, organization=contractor)
    token = badge_token(badge_ensure(actor=Actor.system("t"), person=person))
    controller = _controller_module().GateController(live_server.url, new_token("gate"), "n-1")
    controller.sync()
    assert controller.decide(token, now=local(last_day, time(23, 59, 59)))["decision"] == "allow"
    assert controller.decide(token, now=local(date(2026, 3, 11)))["reason"] == "expired"
