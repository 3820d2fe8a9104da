"""What a hostile or broken client sends gets a 4xx and one log line: no 5xx, no traceback,
no listener run, nothing stored. Through the real HTTP server, like Slack reaches it."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
from contextlib import suppress
from urllib.parse import urlencode, urlsplit

import pytest

from bot.devtools.workspace import SIGNING_SECRET, SimulatedWorkspace
from bot.web import MAX_BODY_BYTES
from tests.slack.people import ANA, CHANNEL, FAC, start_group
from tests.snapshot import stored

FORM = "application/x-www-form-urlencoded"


def signed(ws: SimulatedWorkspace, body: bytes, content_type: str) -> dict[str, str]:
    """Headers as Slack signs `body` (over its bytes, whatever they are)."""
    now = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{now}:".encode() + body, hashlib.sha256)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": now,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


MALFORMED = {
    "payload is not JSON": (urlencode({"payload": "{not json"}).encode(), FORM),
    "payload is empty": (urlencode({"payload": ""}).encode(), FORM),
    "payload is a JSON list": (urlencode({"payload": "[1, 2]"}).encode(), FORM),
    "event body cut off": (
        b'{"type": "event_callback", "event": {"type": "mess',
        "application/json",
    ),
    "event body is an array": (b'[{"type": "event_callback"}]', "application/json"),
    "body is not UTF-8": (b"\xff\xfe\x00payload", FORM),
    "deeply nested JSON": (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "user is a number": (
        urlencode({"payload": json.dumps({"type": "block_actions", "user": 5})}).encode(),
        FORM,
    ),
    "our button with a foreign value": (
        urlencode(
            {
                "payload": json.dumps(
                    {
                        "type": "block_actions",
                        "user": {"id": ANA},
                        "team": {"id": "T1"},
                        "actions": [{"type": "button", "action_id": "group_join", "value": "x"}],
                    }
                )
            }
        ).encode(),
        FORM,
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_signed_but_malformed_body_gets_400_and_one_log_line(
    ws: SimulatedWorkspace, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    start_group(ws)
    before = stored(ws.store)
    ws.fake.reset_calls()
    body, content_type = MALFORMED[case]

    with caplog.at_level(logging.INFO):
        reply = ws.driver.raw(body, signed(ws, body, content_type))
        ws.settle()

    assert reply.status == 400
    assert stored(ws.store) == before
    assert ws.fake.calls_to("chat.postMessage") == [] and ws.fake.calls_to("views.open") == []
    # Ours, that is: waitress may warn of its queue on a busy machine.
    lines = [
        r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "waitress.queue"
    ]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert "refused" in lines[0].getMessage()


FORGED = {
    "non-numeric timestamp": {"X-Slack-Request-Timestamp": "yesterday"},
    "no signature": {"X-Slack-Signature": ""},
    "no timestamp": {"X-Slack-Request-Timestamp": ""},
}


@pytest.mark.parametrize("case", list(FORGED))
@pytest.mark.parametrize("body", [b"payload=not-json", urlencode({"text": "help"}).encode()])
def test_an_unsigned_request_gets_401_before_anything_reads_it(
    ws: SimulatedWorkspace, case: str, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    before = stored(ws.store)
    headers = signed(ws, body, FORM) | FORGED[case]

    with caplog.at_level(logging.DEBUG):
        reply = ws.driver.raw(body, headers)
        ws.settle()

    assert reply.status == 401
    assert stored(ws.store) == before
    assert ws.fake.calls_to("views.open") == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert body.decode() not in logged, "a refused request's body must not be logged"
    assert sum("refused" in r.getMessage() for r in caplog.records) == 1


def test_a_forged_request_with_a_bad_signature_is_not_logged_with_its_body(
    ws: SimulatedWorkspace, caplog: pytest.LogCaptureFixture
) -> None:
    body = urlencode({"command": "/p2p", "text": "secret-words-of-an-attacker"}).encode()
    headers = signed(ws, body, FORM) | {"X-Slack-Signature": "v0=" + "0" * 64}
    with caplog.at_level(logging.DEBUG):
        reply = ws.driver.raw(body, headers)
    assert reply.status == 401
    assert "secret-words-of-an-attacker" not in "\n".join(r.getMessage() for r in caplog.records)


def test_a_body_far_larger_than_slack_sends_is_refused_unread(ws: SimulatedWorkspace) -> None:
    before = stored(ws.store)
    body = b"text=" + b"a" * (MAX_BODY_BYTES + 1)
    status_line = _send_over_a_socket(ws.base_url, body, signed(ws, body, FORM))
    assert status_line.startswith(b"HTTP/1.1 413")
    assert stored(ws.store) == before


def _send_over_a_socket(base_url: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The server answers before the body is all sent and closes; an HTTP library would
    report the broken pipe instead of the answer, so speak HTTP by hand."""
    url = urlsplit(base_url)
    head = ["POST /slack/events HTTP/1.1", f"Host: {url.netloc}", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((url.hostname, url.port), timeout=30) as conn:
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        with suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(body)
        return conn.makefile("rb").readline()


def test_ten_kilobytes_of_unknown_subcommand_get_the_help_with_a_short_excerpt(
    ws: SimulatedWorkspace,
) -> None:
    before = stored(ws.store)
    reply = ws.command(ANA, "`x" * 5_000, channel_id=CHANNEL)

    assert reply.status == 200
    answer = reply.json["text"]
    assert answer.startswith("I don't know `/p2p 'x'x")
    assert "…`" in answer and len(answer.split("\n")[0]) < 100
    assert "/p2p start" in answer
    assert stored(ws.store) == before


def test_a_slash_command_that_says_payload_is_still_a_command(ws: SimulatedWorkspace) -> None:
    start_group(ws)
    reply = ws.command(FAC, "propose payload formats", channel_id=CHANNEL)
    assert reply.status == 200
    said = reply.body_text + "".join(m.plain for m in ws.fake.ephemerals(FAC))
    assert "payload formats" in said and "I don't know" not in said
