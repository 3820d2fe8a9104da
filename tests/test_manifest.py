"""manifest.yml is valid for Slack and declares exactly what the code uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
SCHEMA = json.loads((ROOT / "tests/fixtures/manifest.schema.1.0.0.json").read_text())

# The bot-token scope each Web API method needs, from its docs.slack.dev/reference/methods
# page ("Required scopes", bot token). conversations.* need the scope of the channel type
# they touch: public and private channels, and the app's DMs.
BOT_SCOPES = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.getPermalink": set(),
    "users.info": {"users:read"},
    "conversations.info": {"channels:read", "groups:read"},
    "conversations.open": {"im:write"},
    "conversations.history": {"channels:history", "groups:history", "im:history"},
    "conversations.replies": {"channels:history", "groups:history", "im:history"},
    "views.open": set(),
    "views.update": set(),
    "views.publish": set(),
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
}
# Events API subscriptions and the scope each needs (docs.slack.dev/reference/events).
EVENT_SCOPES = {
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "app_home_opened": set(),
    "app_uninstalled": set(),
    "tokens_revoked": set(),
}
EVENT_TYPES = {"message.channels": "message", "message.groups": "message", "message.im": "message"}


def source_files() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py"))


def methods_called() -> set[str]:
    """Every Web API method the bot calls (they all go through the gateway's _call)."""
    found = set()
    for path in source_files():
        for name in re.findall(r'_call\(\s*"([A-Za-z]+_[A-Za-z]+)"', path.read_text()):
            found.add(name.replace("_", ".", 1))
    return found | {"auth.test"}  # Bolt checks the token at start


def test_the_manifest_is_valid_against_slacks_schema() -> None:
    errors = sorted(Draft7Validator(SCHEMA).iter_errors(MANIFEST), key=lambda e: e.path)
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_it_declares_the_command_interactivity_and_events_at_one_url() -> None:
    commands = MANIFEST["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/p2p"]
    settings = MANIFEST["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    urls = {
        commands[0]["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    # `/p2p owners add @ana` needs Slack to send the mention as <@U…|ana>, as the driver does.
    assert commands[0]["should_escape"] is True


def test_every_slack_call_goes_through_the_gateway() -> None:
    direct = re.compile(r"\bclient\.(chat|views|users|conversations|reactions)_\w+\(")
    offenders = [
        str(p.relative_to(ROOT))
        for p in source_files()
        if "devtools" not in p.parts and direct.search(p.read_text())
    ]
    assert offenders == []


def test_bot_scopes_are_exactly_what_the_code_uses() -> None:
    called = methods_called()
    assert called <= set(BOT_SCOPES), f"add the scopes of {called - set(BOT_SCOPES)} here"
    needed = {"commands"}
    for method in called:
        needed |= BOT_SCOPES[method]
    for event in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        needed |= EVENT_SCOPES[event]
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(needed)


def test_subscribed_events_are_the_ones_listened_for() -> None:
    listened = set()
    for path in source_files():
        listened |= set(re.findall(r'app\.event\("([a-z_]+)"', path.read_text()))
    declared = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert {EVENT_TYPES.get(e, e) for e in declared} == listened


def test_the_install_redirect_is_declared_next_to_the_events_url() -> None:
    from bot.slack.oauth import REDIRECT_PATH

    redirects = MANIFEST["oauth_config"]["redirect_urls"]
    events_url = MANIFEST["settings"]["event_subscriptions"]["request_url"]
    assert redirects == [events_url.removesuffix("/slack/events") + REDIRECT_PATH]


def test_the_install_asks_for_the_manifests_scopes() -> None:
    from bot.slack.oauth import SCOPES

    assert sorted(SCOPES) == sorted(MANIFEST["oauth_config"]["scopes"]["bot"])
