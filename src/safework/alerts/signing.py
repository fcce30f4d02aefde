"""Request signatures, exactly as each provider documents them. Pure functions, tested
against the providers' published examples (tests/alerts/test_signing.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote


def _hmac(key: bytes, msg: bytes, digest=hashlib.sha256) -> bytes:
    return hmac.new(key, msg, digest).digest()


# -- Aliyun RPC API, signature version 1.0 (HMAC-SHA1), as used by dysmsapi SendSms ----------


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is %XX of its UTF-8 bytes; so a space
    is %20 (not +), * is %2A and ~ stays (the documented fix-ups of form encoding)."""
    return quote(str(value), safe="-_.~")


def aliyun_string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    return f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"


def aliyun_signature(method: str, params: dict[str, str], secret: str) -> str:
    """Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))."""
    sts = aliyun_string_to_sign(method, params).encode("utf-8")
    return base64.b64encode(_hmac(f"{secret}&".encode(), sts, hashlib.sha1)).decode()


# -- Tencent Cloud API 3.0, TC3-HMAC-SHA256 ---------------------------------------------------


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    content_type: str,
    payload: bytes,
    timestamp: int,
    method: str = "POST",
) -> str:
    """CanonicalRequest -> StringToSign -> key derived from "TC3" + SecretKey by the UTC
    date, the service and "tc3_request" -> hex HMAC-SHA256; signed headers content-type
    and host."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            method,
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{day}/{service}/tc3_request"
    sts = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(f"TC3{secret_key}".encode(), day.encode())
    key = _hmac(_hmac(key, service.encode()), b"tc3_request")
    signature = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


# -- Group robots -----------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: Base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), timestamp
    in milliseconds; sent URL-encoded as the ``sign`` query parameter."""
    msg = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(_hmac(secret.encode(), msg)).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书 签名校验: Base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")), timestamp
    in seconds; sent in the JSON body. (The key/message order is the reverse of 钉钉's.)"""
    return base64.b64encode(_hmac(f"{timestamp_s}\n{secret}".encode(), b"")).decode()


def webhook_signature(secret: str, timestamp_s: int, body: bytes) -> str:
    """Our own webhook: ``sha256=`` + hex HMAC-SHA256 over ``{timestamp}.{body}``, so a
    receiver can reject replays by the timestamp (the Stripe/GitHub scheme)."""
    mac = hmac.new(secret.encode(), f"{timestamp_s}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()
