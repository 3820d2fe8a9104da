"""Spec and Block Kit checks: as functions, and as violations the fake records."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools import slack_spec
from bot.devtools.blockkit import check_blocks, check_view
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.spec import derive


def button(text: str = "Go", action_id: str = "go", **extra: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        **extra,
    }


def section(text: str = "hi") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


class TestCheckCall:
    def test_good_call(self) -> None:
        assert (
            slack_spec.check_call("chat.postMessage", {"channel": "C1", "text": "hi", "token": "x"})
            == []
        )

    def test_unknown_and_missing_arguments(self) -> None:
        assert slack_spec.check_call("chat.postMessage", {"text": "hi", "colour": "red"}) == [
            "chat.postMessage: missing required argument 'channel'",
            "chat.postMessage: unknown argument 'colour'",
        ]

    def test_additions_fix_the_old_spec(self) -> None:
        assert slack_spec.check_call("conversations.history", {}) == [
            "conversations.history: missing required argument 'channel'"
        ]
        assert (
            slack_spec.check_call(
                "chat.postMessage",
                {"channel": "C1", "text": "t", "metadata": "{}", "markdown_text": "m"},
            )
            == []
        )
        assert slack_spec.check_call("views.open", {"view": "{}"}) == [
            "views.open: needs one of ['interactivity_pointer', 'trigger_id']"
        ]

    def test_unknown_method(self) -> None:
        assert slack_spec.check_call("chat.postMesage", {}) == [
            "chat.postMesage: no such Web API method"
        ]


class TestBlockKit:
    def test_valid_blocks(self) -> None:
        assert check_blocks([section(), {"type": "actions", "elements": [button()]}]) == []

    def test_limits(self) -> None:
        assert check_blocks([section()] * 51) == ["51 blocks; a message takes at most 50"]
        assert check_blocks([section()] * 51, "modal") == []
        assert check_blocks([{"type": "actions", "elements": [button("x" * 76)]}]) == [
            "blocks[0]: text attribute cannot exceed 75 characters"
        ]
        field = {"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}
        assert check_blocks([field]) == ["blocks[0].fields[0]: 2001 characters; at most 2000"]

    def test_unknown_things_and_duplicates(self) -> None:
        problems = check_blocks(
            [
                {"type": "sektion"},
                {"type": "actions", "block_id": "a", "elements": [button(), button()]},
                {"type": "divider", "block_id": "a"},
                {**section(), "acton_id": "x"},
            ]
        )
        assert problems == [
            "blocks[0]: unknown block type 'sektion'",
            "blocks[3]: unknown field 'acton_id'",
            "blocks[1]: duplicate action_id 'go' in one block",
            "blocks[2]: duplicate block_id 'a'",
        ]

    def test_view(self) -> None:
        view = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "x" * 25},
            "blocks": [section()],
        }
        assert check_view(view) == ["view: title must be between 1 and 24 characters"]


def test_fake_records_spec_violations(client: WebClient, fake: FakeSlack) -> None:
    client.api_call("chat.postMessage", json={"channel": "C_LEARN", "text": "hi", "colour": "red"})
    with pytest.raises(SlackApiError) as caught:
        client.api_call("chat.postMessage", json={"text": "no channel"})
    assert caught.value.response["error"] == "invalid_arguments"
    assert fake.take_violations() == [
        "chat.postMessage: unknown argument 'colour'",
        "chat.postMessage: missing required argument 'channel'",
    ]


def test_fake_refuses_bad_blocks(client: WebClient, fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C_LEARN", text="many", blocks=[section()] * 51)
    assert caught.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError):
        client.chat_postMessage(
            channel="C_LEARN",
            text="long",
            blocks=[{"type": "actions", "elements": [button("x" * 76)]}],
        )
    assert fake.messages("C_LEARN") == []
    assert fake.take_violations() == [
        "chat.postMessage: 51 blocks; a message takes at most 50",
        "chat.postMessage: blocks[0]: text attribute cannot exceed 75 characters",
    ]


def test_blocks_without_text_fallback_is_a_violation(client: WebClient, fake: FakeSlack) -> None:
    client.chat_postMessage(channel="C_LEARN", blocks=[section("only blocks")])
    assert fake.messages("C_LEARN")[0].plain == "only blocks"
    assert fake.take_violations() == ["chat.postMessage: blocks without a top-level text fallback"]


def test_form_encoded_blocks_are_checked_too(client: WebClient, fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.api_call(
            "chat.postMessage", params={"channel": "C_LEARN", "text": "t", "blocks": "[no"}
        )
    assert caught.value.response["error"] == "invalid_blocks_format"
    assert fake.take_violations() == ["chat.postMessage: blocks is not valid JSON"]


SPEC = derive.DEFAULT_SPEC


@pytest.mark.skipif(not SPEC.is_file(), reason="shared/slack-specs is not beside this clone")
def test_committed_fixture_matches_the_spec() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.devtools.spec.derive", "--check", "--spec", str(SPEC)],
        cwd=Path(derive.__file__).parents[3],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
