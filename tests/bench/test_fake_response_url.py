"""Posting to a response_url: what the user then sees."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.devtools.fake_slack import FakeSlack


def test_ephemeral_by_default_in_channel_when_asked(fake: FakeSlack) -> None:
    url = fake.new_response_url("U_ANA", "C_LEARN")
    WebhookClient(url).send(text="Only Ana sees this")
    WebhookClient(url).send(text="Everyone sees this", response_type="in_channel")
    assert [r.text for r in fake.responses(user="U_ANA")] == [
        "Only Ana sees this",
        "Everyone sees this",
    ]
    assert [m.text for m in fake.ephemerals(user="U_ANA")] == ["Only Ana sees this"]
    assert [m.text for m in fake.messages("C_LEARN")] == ["Everyone sees this"]


def test_replace_and_delete_original(client: WebClient, fake: FakeSlack) -> None:
    ts = client.chat_postMessage(channel="C_LEARN", text="Vote now")["ts"]
    url = fake.new_response_url("U_ANA", "C_LEARN", message_ts=ts)
    WebhookClient(url).send(text="Voting closed", replace_original=True)
    message = fake.message("C_LEARN", ts)
    assert message is not None and (message.text, message.edits) == ("Voting closed", 1)
    WebhookClient(url).send(delete_original=True)
    assert fake.messages("C_LEARN") == []


def test_five_uses_at_most(fake: FakeSlack) -> None:
    url = fake.new_response_url("U_ANA", "C_LEARN")
    statuses = [post_json(url, {"text": str(i)}) for i in range(6)]
    assert statuses == [200] * 5 + [404]
    assert fake.take_violations() == [
        f"response_url {url.rsplit('/', 1)[1]}: used more than 5 times"
    ]


def post_json(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
