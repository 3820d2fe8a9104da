"""SlackDriver against a real Bolt app served over HTTP, with the fake as its Web API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.devtools.driver import SlackDriver
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.wsgi_server import LocalWsgiServer

SECRET = "test-signing-secret"

JOIN_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "join_modal",
    "title": {"type": "plain_text", "text": "Join"},
    "submit": {"type": "plain_text", "text": "Join"},
    "private_metadata": "group-7",
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "level",
            "label": {"type": "plain_text", "text": "Level"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": [
                    {"text": {"type": "plain_text", "text": "Beginner"}, "value": "beg"},
                    {"text": {"type": "plain_text", "text": "Expert"}, "value": "exp"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "when",
            "optional": True,
            "label": {"type": "plain_text", "text": "Start"},
            "element": {"type": "datepicker", "action_id": "date", "initial_date": "2024-09-02"},
        },
        {
            "type": "input",
            "block_id": "note",
            "optional": True,
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        },
        {
            "type": "actions",
            "block_id": "more",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Help"},
                    "action_id": "help",
                }
            ],
        },
    ],
}

GROUP_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*SQL basics*: 3 seats left"}},
    {
        "type": "actions",
        "block_id": "yes",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Join"},
                "action_id": "rsvp",
                "value": "yes",
            },
            {
                "type": "static_select",
                "action_id": "slot",
                "placeholder": {"type": "plain_text", "text": "Slot"},
                "options": [
                    {"text": {"type": "plain_text", "text": "Mon 18:00"}, "value": "mon18"}
                ],
            },
        ],
    },
    {
        "type": "actions",
        "block_id": "no",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Not now"},
                "action_id": "rsvp",
                "value": "no",
            },
        ],
    },
]


def build_app(fake: FakeSlack, seen: dict[str, list[Any]], *, before_response: bool) -> App:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=fake.bot_token, base_url=fake.api_url),
        process_before_response=before_response,
    )

    @app.command("/p2p")
    def on_command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        seen["command"].append(body)
        if body["text"] == "join":
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=JOIN_MODAL)
        else:
            ack(f"You said {body['text']}")

    @app.action("rsvp")
    def on_rsvp(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        seen["rsvp"].append(body)
        respond(text=f"Got {body['actions'][0]['value']}", replace_original=False)

    @app.action("slot")
    def on_slot(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen["slot"].append(body)

    @app.action("help")
    def on_help(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        seen["help"].append(body)
        client.views_push(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "title": {"type": "plain_text", "text": "Help"},
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": "Ask in #learning"}}
                ],
            },
        )

    @app.view("join_modal")
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        seen["submit"].append(body)
        name = view["state"]["values"]["name"]["value"]["value"]
        if name == "x":
            ack(response_action="errors", errors={"name": "Too short"})
        elif name == "again":
            ack(
                response_action="update",
                view={**JOIN_MODAL, "title": {"type": "plain_text", "text": "Again"}},
            )
        else:
            ack()

    @app.event("message")
    def on_message(event: dict[str, Any], request: BoltRequest) -> None:
        seen["message"].append((event, request.headers.get("x-slack-retry-num")))

    return app


@pytest.fixture
def seen() -> dict[str, list[Any]]:
    return {k: [] for k in ("command", "rsvp", "slot", "help", "submit", "message")}


@pytest.fixture
def driver(fake: FakeSlack, seen: dict[str, list[Any]]) -> Iterator[SlackDriver]:
    # process_before_response: the HTTP reply waits for the listener, so tests need not poll.
    app = build_app(fake, seen, before_response=True)
    with LocalWsgiServer(SlackRequestHandler(app)) as server:
        yield SlackDriver(f"{server.url}/slack/events", SECRET, fake)


def test_command_reaches_the_listener_with_slack_fields(
    driver: SlackDriver, fake: FakeSlack, seen: dict[str, list[Any]]
) -> None:
    reply = driver.command("U_ANA", "hello", channel_id="C_LEARN")
    assert reply.status == 200
    (body,) = seen["command"]
    assert {
        k: body[k]
        for k in (
            "command",
            "text",
            "user_id",
            "user_name",
            "channel_id",
            "channel_name",
            "team_id",
            "team_domain",
            "api_app_id",
        )
    } == {
        "command": "/p2p",
        "text": "hello",
        "user_id": "U_ANA",
        "user_name": "ana",
        "channel_id": "C_LEARN",
        "channel_name": "learning",
        "team_id": "T0P2P",
        "team_domain": "p2p-test",
        "api_app_id": "A0P2P",
    }
    assert body["response_url"].startswith(fake.base_url) and body["trigger_id"]
    assert [r.text for r in fake.responses(user="U_ANA")] == ["You said hello"]  # the ack body


def test_click_a_button_picked_by_value(
    driver: SlackDriver, fake: FakeSlack, client: WebClient, seen: dict[str, list[Any]]
) -> None:
    client.chat_postMessage(channel="C_LEARN", text="SQL basics", blocks=GROUP_BLOCKS)
    message = fake.find_message("C_LEARN", contains="3 seats left")
    assert driver.click("U_BEN", message, "rsvp", value="no").status == 200
    (body,) = seen["rsvp"]
    assert body["type"] == "block_actions" and body["user"]["id"] == "U_BEN"
    assert body["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": "C_LEARN",
        "is_ephemeral": False,
    }
    assert body["message"]["ts"] == message.ts and body["channel"]["id"] == "C_LEARN"
    (action,) = body["actions"]
    assert (action["action_id"], action["block_id"], action["value"], action["type"]) == (
        "rsvp",
        "no",
        "no",
        "button",
    )
    assert action["text"]["text"] == "Not now"
    assert [m.text for m in fake.ephemerals(user="U_BEN")] == ["Got no"]  # via respond()


def test_choose_in_a_select_menu(
    driver: SlackDriver, fake: FakeSlack, client: WebClient, seen: dict[str, list[Any]]
) -> None:
    client.chat_postMessage(channel="C_LEARN", text="SQL basics", blocks=GROUP_BLOCKS)
    driver.click("U_ANA", fake.messages("C_LEARN")[0], "slot", value="mon18")
    (action,) = seen["slot"][0]["actions"]
    assert action["selected_option"]["value"] == "mon18"
    assert action["selected_option"]["text"]["text"] == "Mon 18:00"
    with pytest.raises(ValueError, match="no option 'tue'"):
        driver.click("U_ANA", fake.messages("C_LEARN")[0], "slot", value="tue")


def test_click_in_an_ephemeral_message(
    driver: SlackDriver, fake: FakeSlack, client: WebClient, seen: dict[str, list[Any]]
) -> None:
    client.chat_postEphemeral(channel="C_LEARN", user="U_ANA", text="Join?", blocks=GROUP_BLOCKS)
    (ephemeral,) = fake.ephemerals(user="U_ANA")
    driver.click("U_ANA", ephemeral, "rsvp", value="yes")
    body = seen["rsvp"][0]
    assert body["container"]["is_ephemeral"] is True and "message" not in body


def test_modal_open_submit_with_every_input_in_state(
    driver: SlackDriver, fake: FakeSlack, seen: dict[str, list[Any]]
) -> None:
    driver.command("U_ANA", "join", channel_id="C_LEARN")
    view = fake.open_modal("U_ANA")
    assert view is not None and view.callback_id == "join_modal"

    reply = driver.submit("U_ANA", view, {"name": "Ana", "level": "exp"})
    assert reply.status == 200
    submitted = seen["submit"][0]["view"]
    assert submitted["id"] == view.id and submitted["private_metadata"] == "group-7"
    assert submitted["state"]["values"] == {
        "name": {"value": {"type": "plain_text_input", "value": "Ana"}},
        "level": {
            "pick": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Expert"},
                    "value": "exp",
                },
            }
        },
        "when": {"date": {"type": "datepicker", "selected_date": "2024-09-02"}},
        "note": {"text": {"type": "plain_text_input", "value": None}},
    }
    assert fake.open_modal("U_ANA") is None  # a plain ack closes it


def test_submit_errors_and_update(driver: SlackDriver, fake: FakeSlack) -> None:
    driver.command("U_ANA", "join", channel_id="C_LEARN")
    view = fake.open_modal("U_ANA")
    assert view is not None
    reply = driver.submit("U_ANA", view, {"name": "x", "level": "beg"})
    assert reply.json == {"response_action": "errors", "errors": {"name": "Too short"}}
    assert fake.open_modal("U_ANA") is view
    driver.submit("U_ANA", view, {"name": "again", "level": "beg"})
    assert fake.open_modal("U_ANA") is view and view.title == "Again"
    with pytest.raises(ValueError, match="'level' is required and empty"):
        driver.submit("U_ANA", view, {"name": "Ana"})
    with pytest.raises(KeyError, match="no input blocks"):
        driver.submit("U_ANA", view, {"nmae": "Ana"})


def test_click_in_view_then_push(
    driver: SlackDriver, fake: FakeSlack, seen: dict[str, list[Any]]
) -> None:
    driver.command("U_ANA", "join", channel_id="C_LEARN")
    view = fake.open_modal("U_ANA")
    assert view is not None
    driver.click_in_view("U_ANA", view, "help", values={"name": "An"})
    body = seen["help"][0]
    assert body["container"] == {"type": "view", "view_id": view.id}
    assert body["view"]["state"]["values"]["name"]["value"]["value"] == "An"
    top = fake.open_modal("U_ANA")
    assert top is not None and top.title == "Help" and top.previous_view_id == view.id


def test_user_posts_in_dm_and_thread(
    driver: SlackDriver, fake: FakeSlack, client: WebClient, seen: dict[str, list[Any]]
) -> None:
    driver.user_posts("U_ANA", "U_ANA", "hi bot")
    parent = client.chat_postMessage(channel="C_LEARN", text="Week 1 check-in")["ts"]
    driver.user_posts("U_BEN", "C_LEARN", "done!", thread_ts=parent)
    (dm_event, retry), (thread_event, _) = seen["message"]
    assert (dm_event["channel_type"], dm_event["channel"], dm_event["text"]) == (
        "im",
        fake.dm_channel_id("U_ANA"),
        "hi bot",
    )
    assert retry is None
    assert (
        thread_event["channel_type"],
        thread_event["thread_ts"],
        thread_event["parent_user_id"],
    ) == ("channel", parent, "UBOT")
    assert [m.text for m in fake.thread("C_LEARN", parent)] == ["done!"]
    fake.add_channel("C_QUIET", name="quiet", bot_is_member=False)
    assert driver.user_posts("U_ANA", "C_QUIET", "anyone?") is None


def test_event_retry_headers(driver: SlackDriver, seen: dict[str, list[Any]]) -> None:
    event = {
        "type": "message",
        "channel": "C_LEARN",
        "user": "U_ANA",
        "text": "x",
        "ts": "1.000001",
        "channel_type": "channel",
    }
    driver.event(event, event_id="Ev1", retry_num=1, retry_reason="http_timeout")
    assert seen["message"][0][1] == ["1"]


def test_url_verification(driver: SlackDriver) -> None:
    assert driver.url_verification("abc123").json == {"challenge": "abc123"}


def test_forged_or_stale_signature_is_refused(
    driver: SlackDriver, seen: dict[str, list[Any]]
) -> None:
    body = json.dumps({"type": "event_callback", "event": {"type": "message"}}).encode()
    now = str(int(time.time()))
    forged = driver.raw(
        body,
        {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    stale_ts = str(int(time.time()) - 600)
    stale = driver.raw(
        body,
        {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": stale_ts,
            "X-Slack-Signature": driver.sign(body, stale_ts),
        },
    )
    assert (forged.status, stale.status) == (401, 401)
    assert seen["message"] == []


def test_acked_before_the_listener_finishes(fake: FakeSlack, seen: dict[str, list[Any]]) -> None:
    app = build_app(fake, seen, before_response=False)
    with LocalWsgiServer(SlackRequestHandler(app)) as server:
        driver = SlackDriver(f"{server.url}/slack/events", SECRET, fake)
        driver.command("U_ANA", "join", channel_id="C_LEARN")
        view = fake.wait_until(lambda: fake.open_modal("U_ANA"))
        assert view.callback_id == "join_modal"
