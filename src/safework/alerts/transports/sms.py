"""SMS through Aliyun (dysmsapi SendSms, RPC signature 1.0) and Tencent Cloud (SendSms
2021-01-11, TC3-HMAC-SHA256). Chinese SMS must use an approved signature and template,
so the message goes as the template's parameters (``payload["sms_params"]``). A digest
also carries the parameters of a digest template (``payload["digest_sms_params"]``: name,
count, date, days, action), used when the account has one approved; else it goes through
the per-certificate template with ``sms_params``, "N certificates" as the item. Neither
API takes an idempotency key; our key goes along as OutId / SessionContext, which the
providers hand back in delivery receipts."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from safework.alerts import http
from safework.alerts.choices import Channel
from safework.alerts.errors import TransportError
from safework.alerts.signing import aliyun_signature, tc3_authorization

from .base import Transport

PARAM_ORDER = ("name", "item", "date", "days", "action")
DIGEST_PARAM_ORDER = ("name", "count", "date", "days", "action")


def sms_params(notification, *, digest: bool = False) -> dict[str, str]:
    key = "digest_sms_params" if digest else "sms_params"
    params = notification.payload.get(key)
    if not isinstance(params, dict):
        raise TransportError(f"no SMS template parameters (payload.{key})", permanent=True)
    return {k: str(v) for k, v in params.items()}


def template(notification, own: str, digest: str) -> tuple[str, bool]:
    """(template, whether it is the digest one): the account's digest template for a
    digest that carries its parameters, else the per-certificate one."""
    if digest and isinstance(notification.payload.get("digest_sms_params"), dict):
        return digest, True
    return own, False


def mainland_number(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    if digits.startswith("+86") and len(digits) == 14:
        return digits[3:]
    raise TransportError(f"not a mainland mobile number: {phone}", permanent=True)


class AliyunSmsTransport(Transport):
    channel = Channel.SMS_ALIYUN
    # Throttling and provider faults pass; a bad number, signature or template does not.
    RETRYABLE_PREFIXES = ("isp.", "Throttling", "ServiceUnavailable", "InternalError")
    RETRYABLE = {"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL"}

    def send(self, notification) -> str | None:
        s = self.settings(notification)
        code, digest = template(notification, s.template_code, s.digest_template_code)
        params = {
            "AccessKeyId": s.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": str(notification.key),
            "PhoneNumbers": mainland_number(notification.recipient),
            "RegionId": s.region_id,
            "SignName": s.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": code,
            "TemplateParam": json.dumps(
                sms_params(notification, digest=digest), ensure_ascii=False
            ),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature("POST", params, s.access_key_secret)
        body = urlencode(params).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        response = http.request("POST", s.endpoint, body=body, headers=headers)
        if response.status >= 500:
            raise TransportError(f"HTTP {response.status}: {response.text()[:200]}")
        return self._result(response.json())

    def _result(self, data: dict) -> str:
        code = str(data.get("Code", ""))
        if code == "OK":
            return str(data.get("BizId", ""))
        retry = code in self.RETRYABLE or code.startswith(self.RETRYABLE_PREFIXES)
        raise TransportError(f"Aliyun {code}: {data.get('Message', '')}", permanent=not retry)


class TencentSmsTransport(Transport):
    channel = Channel.SMS_TENCENT
    CONTENT_TYPE = "application/json; charset=utf-8"
    RETRYABLE_PREFIXES = ("InternalError", "RequestLimitExceeded", "LimitExceeded")

    def send(self, notification) -> str | None:
        s = self.settings(notification)
        template_id, digest = template(notification, s.template_id, s.digest_template_id)
        params = sms_params(notification, digest=digest)
        order = DIGEST_PARAM_ORDER if digest else PARAM_ORDER
        body = {
            "PhoneNumberSet": ["+86" + mainland_number(notification.recipient)],
            "SmsSdkAppId": s.sdk_app_id,
            "SignName": s.sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": [params.get(k, "") for k in order],
            "SessionContext": str(notification.key),
        }
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        response = http.request("POST", s.endpoint, body=payload, headers=self._headers(s, payload))
        if response.status >= 500:
            raise TransportError(f"HTTP {response.status}: {response.text()[:200]}")
        return self._result(response.json().get("Response") or {})

    def _headers(self, s, payload: bytes) -> dict[str, str]:
        host = urlsplit(s.endpoint).netloc
        ts = int(time.time())
        auth = tc3_authorization(
            secret_id=s.secret_id,
            secret_key=s.secret_key,
            service="sms",
            host=host,
            content_type=self.CONTENT_TYPE,
            payload=payload,
            timestamp=ts,
        )
        return {
            "Authorization": auth,
            "Content-Type": self.CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(ts),
            "X-TC-Version": "2021-01-11",
            "X-TC-Region": s.region,
        }

    def _result(self, data: dict) -> str:
        if "Error" in data:
            self._fail(data["Error"].get("Code", ""), data["Error"].get("Message", ""))
        statuses = data.get("SendStatusSet") or [{}]
        status = statuses[0]
        if status.get("Code") != "Ok":
            self._fail(status.get("Code", "unknown"), status.get("Message", ""))
        return str(status.get("SerialNo", ""))

    def _fail(self, code: str, message: str):
        retry = code.startswith(self.RETRYABLE_PREFIXES)
        raise TransportError(f"Tencent {code}: {message}", permanent=not retry)
