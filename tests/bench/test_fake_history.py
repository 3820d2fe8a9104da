"""conversations.history / replies: order, windows, cursors, metadata, access."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.fake_slack import FakeSlack


def post(client: WebClient, text: str, **extra: object) -> str:
    return str(client.chat_postMessage(channel="C_LEARN", text=text, **extra)["ts"])


def test_newest_first_with_metadata_only_when_asked(client: WebClient) -> None:
    post(client, "plain")
    post(client, "tagged", metadata={"event_type": "poll", "event_payload": {"id": 7}})
    without = client.conversations_history(channel="C_LEARN")["messages"]
    with_meta = client.conversations_history(channel="C_LEARN", include_all_metadata=True)[
        "messages"
    ]
    assert [m["text"] for m in without] == ["tagged", "plain"]
    assert all("metadata" not in m for m in without)
    assert with_meta[0]["metadata"] == {"event_type": "poll", "event_payload": {"id": 7}}
    assert "metadata" not in with_meta[1]


def test_pagination_by_cursor(client: WebClient) -> None:
    for i in range(5):
        post(client, f"m{i}")
    first = client.conversations_history(channel="C_LEARN", limit=2).data
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"]
    assert first["has_more"] is True
    texts: list[str] = []
    for page in client.conversations_history(
        channel="C_LEARN", limit=2
    ):  # slack_sdk follows cursors
        texts += [m["text"] for m in page["messages"]]
    assert texts == ["m4", "m3", "m2", "m1", "m0"]


def test_oldest_latest_inclusive(client: WebClient) -> None:
    ts = [post(client, f"m{i}") for i in range(4)]
    window = client.conversations_history(channel="C_LEARN", oldest=ts[1], latest=ts[3])["messages"]
    assert [m["text"] for m in window] == ["m2"]
    window = client.conversations_history(
        channel="C_LEARN", oldest=ts[1], latest=ts[3], inclusive=True
    )["messages"]
    assert [m["text"] for m in window] == ["m3", "m2", "m1"]


def test_thread_summary_and_replies(client: WebClient, fake: FakeSlack) -> None:
    parent = post(client, "parent")
    post(client, "r1", thread_ts=parent)
    fake.add_user_message("C_LEARN", "U_ANA", "r2", thread_ts=parent)
    (summary,) = client.conversations_history(channel="C_LEARN")["messages"]
    assert (summary["reply_count"], summary["reply_users"]) == (2, ["UBOT", "U_ANA"])
    replies = client.conversations_replies(channel="C_LEARN", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "r1", "r2"]
    with pytest.raises(SlackApiError) as caught:
        client.conversations_replies(channel="C_LEARN", ts="1.000001")
    assert caught.value.response["error"] == "thread_not_found"


def test_history_access(client: WebClient, fake: FakeSlack) -> None:
    fake.add_channel("C_OUT", name="out", bot_is_member=False)
    fake.add_channel("G_PRIV", name="priv", is_private=True, bot_is_member=False)
    for channel, error in (("C_OUT", "not_in_channel"), ("G_PRIV", "channel_not_found")):
        with pytest.raises(SlackApiError) as caught:
            client.conversations_history(channel=channel)
        assert caught.value.response["error"] == error
