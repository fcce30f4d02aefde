"""Each transport against a local server that checks the request the way the provider
does (tests/alerts/servers.py), and email against a real SMTP server (aiosmtpd)."""

import json
import socket
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from safework.alerts import outbox, services
from safework.alerts.choices import Channel, State
from safework.alerts.delivery import deliver_due
from safework.alerts.errors import TransportError
from safework.alerts.http import request

from .servers import SECRETS

pytestmark = pytest.mark.django_db

SMS_PARAMS = {
    "name": "李四",
    "item": "熔化焊接与热切割作业",
    "date": "2026-06-21",
    "days": "20",
    "action": "请及时换证",
}


def configure(plant, channel, values, org=None):
    return services.channel_save(
        actor=plant.system, channel=channel, organization=org or plant.owner, values=values
    )


def send(plant, channel, recipient="", org=None, **extra):
    row = outbox.enqueue(
        channel=channel, recipient=recipient, subject="【安全提醒】李四", body="李四的证书将于2026-06-21到期",
        payload={"markdown": "**李四** 的证书将到期", "sms_params": SMS_PARAMS, **extra},
        organization=org or plant.owner,
    )  # fmt: skip
    deliver_due()
    row.refresh_from_db()
    return row


def test_aliyun_sms_signed_request(plant, server):
    configure(plant, Channel.SMS_ALIYUN, {
        "access_key_id": "testId", "access_key_secret": SECRETS["aliyun"], "sign_name": "东方石化",
        "template_code": "SMS_1", "endpoint": server.url("/aliyun")})  # fmt: skip
    row = send(plant, Channel.SMS_ALIYUN, "139 1234 5678")
    req = server.requests[-1]
    assert req["valid"], "signature rejected"
    p = req["params"]
    assert (p["Action"], p["Version"], p["PhoneNumbers"]) == (
        "SendSms",
        "2017-05-25",
        "13912345678",
    )
    assert json.loads(p["TemplateParam"]) == SMS_PARAMS and p["SignName"] == "东方石化"
    assert p["OutId"] == str(row.key)  # our idempotency key, handed back in receipts
    assert row.state == State.SENT and row.provider_message_id.startswith("biz-")


def test_aliyun_errors_retry_or_not(plant, server):
    configure(plant, Channel.SMS_ALIYUN, {
        "access_key_id": "testId", "access_key_secret": "wrong", "sign_name": "x",
        "template_code": "SMS_1", "endpoint": server.url("/aliyun")})  # fmt: skip
    bad_key = send(plant, Channel.SMS_ALIYUN, "13912345678")
    assert bad_key.state == State.DEAD and "SignatureDoesNotMatch" in bad_key.last_error


@pytest.mark.parametrize("code, state", [("isv.BUSINESS_LIMIT_CONTROL", State.FAILED),
                                         ("isv.MOBILE_NUMBER_ILLEGAL", State.DEAD)])  # fmt: skip
def test_aliyun_throttling_is_retried_a_bad_number_is_not(plant, server, code, state):
    configure(plant, Channel.SMS_ALIYUN, {
        "access_key_id": "testId", "access_key_secret": SECRETS["aliyun"], "sign_name": "x",
        "template_code": "SMS_1", "endpoint": server.url("/aliyun")})  # fmt: skip
    server.mode, server.error_code = "error", code
    assert send(plant, Channel.SMS_ALIYUN, "13912345678").state == state


def test_tencent_sms_tc3_signed_request(plant, server):
    configure(plant, Channel.SMS_TENCENT, {
        "secret_id": "AKIDtest", "secret_key": SECRETS["tencent"], "sdk_app_id": "1400006666",
        "sign_name": "东方石化", "template_id": "1110", "endpoint": server.url("/tencent")})  # fmt: skip
    row = send(plant, Channel.SMS_TENCENT, "13912345678")
    req = server.requests[-1]
    assert req["valid"], "TC3 signature rejected"
    assert (
        req["headers"]["X-TC-Action"] == "SendSms"
        and req["headers"]["X-TC-Version"] == "2021-01-11"
    )
    body = req["json"]
    assert body["PhoneNumberSet"] == ["+8613912345678"] and body["SmsSdkAppId"] == "1400006666"
    assert body["TemplateParamSet"] == [
        SMS_PARAMS[k] for k in ("name", "item", "date", "days", "action")
    ]
    assert body["SessionContext"] == str(row.key)
    assert row.state == State.SENT and row.provider_message_id == "serial-1"


DIGEST_PARAMS = {"name": "江苏安装", "count": "12", "date": "2026-06-01", "days": "3",
                 "action": "查看预警清单"}  # fmt: skip
DIGEST_AS_ITEM = {**SMS_PARAMS, "name": "江苏安装", "item": "12 张证书"}


