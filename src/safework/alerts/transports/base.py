from __future__ import annotations

from safework.alerts import config
from safework.alerts.errors import TransportError
from safework.alerts.http import Response


class Transport:
    """Base of the built-in transports: finds the channel settings of the organization the
    notification is sent for, falling back to the platform default. An instance reads
    them once per organization (the worker uses one instance per claimed batch)."""

    channel = ""

    def send(self, notification) -> str | None:
        raise NotImplementedError

    def settings(self, notification):
        from safework.alerts.selectors import channel_config_for

        read = self.__dict__.setdefault("_settings", {})
        org = notification.organization_id
        if org not in read:
            found = channel_config_for(self.channel, org)
            if found is None:
                raise TransportError(f"channel {self.channel} is not configured", permanent=True)
            read[org] = config.read(found)
        return read[org]


def check_http(response: Response) -> None:
    """Rate limits and server errors are worth a retry; any other failure status is not."""
    if response.status == 429 or response.status >= 500:
        raise TransportError(f"HTTP {response.status}: {response.text()[:200]}")
    if not 200 <= response.status < 300:
        raise TransportError(f"HTTP {response.status}: {response.text()[:200]}", permanent=True)


def markdown_of(notification) -> str:
    return notification.payload.get("markdown") or notification.body
