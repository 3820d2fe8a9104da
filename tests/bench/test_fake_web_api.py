"""The fake answers a real WebClient as Slack does: success shapes and error codes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.fake_slack import FakeSlack


def error_of(call, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    return str(caught.value.response["error"])


def test_auth_test_names_the_bot(client: WebClient, fake: FakeSlack) -> None:
    data = client.auth_test().data
    assert data["user_id"] == fake.bot_user_id == "UBOT"
    assert data["bot_id"] == "BBOT"
    assert data["team_id"] == "T0P2P"


def test_wrong_or_missing_token(fake: FakeSlack) -> None:
    assert (
        error_of(WebClient(token="xoxb-wrong", base_url=fake.api_url).auth_test) == "invalid_auth"
    )
    assert error_of(WebClient(base_url=fake.api_url).auth_test) == "not_authed"


def test_unknown_method_is_a_violation(client: WebClient, fake: FakeSlack) -> None:
    assert error_of(client.api_call, api_method="chat.postMesage") == "unknown_method"
    assert fake.take_violations() == [
        "chat.postMesage: no such method (or not yet in spec/web_api_methods.json)"
    ]


def test_users_info_time_zone_follows_the_clock(client: WebClient) -> None:
    with time_machine.travel(datetime(2024, 7, 1, 12, tzinfo=UTC)):
        summer = client.users_info(user="U_ANA")["user"]
    with time_machine.travel(datetime(2024, 12, 1, 12, tzinfo=UTC)):
        winter = client.users_info(user="U_ANA")["user"]
    assert (summer["tz"], summer["tz_offset"], summer["tz_label"]) == (
        "Europe/Amsterdam",
        7200,
        "CEST",
    )
    assert (winter["tz_offset"], winter["tz_label"]) == (3600, "CET")
    assert summer["profile"]["real_name"] == "Ana"
    assert summer["deleted"] is False


def test_users_info_errors_and_deactivation(client: WebClient, fake: FakeSlack) -> None:
    assert error_of(client.users_info, user="U_NOBODY") == "user_not_found"
    fake.deactivate("U_BEN")
    assert client.users_info(user="U_BEN")["user"]["deleted"] is True


def test_conversations_info(client: WebClient, fake: FakeSlack) -> None:
    fake.add_channel("G_SECRET", name="secret", is_private=True, bot_is_member=False)
    fake.add_channel("C_OTHER", name="other", bot_is_member=False)
    info = client.conversations_info(channel="C_LEARN")["channel"]
    assert (info["name"], info["is_member"], info["is_private"], info["is_archived"]) == (
        "learning",
        True,
        False,
        False,
    )
    assert client.conversations_info(channel="C_OTHER")["channel"]["is_member"] is False
    assert error_of(client.conversations_info, channel="G_SECRET") == "channel_not_found"


def test_conversations_open_and_deactivated_user(client: WebClient, fake: FakeSlack) -> None:
    first = client.conversations_open(users="U_ANA").data
    again = client.conversations_open(users="U_ANA").data
    assert first["channel"]["id"] == again["channel"]["id"] == fake.dm_channel_id("U_ANA")
    assert again["already_open"] is True
    assert client.conversations_info(channel=first["channel"]["id"])["channel"]["is_im"] is True
    fake.deactivate("U_BEN")
    assert error_of(client.conversations_open, users="U_BEN") == "user_disabled"


def test_post_message_shape(client: WebClient, fake: FakeSlack) -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Study group *SQL*"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Join (3 seats left)"},
                    "action_id": "join",
                    "value": "g1",
                },
            ],
        },
    ]
    data = client.chat_postMessage(
        channel="C_LEARN",
        text="Study group SQL",
        blocks=blocks,
        unfurl_links=False,
        metadata={"event_type": "group_posted", "event_payload": {"group": 1}},
    ).data
    assert data["ok"] is True and data["channel"] == "C_LEARN"
    assert data["message"]["bot_id"] == "BBOT" and data["message"]["user"] == "UBOT"
    (message,) = fake.messages("C_LEARN")
    assert message.ts == data["ts"]
    assert "3 seats left" in message.plain and "Study group *SQL*" in message.plain
    assert message.metadata == {"event_type": "group_posted", "event_payload": {"group": 1}}
    assert message.unfurl_links is False
    assert [b["block_id"] for b in message.blocks] == ["b0", "b1"]  # Slack fills block_ids in
    assert fake.find_message("C_LEARN", contains="seats left") is message


def test_ts_are_unique_increasing_and_follow_time_machine(client: WebClient) -> None:
    with time_machine.travel(datetime(2024, 3, 4, 9, tzinfo=UTC), tick=False):
        ts = [client.chat_postMessage(channel="C_LEARN", text=str(i))["ts"] for i in range(3)]
    assert ts == sorted(ts) and len(set(ts)) == 3
    assert ts[0].startswith(str(int(datetime(2024, 3, 4, 9, tzinfo=UTC).timestamp())))


def test_post_to_a_user_id_goes_to_their_dm(client: WebClient, fake: FakeSlack) -> None:
    data = client.chat_postMessage(channel="U_ANA", text="Welcome!").data
    assert data["channel"].startswith("D")
    assert [m.text for m in fake.dm("U_ANA")] == ["Welcome!"]
    assert fake.messages("U_ANA") == fake.dm("U_ANA")


def test_post_to_a_deactivated_user_still_succeeds(client: WebClient, fake: FakeSlack) -> None:
    # As Slack does (python-slack-sdk #1156): nobody will read it.
    fake.deactivate("U_BEN")
    assert client.chat_postMessage(channel="U_BEN", text="hello?")["ok"] is True


def test_post_message_errors(client: WebClient, fake: FakeSlack) -> None:
    post = client.chat_postMessage
    assert error_of(post, channel="C_NOPE", text="x") == "channel_not_found"
    assert error_of(post, channel="C_LEARN") == "no_text"
    assert error_of(post, channel="C_LEARN", text="x" * 40_001) == "msg_too_long"
    fake.remove_bot("C_LEARN")
    assert error_of(post, channel="C_LEARN", text="x") == "not_in_channel"
    fake.add_member("C_LEARN", fake.bot_user_id)
    fake.archive("C_LEARN")
    assert error_of(post, channel="C_LEARN", text="x") == "is_archived"


def test_threads_and_broadcast(client: WebClient, fake: FakeSlack) -> None:
    parent = client.chat_postMessage(channel="C_LEARN", text="Week 1")["ts"]
    client.chat_postMessage(channel="C_LEARN", text="reply", thread_ts=parent)
    client.chat_postMessage(channel="C_LEARN", text="loud", thread_ts=parent, reply_broadcast=True)
    assert [m.text for m in fake.thread("C_LEARN", parent)] == ["reply", "loud"]
    assert [m.text for m in fake.messages("C_LEARN")] == ["Week 1", "loud"]


def test_update_delete_and_edits(client: WebClient, fake: FakeSlack) -> None:
    ts = client.chat_postMessage(channel="C_LEARN", text="3 seats left")["ts"]
    client.chat_update(channel="C_LEARN", ts=ts, text="2 seats left")
    data = client.chat_update(channel="C_LEARN", ts=ts, text="1 seat left").data
    assert data["text"] == "1 seat left"
    message = fake.message("C_LEARN", ts)
    assert message is not None and message.edits == 2
    assert [h["text"] for h in message.history] == ["3 seats left", "2 seats left"]
    assert (
        error_of(client.chat_update, channel="C_LEARN", ts="1.000001", text="x")
        == "message_not_found"
    )
    client.chat_delete(channel="C_LEARN", ts=ts)
    assert fake.messages("C_LEARN") == []


def test_cannot_update_someone_elses_message(client: WebClient, fake: FakeSlack) -> None:
    theirs = fake.add_user_message("C_LEARN", "U_ANA", "my message")
    assert (
        error_of(client.chat_update, channel="C_LEARN", ts=theirs.ts, text="x")
        == "cant_update_message"
    )


def test_update_with_text_only_drops_blocks(client: WebClient, fake: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "old"}}]
    ts = client.chat_postMessage(channel="C_LEARN", text="old", blocks=blocks)["ts"]
    client.chat_update(channel="C_LEARN", ts=ts, text="new")
    message = fake.message("C_LEARN", ts)
    assert message is not None and message.blocks == [] and message.plain == "new"


def test_ephemeral(client: WebClient, fake: FakeSlack) -> None:
    fake.add_user("U_OUT", name="out")
    data = client.chat_postEphemeral(channel="C_LEARN", user="U_ANA", text="only you").data
    assert set(data) >= {"ok", "message_ts"}
    assert [m.text for m in fake.ephemerals(user="U_ANA")] == ["only you"]
    assert fake.ephemerals(user="U_BEN") == [] and fake.messages("C_LEARN") == []
    assert error_of(client.chat_postEphemeral, channel="C_LEARN", user="U_OUT", text="x") == (
        "user_not_in_channel"
    )


def test_permalink_and_reactions(client: WebClient, fake: FakeSlack) -> None:
    ts = client.chat_postMessage(channel="C_LEARN", text="hi")["ts"]
    link = client.chat_getPermalink(channel="C_LEARN", message_ts=ts)["permalink"]
    assert link == f"https://p2p-test.slack.com/archives/C_LEARN/p{ts.replace('.', '')}"
    client.reactions_add(channel="C_LEARN", timestamp=ts, name="tada")
    assert (
        error_of(client.reactions_add, channel="C_LEARN", timestamp=ts, name="tada")
        == "already_reacted"
    )
    message = fake.message("C_LEARN", ts)
    assert message is not None and message.reactions == {"tada": ["UBOT"]}


def test_join_public_channel(client: WebClient, fake: FakeSlack) -> None:
    fake.add_channel("C_NEW", name="new", bot_is_member=False)
    fake.add_channel("G_PRIV", name="priv", is_private=True)
    assert client.conversations_join(channel="C_NEW")["channel"]["is_member"] is True
    assert client.chat_postMessage(channel="C_NEW", text="hello")["ok"]
    assert (
        error_of(client.conversations_join, channel="G_PRIV")
        == "method_not_supported_for_channel_type"
    )


def test_calls_are_recorded(client: WebClient, fake: FakeSlack) -> None:
    client.chat_postMessage(channel="C_LEARN", text="one")
    error_of(client.chat_postMessage, channel="C_NOPE", text="two")
    calls = fake.calls_to("chat.postMessage")
    assert [c.args["text"] for c in calls] == ["one", "two"]
    assert [c.response["ok"] for c in calls] == [True, False]
    assert all(c.status == 200 and c.at > 0 for c in calls)
    fake.reset_calls()
    assert fake.calls == []
