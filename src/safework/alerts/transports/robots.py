"""企业微信, 钉钉 and 飞书 group robots (webhooks). None of them returns a message id or
accepts an idempotency key; each answers HTTP 200 with its own error code in the body."""

from __future__ import annotations

import time
from urllib.parse import quote

from safework.alerts import http
from safework.alerts.choices import Channel
from safework.alerts.errors import TransportError
from safework.alerts.signing import dingtalk_sign, feishu_sign

from .base import Transport, check_http, markdown_of

WECOM_MAX_BYTES = 4096  # markdown.content limit of the WeCom robot


def _robot_result(code, message: str, retryable: set) -> None:
    if code in (0, "0", None):
        return
    raise TransportError(f"robot error {code}: {message}", permanent=code not in retryable)


class WeComTransport(Transport):
    channel = Channel.WECOM
    # -1 system busy, 45009 API frequency limit (20 messages a minute per robot).
    RETRYABLE = {-1, 45009}

    def send(self, notification) -> str | None:
        settings = self.settings(notification)
        content = markdown_of(notification).encode("utf-8")[:WECOM_MAX_BYTES]
        body = {"msgtype": "markdown", "markdown": {"content": content.decode("utf-8", "ignore")}}
        response = http.post_json(settings.webhook_url, body)
        check_http(response)
        data = response.json()
        _robot_result(data.get("errcode"), data.get("errmsg", ""), self.RETRYABLE)
        return None


class DingTalkTransport(Transport):
    channel = Channel.DINGTALK
    # -1 system busy, 130101 sending too fast (20 a minute per robot).
    RETRYABLE = {-1, 130101}

    def send(self, notification) -> str | None:
        settings = self.settings(notification)
        url = settings.webhook_url
        if settings.secret:
            ts = int(time.time() * 1000)
            sign = quote(dingtalk_sign(settings.secret, ts), safe="")
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={sign}"
        title = notification.subject or notification.body[:30]
        body = {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": markdown_of(notification)},
        }
        response = http.post_json(url, body)
        check_http(response)
        data = response.json()
        _robot_result(data.get("errcode"), data.get("errmsg", ""), self.RETRYABLE)
        return None


class FeishuTransport(Transport):
    channel = Channel.FEISHU
    # 11232 frequency limited (100 a minute, 5 a second per robot).
    RETRYABLE = {11232}

    def send(self, notification) -> str | None:
        settings = self.settings(notification)
        body = {"msg_type": "interactive", "card": _card(notification)}
        if settings.secret:
            ts = int(time.time())
            body = {"timestamp": str(ts), "sign": feishu_sign(settings.secret, ts), **body}
        response = http.post_json(settings.webhook_url, body)
        check_http(response)
        data = response.json()
        # Newer robots answer {"code": 0, "msg": "success"}, older ones {"StatusCode": 0}.
        code = data.get("code", data.get("StatusCode"))
        _robot_result(code, data.get("msg", data.get("StatusMessage", "")), self.RETRYABLE)
        return None


def _card(notification) -> dict:
    return {
        "header": {
            "title": {"tag": "plain_text", "content": notification.subject or "safework"},
            "template": "orange",
        },
        "elements": [{"tag": "markdown", "content": markdown_of(notification)}],
    }
