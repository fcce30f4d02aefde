"""Push to access-control systems: when a person's allowlist entry changes, every active
push endpoint gets a signed JSON event, through the outbox of ``safework.alerts`` (written
in the refresh's transaction; delivered with retries; the event id stays the same across
retries so a receiver drops a repeat).

Request: ``POST <endpoint url>`` with the event as the JSON body and

- ``X-Safework-Event``: the event id (``<epoch>.<seq>``, unique per change);
- ``X-Safework-Timestamp``: Unix seconds when this attempt was sent;
- ``X-Safework-Signature``: ``sha256=`` + hex HMAC-SHA256 with the endpoint's secret over
  ``<timestamp>.<event id>.<body>`` (a receiver rejects a stale timestamp: replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from types import SimpleNamespace

from django.utils import timezone

from safework.core import crypto
from safework.core.access import scope_organization_ids

from .models import AllowlistEntry, AllowlistState, PushEndpoint

CHANNEL = "gate_push"
EVENT_TYPE = "gate.permission_changed"
BULK = 50  # more changes than this at once go through the outbox's bulk path


def signature(secret: str, timestamp: int, event_id: str, body: bytes) -> str:
    message = f"{timestamp}.{event_id}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def event_id(epoch: str, seq: int) -> str:
    return f"{epoch}.{seq}"


def event(entry: AllowlistEntry, epoch: str) -> dict:
    return {
        "event_id": event_id(epoch, entry.seq),
        "type": EVENT_TYPE,
        "occurred_at": timezone.localtime().isoformat(),
        "cursor": event_id(epoch, entry.seq),
        "entry": json.loads(entry.payload),
    }


def _audience(endpoint: PushEndpoint) -> set[int] | None:
    """The organizations whose people an endpoint hears about (None: everyone)."""
    if endpoint.organization_id is None:
        return None
    # The organization and its subcontractors, as for a token restricted to it.
    return set(scope_organization_ids(SimpleNamespace(organization_id=endpoint.organization_id)))


def enqueue_changes(entries: list[AllowlistEntry]) -> int:
    """Put one event per endpoint and changed entry into the outbox (caller's transaction)."""
    endpoints = list(PushEndpoint.objects.filter(is_active=True)) if entries else []
    if not endpoints:
        return 0
    epoch = AllowlistState.objects.values_list("epoch", flat=True).get(pk=1)
    rows = [
        (endpoint, entry)
        for endpoint in endpoints
        for audience in [_audience(endpoint)]
        for entry in entries
        if audience is None or entry.organization_id in audience
    ]
    return _enqueue(rows, epoch)


def _enqueue(rows: list[tuple[PushEndpoint, AllowlistEntry]], epoch: str) -> int:
    from safework.alerts import outbox

    bulk = getattr(outbox, "enqueue_many", None)
    if bulk is not None and len(rows) > BULK:
        from safework.alerts.models import Notification

        return bulk([Notification(**_message(e, x, epoch)) for e, x in rows])
    for endpoint, entry in rows:
        outbox.enqueue(**_message(endpoint, entry, epoch))
    return len(rows)


def _message(endpoint: PushEndpoint, entry: AllowlistEntry, epoch: str) -> dict:
    return {
        "channel": CHANNEL,
        "recipient": str(endpoint.pk),
        "subject": EVENT_TYPE,
        "payload": event(entry, epoch),
        "dedupe_key": f"gate:{endpoint.pk}:{event_id(epoch, entry.seq)}",
    }


def endpoint_secret(endpoint: PushEndpoint) -> str:
    return crypto.decrypt(endpoint.secret_encrypted)


class GatePushTransport:
    """The outbox transport of the ``gate_push`` channel."""

    def send(self, notification) -> str | None:
        from safework.alerts import http
        from safework.alerts.errors import TransportError

        endpoint = PushEndpoint.objects.filter(pk=_int(notification.recipient)).first()
        if endpoint is None or not endpoint.is_active:
            raise TransportError("the push endpoint was removed or deactivated", permanent=True)
        body = json.dumps(notification.payload, ensure_ascii=False).encode("utf-8")
        event = notification.payload["event_id"]
        now = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Safework-Event": event,
            "X-Safework-Timestamp": str(now),
            "X-Safework-Signature": signature(endpoint_secret(endpoint), now, event, body),
        }
        _check(http.request("POST", endpoint.url, body=body, headers=headers))
        return event


def _int(value: str) -> int:
    return int(value) if str(value).isdigit() else 0


def _check(response) -> None:
    from safework.alerts.errors import TransportError

    if 200 <= response.status < 300:
        return
    retry = response.status in (408, 429) or response.status >= 500
    raise TransportError(f"HTTP {response.status}: {response.text()[:200]}", permanent=not retry)


def register() -> None:
    from safework.alerts.transports import register as register_transport

    register_transport(CHANNEL, GatePushTransport)
