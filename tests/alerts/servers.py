"""Local stand-ins for the providers: a threaded HTTP server on 127.0.0.1 (random port)
that checks each request's signature the way the provider does, written here from the
providers' documentation independently of safework.alerts.signing, and answers as told:
success, a provider error, slowness, a dropped connection or 503 (down)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

SECRETS = {
    "aliyun": "testSecret",
    "tencent": "tencent-secret-key",
    "dingtalk": "SECdingtalk-secret",
    "feishu": "feishu-secret",
    "webhook": "webhook-secret",
}


def verify_aliyun(method: str, params: dict) -> bool:
    # POP signature v1: sort, percent-encode (RFC 3986), "POST&%2F&" + encoded query.
    enc = lambda s: quote(s, safe="~-_.")  # noqa: E731
    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()) if k != "Signature")
    sts = f"{method}&%2F&{enc(query)}"
    mac = hmac.new((SECRETS["aliyun"] + "&").encode(), sts.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode() == params.get("Signature")


def verify_tencent(headers, body: bytes) -> bool:
    auth = headers["Authorization"]
    ts = int(headers["X-TC-Timestamp"])
    day = datetime.fromtimestamp(ts, UTC).date().isoformat()
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['Content-Type']}\nhost:{headers['Host']}\n\n"
        f"content-type;host\n{hashlib.sha256(body).hexdigest()}"
    )
    sts = (
        f"TC3-HMAC-SHA256\n{ts}\n{day}/sms/tc3_request\n"
        + hashlib.sha256(canonical.encode()).hexdigest()
    )
    k = hmac.new(("TC3" + SECRETS["tencent"]).encode(), day.encode(), hashlib.sha256).digest()
    k = hmac.new(k, b"sms", hashlib.sha256).digest()
    k = hmac.new(k, b"tc3_request", hashlib.sha256).digest()
    signature = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return (
        auth
        == (
            f"TC3-HMAC-SHA256 Credential=AKIDtest/{day}/sms/tc3_request, "
            f"SignedHeaders=content-type;host, Signature={signature}"
        )
        and abs(time.time() - ts) < 300
    )


def verify_dingtalk(query: dict) -> bool:
    ts, sign = query["timestamp"][0], query["sign"][0]  # parse_qs already URL-decoded it
    mac = hmac.new(
        SECRETS["dingtalk"].encode(), f"{ts}\n{SECRETS['dingtalk']}".encode(), hashlib.sha256
    )
    return (
        base64.b64encode(mac.digest()).decode() == sign
        and abs(time.time() * 1000 - int(ts)) < 3600_000
    )


def verify_feishu(doc: dict) -> bool:
    key = f"{doc['timestamp']}\n{SECRETS['feishu']}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    return doc["sign"] == expected and abs(time.time() - int(doc["timestamp"])) < 3600


def verify_webhook(headers, body: bytes) -> bool:
    ts = headers["X-Safework-Timestamp"]
    mac = hmac.new(SECRETS["webhook"].encode(), f"{ts}.".encode() + body, hashlib.sha256)
    return headers["X-Safework-Signature"] == "sha256=" + mac.hexdigest()


class ProviderServer:
    def __init__(self):
        self.requests: list[dict] = []
        self.mode = "ok"  # ok | error | slow | drop | down
        self.error_code = None
        self.delay = 0.0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer._handle(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A client that gave up (timeout test) leaves a broken pipe: not worth a traceback.
        self.httpd.handle_error = lambda request, address: None
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, h: BaseHTTPRequestHandler):
        body = h.rfile.read(int(h.headers.get("Content-Length", 0)))
        parts = urlsplit(h.path)
        record = {
            "path": parts.path,
            "query": parse_qs(parts.query),
            "headers": h.headers,
            "body": body,
        }
        with self.lock:
            self.requests.append(record)
        if self.mode == "drop":
            h.connection.shutdown(2)  # no answer at all
            return
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "down":
            return self._reply(h, 503, {"message": "down"})
        provider = parts.path.strip("/")
        record["valid"] = getattr(self, f"_check_{provider}")(h, body, record)
        self._reply(h, 200, getattr(self, f"_answer_{provider}")(record))

    def _reply(self, h, status: int, doc: dict):
        data = json.dumps(doc).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    # -- per provider: the check the provider does, and its answer --------------------------

    def _check_aliyun(self, h, body, record):
        params = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        record["params"] = params
        return verify_aliyun("POST", params)

    def _answer_aliyun(self, r):
        if not r["valid"]:
            return {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched",
            }
        if self.mode == "error":
            return {"Code": self.error_code, "Message": "error"}
        return {"Code": "OK", "Message": "OK", "BizId": "biz-" + r["params"]["OutId"][:8]}

    def _check_tencent(self, h, body, record):
        record["json"] = json.loads(body)
        return verify_tencent(h.headers, body)

    def _answer_tencent(self, r):
        if not r["valid"]:
            return {
                "Response": {
                    "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"},
                    "RequestId": "x",
                }
            }
        if self.mode == "error":
            return {
                "Response": {
                    "Error": {"Code": self.error_code, "Message": "error"},
                    "RequestId": "x",
                }
            }
        number = r["json"]["PhoneNumberSet"][0]
        status = {
            "SerialNo": "serial-1",
            "PhoneNumber": number,
            "Code": "Ok",
            "Message": "send success",
        }
        return {"Response": {"SendStatusSet": [status], "RequestId": "req-1"}}

    def _check_wecom(self, h, body, record):
        record["json"] = json.loads(body)
        return record["query"].get("key") == ["wecom-key"]

    def _answer_wecom(self, r):
        if not r["valid"]:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        if self.mode == "error":
            return {"errcode": self.error_code, "errmsg": "error"}
        return {"errcode": 0, "errmsg": "ok"}

    def _check_dingtalk(self, h, body, record):
        record["json"] = json.loads(body)
        return verify_dingtalk(record["query"])

    def _answer_dingtalk(self, r):
        if not r["valid"]:
            return {"errcode": 310000, "errmsg": "sign not match"}
        if self.mode == "error":
            return {"errcode": self.error_code, "errmsg": "error"}
        return {"errcode": 0, "errmsg": "ok"}

    def _check_feishu(self, h, body, record):
        record["json"] = json.loads(body)
        return verify_feishu(record["json"])

    def _answer_feishu(self, r):
        if not r["valid"]:
            return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
        if self.mode == "error":
            return {"code": self.error_code, "msg": "error"}
        return {"code": 0, "msg": "success", "data": {}}

    def _check_webhook(self, h, body, record):
        record["json"] = json.loads(body)
        return verify_webhook(h.headers, body)

    def _answer_webhook(self, r):
        return {"ok": r["valid"]}
