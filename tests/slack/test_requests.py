"""Only Slack gets in: forged or replayed requests are refused and change nothing."""

from __future__ import annotations

import time
import urllib.request
from urllib.parse import urlencode

from bot.devtools.workspace import SimulatedWorkspace
from tests.slack.people import ANA, CHANNEL


def _command_body(ws: SimulatedWorkspace) -> bytes:
    return urlencode(
        {
            "command": "/p2p",
            "text": "start Rust",
            "team_id": ws.fake.team_id,
            "channel_id": CHANNEL,
            "channel_name": "learning",
            "user_id": ANA,
            "user_name": "ana",
            "trigger_id": ws.fake.new_trigger_id(ANA),
            "response_url": ws.fake.new_response_url(ANA, CHANNEL),
            "api_app_id": ws.fake.app_id,
        }
    ).encode()


def test_a_forged_signature_is_refused(ws: SimulatedWorkspace) -> None:
    body = _command_body(ws)
    now = str(int(time.time()))
    reply = ws.driver.raw(
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    ws.settle()
    assert reply.status == 401
    assert ws.fake.calls_to("views.open") == [] and ws.fake.calls_to("users.info") == []


def test_a_request_older_than_five_minutes_is_refused_even_if_signed(
    ws: SimulatedWorkspace,
) -> None:
    body = _command_body(ws)
    stale = str(int(time.time()) - 6 * 60)
    reply = ws.driver.raw(
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stale,
            "X-Slack-Signature": ws.driver.sign(body, stale),
        },
    )
    ws.settle()
    assert reply.status == 401
    assert ws.fake.calls_to("views.open") == []


def test_a_correctly_signed_request_gets_in(ws: SimulatedWorkspace) -> None:
    body = _command_body(ws)
    now = str(int(time.time()))
    reply = ws.driver.raw(
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": ws.driver.sign(body, now),
        },
    )
    ws.settle()
    assert reply.status == 200
    assert len(ws.fake.calls_to("views.open")) == 1


def test_healthz_answers_when_the_database_is_reachable(ws: SimulatedWorkspace) -> None:
    with urllib.request.urlopen(f"{ws.base_url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert response.read() == b"ok\n"


def test_the_events_url_answers_slacks_url_verification(ws: SimulatedWorkspace) -> None:
    reply = ws.driver.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert reply.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in reply.body_text
