#!/usr/bin/env python3
"""A reference gate controller for safework (standard library only).

It keeps a local allowlist in sync with ``GET /api/v1/gate/allowlist``, applies pushed
permission changes (checking their HMAC signature and ignoring repeated event ids), and
decides at the gate without the network: a badge is let in when its hash is on the list,
the gate's work area is among the person's allowed areas, and the entry's
``allowed_until`` has not passed (a certificate that lapses at midnight stops working
at midnight even if the controller has been offline since the afternoon).

    gate_controller.py --server URL --token GATE_TOKEN --gate n-1 --state s.json sync
    gate_controller.py --server URL --token GATE_TOKEN --gate n-1 --state s.json decide QR
    gate_controller.py ... --push-secret SECRET listen --port 9100

``decide`` prints the decision as JSON and exits 0 for allow, 1 for deny.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PUSH_TOLERANCE = 300  # seconds a pushed event's timestamp may differ from our clock
REMEMBERED_EVENTS = 10_000


class GateController:
    def __init__(self, server: str, token: str, gate: str, state: Path | None = None,
                 push_secret: str | None = None):  # fmt: skip
        self.server = server.rstrip("/")
        self.token = token
        self.gate = gate
        self.state_path = state
        self.push_secret = push_secret
        self.lock = threading.Lock()
        self.cursor = ""
        self.gates: dict[str, int] = {}
        self.entries: dict[int, dict] = {}
        self.pushed_seq: dict[int, int] = {}
        self.seen_events: list[str] = []
        self._load()

    # --- state -----------------------------------------------------------------------

    def _load(self) -> None:
        if not self.state_path or not self.state_path.exists():
            return
        data = json.loads(self.state_path.read_text(encoding="utf-8"))
        self.cursor, self.gates = data["cursor"], data["gates"]
        self.entries = {int(k): v for k, v in data["entries"].items()}
        self.seen_events = data.get("seen_events", [])

    def save(self) -> None:
        if not self.state_path:
            return
        data = {
            "cursor": self.cursor,
            "gates": self.gates,
            "entries": self.entries,
            "seen_events": self.seen_events[-REMEMBERED_EVENTS:],
        }
        self.state_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    # --- sync ------------------------------------------------------------------------

    def _get(self, path: str) -> dict:
        request = urllib.request.Request(
            self.server + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))

    def sync(self) -> int:
        """Fetch the full list or the changes since our cursor; returns entries applied."""
        applied, more = 0, True
        while more:
            query = urllib.parse.urlencode({"since": self.cursor} if self.cursor else {})
            answer = self._get("/api/v1/gate/allowlist" + (f"?{query}" if query else ""))
            with self.lock:
                if answer["full"]:
                    self.entries = {}
                for entry in answer["entries"]:
                    self._apply(entry)
                self.gates = {g["code"]: g["area_id"] for g in answer["gates"]}
                self.cursor, more = answer["cursor"], answer["more"]
            applied += len(answer["entries"])
        self.save()
        return applied

    def _apply(self, entry: dict) -> None:
        if entry["allowed"]:
            self.entries[entry["person_id"]] = entry
        else:
            self.entries.pop(entry["person_id"], None)

    # --- pushes ------------------------------------------------------------------------

    def handle_push(self, headers, body: bytes, now: float | None = None) -> int:
        """Apply one pushed event; the HTTP status to answer with."""
        event_id = headers.get("X-Safework-Event", "")
        stamp = headers.get("X-Safework-Timestamp", "")
        if not self._signed(event_id, stamp, body, headers.get("X-Safework-Signature", "")):
            return 401
        if abs((now or time.time()) - int(stamp)) > PUSH_TOLERANCE:
            return 401  # a replay of an old request
        with self.lock:
            if event_id in self.seen_events:
                return 200  # delivered twice (a retry): already applied
            event = json.loads(body.decode("utf-8"))
            entry, seq = event["entry"], int(event_id.rsplit(".", 1)[1])
            if seq > self.pushed_seq.get(entry["person_id"], 0):  # never step back
                self.pushed_seq[entry["person_id"]] = seq
                self._apply(entry)
            self.seen_events.append(event_id)
        self.save()
        return 200

    def _signed(self, event_id: str, stamp: str, body: bytes, signature: str) -> bool:
        if not self.push_secret or not stamp.isdigit():
            return False
        message = f"{stamp}.{event_id}.".encode() + body
        expected = hmac.new(self.push_secret.encode(), message, hashlib.sha256).hexdigest()
        return hmac.compare_digest("sha256=" + expected, signature)

    def serve(self, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
        controller = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = controller.handle_push(self.headers, body)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    # --- deciding offline -------------------------------------------------------------------

    def decide(self, credential: str, now: datetime | None = None) -> dict:
        """allow/deny for a scanned QR (the badge URL or the token) at our gate."""
        token = credential.strip().rsplit("/v/", 1)[-1].split("?")[0]
        digest = hashlib.sha256(token.encode()).hexdigest()
        with self.lock:
            entry = next((e for e in self.entries.values() if e["badge_hash"] == digest), None)
        return self._decide(entry, now)

    def decide_person(self, person_id: int, now: datetime | None = None) -> dict:
        """For a face match or an ID card reader that yields the person id."""
        with self.lock:
            return self._decide(self.entries.get(person_id), now)

    def _decide(self, entry: dict | None, now: datetime | None) -> dict:
        now = now or datetime.now(UTC)
        if entry is None:
            return {"decision": "deny", "reason": "not_on_allowlist"}
        if self.gates.get(self.gate) not in entry["allowed_areas"]:
            return {"decision": "deny", "reason": "area_not_authorized", "person": entry["name"]}
        until = entry["allowed_until"]
        if until and now >= datetime.fromisoformat(until):
            return {"decision": "deny", "reason": "expired", "person": entry["name"]}
        return {"decision": "allow", "person": entry["name"], "person_id": entry["person_id"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--token", required=True, help="an API token with the gate scope")
    parser.add_argument("--gate", required=True, help="this controller's gate code")
    parser.add_argument("--state", type=Path, help="where the local allowlist is kept")
    parser.add_argument("--push-secret", help="the push endpoint's signing secret")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sync")
    decide = sub.add_parser("decide")
    decide.add_argument("credential")
    decide.add_argument("--at", help="ISO time to decide for (default now)")
    listen = sub.add_parser("listen")
    listen.add_argument("--port", type=int, default=9100)
    args = parser.parse_args(argv)
    controller = GateController(args.server, args.token, args.gate, args.state, args.push_secret)
    if args.command == "sync":
        print(json.dumps({"applied": controller.sync(), "cursor": controller.cursor}))
        return 0
    if args.command == "decide":
        at = datetime.fromisoformat(args.at) if args.at else None
        result = controller.decide(args.credential, now=at)
        print(json.dumps(result, ensure_ascii=False))
        return 0 if result["decision"] == "allow" else 1
    server = controller.serve(args.port)
    print(f"listening on 127.0.0.1:{args.port}", file=sys.stderr)
    try:
        while True:
            time.sleep(60)
            controller.sync()
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
