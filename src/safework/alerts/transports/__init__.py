"""Transport registry (STYLE.md 5, healthchecks' ``hc/api/transports.py``): one class per
channel with ``send(self, notification) -> str | None`` returning the provider's message
id, or raising ``TransportError(message, permanent)``. Other apps register their own:

    from safework.alerts.transports import register
    register("gate_push", GatePushTransport)
"""

from __future__ import annotations

from safework.alerts.errors import TransportError

from .base import Transport

_REGISTRY: dict[str, type] = {}


def register(channel_name: str, transport_class: type) -> None:
    _REGISTRY[channel_name] = transport_class


def transport_for(channel_name: str):
    try:
        return _REGISTRY[channel_name]()
    except KeyError:
        raise TransportError(f"no transport for channel {channel_name!r}", permanent=True) from None


def registered() -> list[str]:
    return sorted(_REGISTRY)


def _register_builtin() -> None:
    from safework.alerts.choices import Channel

    from .email import EmailTransport
    from .robots import DingTalkTransport, FeishuTransport, WeComTransport
    from .sms import AliyunSmsTransport, TencentSmsTransport
    from .webhook import WebhookTransport

    for channel, cls in {
        Channel.EMAIL: EmailTransport,
        Channel.SMS_ALIYUN: AliyunSmsTransport,
        Channel.SMS_TENCENT: TencentSmsTransport,
        Channel.WECOM: WeComTransport,
        Channel.DINGTALK: DingTalkTransport,
        Channel.FEISHU: FeishuTransport,
        Channel.WEBHOOK: WebhookTransport,
    }.items():
        register(channel, cls)


_register_builtin()

__all__ = ["Transport", "TransportError", "register", "registered", "transport_for"]
