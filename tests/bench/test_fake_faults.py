"""Injected failures, 429 + Retry-After, and the optional enforced rate limits."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.devtools.fake_slack import FakeSlack

TOKEN = "xoxb-test"


def test_fail_once_then_succeed(client: WebClient, fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", error="not_in_channel", times=1)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C_LEARN", text="first")
    assert caught.value.response["error"] == "not_in_channel"
    assert client.chat_postMessage(channel="C_LEARN", text="second")["ok"]
    assert [m.text for m in fake.messages("C_LEARN")] == ["second"]


def test_fail_only_when_args_match(client: WebClient, fake: FakeSlack) -> None:
    fake.fail(
        "chat.postMessage", error="channel_not_found", when=lambda a: a.get("channel") == "U_BEN"
    )
    client.chat_postMessage(channel="U_ANA", text="ok")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="U_BEN", text="fails")


def test_rate_limit_is_429_with_retry_after(client: WebClient, fake: FakeSlack) -> None:
    fake.rate_limit("chat.update", retry_after=7)
    ts = client.chat_postMessage(channel="C_LEARN", text="x")["ts"]
    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel="C_LEARN", ts=ts, text="y")
    response = caught.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "7"


def test_retry_handler_honours_retry_after(fake: FakeSlack) -> None:
    client = WebClient(
        token=TOKEN,
        base_url=fake.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.rate_limit("chat.postMessage", retry_after=1, times=1)
    assert client.chat_postMessage(channel="C_LEARN", text="eventually")["ok"]
    first, second = fake.calls_to("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0
    assert len(fake.messages("C_LEARN")) == 1


def test_enforced_limits_allow_a_burst_then_429() -> None:
    with FakeSlack(bot_token=TOKEN, enforce_rate_limits=True) as fake:
        fake.add_channel("C_A", name="a")
        fake.add_channel("C_B", name="b")
        client = WebClient(token=TOKEN, base_url=fake.api_url)
        for i in range(3):
            client.chat_postMessage(channel="C_A", text=str(i))
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="C_A", text="too fast")
        assert caught.value.response.status_code == 429
        assert int(caught.value.response.headers["Retry-After"]) >= 1
        assert client.chat_postMessage(channel="C_B", text="other channel")["ok"]  # per channel


def test_enforced_limits_are_per_workspace_and_can_run_faster() -> None:
    with FakeSlack(bot_token=TOKEN, enforce_rate_limits=True, rate_limit_scale=10) as fake:
        fake.add_channel("C_A", name="a")
        fake.add_channel("C_B", name="b")
        fake.limits.assign("T_OTHER", "C_B")  # type: ignore[union-attr]
        client = WebClient(token=TOKEN, base_url=fake.api_url)
        ts = client.chat_postMessage(channel="C_A", text="x")["ts"]
        updates = 0
        with pytest.raises(SlackApiError) as caught:
            while updates < 500:  # Tier 3: 50 a minute for this workspace, as a burst
                client.chat_update(channel="C_A", ts=ts, text="y")
                updates += 1
        assert updates >= 50
        # Whole seconds of Slack's time, run ten times faster.
        assert caught.value.response.headers["Retry-After"] in ("0.1", "0.2")
        other = client.chat_postMessage(channel="C_B", text="x")["ts"]
        assert client.chat_update(channel="C_B", ts=other, text="y")["ok"]  # its own budget