def test_aliyun_digest_goes_through_the_digest_template_when_there_is_one(plant, server):
    values = {"access_key_id": "testId", "access_key_secret": SECRETS["aliyun"],
              "sign_name": "东方石化", "template_code": "SMS_1", "endpoint": server.url("/aliyun")}  # fmt: skip
    stored = configure(plant, Channel.SMS_ALIYUN, values)
    send(plant, Channel.SMS_ALIYUN, "13912345678", sms_params=DIGEST_AS_ITEM,
         digest_sms_params=DIGEST_PARAMS)  # fmt: skip
    first = server.requests[-1]["params"]  # no digest template: the per-certificate one
    assert first["TemplateCode"] == "SMS_1"
    assert json.loads(first["TemplateParam"]) == DIGEST_AS_ITEM
    services.channel_save(actor=plant.system, channel=Channel.SMS_ALIYUN, organization=plant.owner,
                          values={**values, "digest_template_code": "SMS_2"}, instance=stored)  # fmt: skip
    send(plant, Channel.SMS_ALIYUN, "13912345678", sms_params=DIGEST_AS_ITEM,
         digest_sms_params=DIGEST_PARAMS)  # fmt: skip
    req = server.requests[-1]
    assert req["valid"], "signature rejected"
    assert req["params"]["TemplateCode"] == "SMS_2"
    assert json.loads(req["params"]["TemplateParam"]) == DIGEST_PARAMS
    send(plant, Channel.SMS_ALIYUN, "13912345678")  # a worker's own SMS: its template
    assert server.requests[-1]["params"]["TemplateCode"] == "SMS_1"


def test_tencent_digest_template_takes_the_count_as_its_second_parameter(plant, server):
    configure(plant, Channel.SMS_TENCENT, {
        "secret_id": "AKIDtest", "secret_key": SECRETS["tencent"], "sdk_app_id": "1400006666",
        "sign_name": "东方石化", "template_id": "1110", "digest_template_id": "1111",
        "endpoint": server.url("/tencent")})  # fmt: skip
    row = send(plant, Channel.SMS_TENCENT, "13912345678", sms_params=DIGEST_AS_ITEM,
               digest_sms_params=DIGEST_PARAMS)  # fmt: skip
    req = server.requests[-1]
    assert req["valid"] and row.state == State.SENT
    assert req["json"]["TemplateId"] == "1111"
    assert req["json"]["TemplateParamSet"] == ["江苏安装", "12", "2026-06-01", "3", "查看预警清单"]
    send(plant, Channel.SMS_TENCENT, "13912345678")
    assert server.requests[-1]["json"]["TemplateId"] == "1110"


def test_tencent_limit_is_retried(plant, server):
    configure(plant, Channel.SMS_TENCENT, {
        "secret_id": "AKIDtest", "secret_key": SECRETS["tencent"], "sdk_app_id": "1",
        "sign_name": "x", "template_id": "1", "endpoint": server.url("/tencent")})  # fmt: skip
    server.mode, server.error_code = "error", "LimitExceeded.PhoneNumberDailyLimit"
    assert send(plant, Channel.SMS_TENCENT, "13912345678").state == State.FAILED


def test_wecom_markdown(plant, server):
    configure(plant, Channel.WECOM, {"webhook_url": server.url("/wecom?key=wecom-key")})
    row = send(plant, Channel.WECOM)
    req = server.requests[-1]
    assert req["valid"] and req["json"] == {
        "msgtype": "markdown",
        "markdown": {"content": "**李四** 的证书将到期"},
    }
    assert row.state == State.SENT


def test_wecom_rate_limit_is_retried_a_bad_key_is_not(plant, server):
    configure(plant, Channel.WECOM, {"webhook_url": server.url("/wecom?key=wecom-key")})
    server.mode, server.error_code = "error", 45009
    assert send(plant, Channel.WECOM).state == State.FAILED
    configure(
        plant, Channel.WECOM, {"webhook_url": server.url("/wecom?key=nope")}, org=plant.contractor
    )
    server.mode = "ok"
    assert send(plant, Channel.WECOM, org=plant.contractor).state == State.DEAD


def test_dingtalk_signed_markdown(plant, server):
    configure(plant, Channel.DINGTALK, {
        "webhook_url": server.url("/dingtalk?access_token=abc"), "secret": SECRETS["dingtalk"]})  # fmt: skip
    row = send(plant, Channel.DINGTALK)
    req = server.requests[-1]
    assert req["valid"], "DingTalk sign rejected"
    assert req["query"]["access_token"] == ["abc"]
    assert (
        req["json"]["msgtype"] == "markdown"
        and req["json"]["markdown"]["title"] == "【安全提醒】李四"
    )
    assert row.state == State.SENT


def test_dingtalk_wrong_secret_is_permanent(plant, server):
    configure(
        plant,
        Channel.DINGTALK,
        {"webhook_url": server.url("/dingtalk?access_token=a"), "secret": "SECwrong"},
    )
    row = send(plant, Channel.DINGTALK)
    assert row.state == State.DEAD and "310000" in row.last_error


def test_feishu_signed_card(plant, server):
    configure(
        plant, Channel.FEISHU, {"webhook_url": server.url("/feishu"), "secret": SECRETS["feishu"]}
    )
    row = send(plant, Channel.FEISHU)
    req = server.requests[-1]
    assert req["valid"], "Feishu sign rejected"
    card = req["json"]["card"]
    assert req["json"]["msg_type"] == "interactive"
    assert card["elements"][0] == {"tag": "markdown", "content": "**李四** 的证书将到期"}
    assert row.state == State.SENT


