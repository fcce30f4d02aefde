"""A generic signed webhook, for an integrator's own system (and the access-control push):
JSON body, HMAC-SHA256 signature over timestamp and body, and an Idempotency-Key header
that stays the same across retries so the receiver can drop a repeat."""

from __future__ import annotations

import json
import time

from safework.alerts import http
from safework.alerts.choices import Channel
from safework.alerts.signing import webhook_signature

from .base import Transport, check_http


class WebhookTransport(Transport):
    channel = Channel.WEBHOOK

    def send(self, notification) -> str | None:
        settings = self.settings(notification)
        body = json.dumps(_document(notification), ensure_ascii=False).encode("utf-8")
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": str(notification.key),
            "X-Safework-Timestamp": str(ts),
            "X-Safework-Signature": webhook_signature(settings.secret, ts, body),
        }
        response = http.request("POST", settings.webhook_url, body=body, headers=headers)
        check_http(response)
        return response.headers.get("X-Request-Id") or str(notification.key)


def _document(notification) -> dict:
    return {
        "id": str(notification.key),
        "channel": notification.channel,
        "recipient": notification.recipient,
        "subject": notification.subject,
        "body": notification.body,
        "payload": notification.payload,
        "created_at": notification.created_at.isoformat() if notification.created_at else None,
    }
