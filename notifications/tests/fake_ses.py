"""A tiny Amazon SES v2 API on 127.0.0.1 for tests: the real anymail backend (boto3 ``sesv2``
with ``endpoint_url``) posts ``SendEmail`` to it over HTTP. It answers the first ``failures``
requests with ``fail_status`` (or every request when ``always_fail``), then accepts and
records the raw MIME messages."""

import base64
import email
import email.policy
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SEND_EMAIL_PATH = "/v2/email/outbound-emails"


@dataclass
class Outbox:
    failures: int = 0
    always_fail: bool = False
    fail_status: int = 500
    delay: float = 0.0
    attempts: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SESHandler(BaseHTTPRequestHandler):
    server: "FakeSESServer"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _answer(self, status: int, body: dict[str, Any], error_type: str | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path != SEND_EMAIL_PATH:
            self._answer(404, {"message": f"unknown path {self.path}"}, "NotFoundException")
            return
        box = self.server.outbox
        with box.lock:
            box.attempts += 1
            box.requests.append({"headers": dict(self.headers), "body": body})
            failing = box.always_fail or box.attempts <= box.failures
        time.sleep(box.delay)
        if not failing:
            raw = base64.b64decode(body["Content"]["Raw"]["Data"])
            with box.lock:
                box.delivered.append(email.message_from_bytes(raw, policy=email.policy.default))
        if failing:
            if box.fail_status >= 500:
                self._answer(box.fail_status, {"message": "Service unavailable"}, "InternalFailure")
            else:
                self._answer(
                    box.fail_status, {"message": "Email address is not verified."}, "MessageRejected"
                )
            return
        self._answer(200, {"MessageId": f"fake-{uuid.uuid4()}"})


class FakeSESServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, outbox: Outbox) -> None:
        super().__init__(("127.0.0.1", 0), SESHandler)
        self.outbox = outbox

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> None:
        # A short poll: shutdown() waits up to one interval, at every test's teardown.
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def ses_anymail_settings(url: str, read_timeout: float = 5) -> dict[str, Any]:
    """ANYMAIL for the real SES backend against the fake: boto3's own retries off, so every
    attempt the fake counts is one of ours."""
    return {
        "AMAZON_SES_CLIENT_PARAMS": {
            "endpoint_url": url,
            "region_name": "us-east-1",
            "aws_access_key_id": "AKIDTEST",
            "aws_secret_access_key": "test-secret",
            "config": {
                "retries": {"total_max_attempts": 1},
                "connect_timeout": 2,
                "read_timeout": read_timeout,
            },
        }
    }


def parts(message: Message) -> dict[str, str]:
    """The decoded text of each part of a delivered message, by content type."""
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found