def test_feishu_wrong_secret_is_permanent(plant, server):
    configure(plant, Channel.FEISHU, {"webhook_url": server.url("/feishu"), "secret": "wrong"})
    assert send(plant, Channel.FEISHU).state == State.DEAD


def test_webhook_signed_with_an_idempotency_key(plant, server):
    configure(
        plant,
        Channel.WEBHOOK,
        {"webhook_url": server.url("/webhook"), "secret": SECRETS["webhook"]},
    )
    row = send(plant, Channel.WEBHOOK, "gate-1")
    req = server.requests[-1]
    assert req["valid"] and req["headers"]["Idempotency-Key"] == str(row.key)
    assert req["json"]["id"] == str(row.key) and req["json"]["recipient"] == "gate-1"


def test_slow_server_times_out_and_is_retried(plant, server, settings):
    settings.ALERTS_HTTP_TIMEOUT = 1
    server.mode, server.delay = "slow", 2.5
    configure(plant, Channel.WECOM, {"webhook_url": server.url("/wecom?key=wecom-key")})
    row = send(plant, Channel.WECOM)
    assert row.state == State.FAILED and row.attempts == 1


def test_dropped_connection_is_retried(plant, server):
    server.mode = "drop"
    configure(plant, Channel.WECOM, {"webhook_url": server.url("/wecom?key=wecom-key")})
    row = send(plant, Channel.WECOM)
    assert row.state == State.FAILED and "connection" in row.last_error


def test_unconfigured_channel_is_dead_with_the_reason(plant):
    row = send(plant, Channel.FEISHU)
    assert row.state == State.DEAD and "not configured" in row.last_error


def test_tests_never_leave_the_machine():
    with pytest.raises(TransportError) as err:
        request("POST", "https://oapi.dingtalk.com/robot/send", body=b"{}")
    assert err.value.permanent


@pytest.fixture
def keep_alive():
    """An HTTP/1.1 server that keeps connections open (or closes each after answering,
    without saying so, as a server does when its keep-alive timeout runs out)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            server.clients.append(self.client_address)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            self.close_connection = server.close_after

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads, server.clients, server.close_after = True, [], False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_requests_to_one_host_reuse_the_connection(keep_alive):
    url = f"http://127.0.0.1:{keep_alive.server_address[1]}/hook"
    assert [request("POST", url, body=b"{}").status for _ in range(3)] == [200, 200, 200]
    assert len(keep_alive.clients) == 3 and len(set(keep_alive.clients)) == 1


def test_a_connection_the_server_closed_is_not_reused(keep_alive):
    keep_alive.close_after = True
    url = f"http://127.0.0.1:{keep_alive.server_address[1]}/hook"
    for _ in range(3):
        assert request("POST", url, body=b"{}").status == 200
        time.sleep(0.05)  # the server's FIN has arrived
    assert len(set(keep_alive.clients)) == 3


# -- email through a real SMTP server ----------------------------------------------------------


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


def test_email_html_and_text_via_smtp_url(plant, smtp, settings):
    # SAFEWORK_EMAIL_URL, parsed by the settings' own parser, pointed at the local server.
    from safework.settings import _email

    for key, value in _email(f"smtp://127.0.0.1:{smtp.port}?from=safety@plant.test").items():
        setattr(settings, key, value)
    row = send(plant, Channel.EMAIL, "manager@plant.test", html="<p><b>李四</b> 的证书将到期</p>")
    assert row.state == State.SENT
    rcpt, raw = smtp.messages[-1]
    mail = message_from_bytes(raw, policy=default_policy)
    assert rcpt == ["manager@plant.test"] and mail["From"] == "safety@plant.test"
    assert mail["Subject"] == "【安全提醒】李四" and mail["Message-ID"] == f"<{row.key}@safework>"
    assert mail.get_body(("plain",)).get_content().strip() == "李四的证书将于2026-06-21到期"
    assert "<b>李四</b>" in mail.get_body(("html",)).get_content()


def test_email_with_an_organizations_own_smtp(plant, smtp):
    configure(plant, Channel.EMAIL, {"from_email": "anquan@jiangsu.test", "smtp_url": f"smtp://127.0.0.1:{smtp.port}"},
              org=plant.contractor)  # fmt: skip
    row = send(plant, Channel.EMAIL, "admin@jiangsu.test", org=plant.contractor)
    assert row.state == State.SENT
    assert message_from_bytes(smtp.messages[-1][1])["From"] == "anquan@jiangsu.test"


def test_smtp_down_is_retried(plant, settings):
    from safework.settings import _email

    for key, value in _email("smtp://127.0.0.1:9").items():  # nothing listens on port 9
        setattr(settings, key, value)
    row = send(plant, Channel.EMAIL, "manager@plant.test")
    assert row.state == State.FAILED and row.last_error.startswith("SMTP")
