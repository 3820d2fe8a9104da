"""views.*: triggers, stacks, updates by id / external_id / hash, Home tab."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.fake_slack import FakeSlack

TOKEN = "xoxb-test"


def modal(title: str = "Join a group", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "join",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Join"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"{title} body"}}],
        **extra,
    }


def error_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    return str(caught.value.response["error"])


def test_open_update_and_read_back(client: WebClient, fake: FakeSlack) -> None:
    trigger = fake.new_trigger_id("U_ANA")
    view = client.views_open(trigger_id=trigger, view=modal(external_id="join-1"))["view"]
    assert view["id"].startswith("V") and view["root_view_id"] == view["id"] and view["hash"]
    client.views_update(view_id=view["id"], view=modal("Step 2"), hash=view["hash"])
    (seen,) = fake.views("U_ANA")
    assert seen.title == "Step 2" and seen.updates == 1 and "Step 2 body" in seen.plain
    client.views_update(external_id="join-1", view=modal("Step 3", external_id="join-1"))
    assert fake.open_modal("U_ANA") is seen and seen.title == "Step 3"


def test_trigger_errors(client: WebClient, fake: FakeSlack) -> None:
    assert (
        error_of(client.views_open, trigger_id="123.456.abc", view=modal()) == "invalid_trigger_id"
    )
    trigger = fake.new_trigger_id("U_ANA")
    client.views_open(trigger_id=trigger, view=modal())
    assert error_of(client.views_open, trigger_id=trigger, view=modal()) == "exchanged_trigger_id"


def test_trigger_expires_after_its_ttl() -> None:
    with FakeSlack(bot_token=TOKEN, trigger_ttl=0.0) as fake:
        fake.add_user("U_ANA", name="ana")
        client = WebClient(token=TOKEN, base_url=fake.api_url)
        trigger = fake.new_trigger_id("U_ANA")
        assert error_of(client.views_open, trigger_id=trigger, view=modal()) == "expired_trigger_id"


def test_hash_conflict_and_not_found(client: WebClient, fake: FakeSlack) -> None:
    view = client.views_open(trigger_id=fake.new_trigger_id("U_ANA"), view=modal())["view"]
    client.views_update(view_id=view["id"], view=modal("Newer"))
    assert error_of(client.views_update, view_id=view["id"], view=modal(), hash=view["hash"]) == (
        "hash_conflict"
    )
    assert error_of(client.views_update, view_id="V_NONE", view=modal()) == "not_found"


def test_push_stack_and_limit(client: WebClient, fake: FakeSlack) -> None:
    root = client.views_open(trigger_id=fake.new_trigger_id("U_ANA"), view=modal("One"))["view"]
    second = client.views_push(trigger_id=fake.new_trigger_id("U_ANA"), view=modal("Two"))["view"]
    assert (second["root_view_id"], second["previous_view_id"]) == (root["id"], root["id"])
    client.views_push(trigger_id=fake.new_trigger_id("U_ANA"), view=modal("Three"))
    assert (
        error_of(client.views_push, trigger_id=fake.new_trigger_id("U_ANA"), view=modal("Four"))
        == "push_limit_reached"
    )
    assert [v.title for v in fake.views("U_ANA")] == ["One", "Two", "Three"]


def test_home_tab(client: WebClient, fake: FakeSlack) -> None:
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Your groups"}}],
    }
    first = client.views_publish(user_id="U_ANA", view=home)["view"]
    client.views_publish(user_id="U_ANA", view=home, hash=first["hash"])
    published = fake.home("U_ANA")
    assert published is not None and "Your groups" in published.plain and published.updates == 1
    assert (
        error_of(client.views_publish, user_id="U_ANA", view=home, hash=first["hash"])
        == "hash_conflict"
    )
    assert fake.home("U_BEN") is None


def test_bad_modal_is_refused_and_recorded(client: WebClient, fake: FakeSlack) -> None:
    too_long = modal("A title that is far too long for Slack")
    assert error_of(client.views_open, trigger_id=fake.new_trigger_id("U_ANA"), view=too_long) == (
        "invalid_arguments"
    )
    assert fake.take_violations() == ["views.open: view: title must be between 1 and 24 characters"]
