"""Is this body shaped as Slack sends it? Checked at the door (bot.web), before Bolt or a
listener reads it, so a malformed request is refused with a 400 rather than crashing
something deep inside with a 500.

Only what Bolt and our listeners read is checked: the types of the envelope's ids, the
actions, the view, the event; our own button values ("12" or "12:3") and our modals'
private metadata (a JSON object of ids).
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.slack import ids

Problem = str | None

_OUR_IDS = {value for name, value in vars(ids).items() if name.isupper()}
_ID_VALUE = re.compile(r"\d{1,18}(:\d{1,18})?")
_TEXT = (str, type(None))
_URL = re.compile(r"https?://[^\s/]+/")
_MAX_DEPTH = 32
# Slack's ids (U024BE7LH, C012AB3CD, T0001…) are short; ours in tests read U_ANA.
_SLACK_ID = re.compile(r"[A-Za-z0-9_]{1,40}")
_IDS = ("user_id", "team_id", "channel_id", "user.id", "team.id", "channel.id", "event.channel")

# key -> allowed JSON types, wherever the key appears in an envelope, action, view or event
_FIELDS: dict[str, tuple[type, ...]] = {
    **{
        key: _TEXT
        for key in (
            "type",
            "id",
            "action_id",
            "block_id",
            "callback_id",
            "trigger_id",
            "response_url",
            "ts",
            "thread_ts",
            "event_ts",
            "message_ts",
            "channel_id",
            "user_id",
            "team_id",
            "app_installed_team_id",
            "enterprise_id",
            "event_id",
            "api_app_id",
            "tab",
            "subtype",
            "bot_id",
            "channel_type",
            "command",
            "private_metadata",
            "hash",
            "value",
            "root_view_id",
            "previous_view_id",
        )
    },
    **{key: (str, dict, type(None)) for key in ("user", "team", "channel", "enterprise")},
    **{key: (dict, type(None)) for key in ("view", "container", "state", "message", "event")},
    **{key: (list, type(None)) for key in ("actions", "authorizations", "response_urls")},
}


# What Slack always sends with each kind of request, as dotted paths to text ("a|b": one of
# them). Under an org-wide install an interaction may come without `team`: the person's
# workspace is then in user.team_id.
_TEAM = "team.id|user.team_id"
_REQUIRED = {
    "command": ("command", "user_id", "team_id", "channel_id", "trigger_id", "response_url"),
    "block_actions": ("user.id", _TEAM, "trigger_id"),
    "view_submission": ("user.id", _TEAM, "view.id", "view.type", "view.callback_id", "trigger_id"),
    "view_closed": ("user.id", _TEAM, "view.id", "view.type", "view.callback_id"),
    "event_callback": ("team_id", "event_id", "event.type"),
    "url_verification": ("challenge",),
}


def shape_problem(body: dict[str, Any]) -> Problem:
    """None when `body` can be handed to Bolt, else what is wrong with it (for the log)."""
    if _depth(body) > _MAX_DEPTH:
        return "nested too deeply"
    kind = "command" if "command" in body else body.get("type")
    for path in _REQUIRED.get(kind, ()) if isinstance(kind, str) else ():
        if not any(isinstance(_at(body, one), str) for one in path.split("|")):
            return f"{kind} without {path.split('|')[0]}"
    for path in _IDS:
        value = _at(body, path)
        if isinstance(value, str) and not _SLACK_ID.fullmatch(value):
            return f"{path} is not a Slack id"
    if kind == "block_actions" and not body.get("actions"):
        return "block_actions without actions"
    if "response_url" in body and not _URL.match(str(body["response_url"])):
        return "response_url is not a URL"
    problem = _fields("body", body)
    for part in ("user", "team", "channel", "container", "message", "state"):
        problem = problem or _part(part, body.get(part))
    if problem:
        return problem
    for index, action in enumerate(body.get("actions") or []):
        problem = problem or _action(index, action)
    for index, entry in enumerate(
        (body.get("authorizations") or []) + (body.get("response_urls") or [])
    ):
        if not isinstance(entry, dict):
            problem = problem or f"authorizations/response_urls[{index}] is not an object"
        else:
            problem = problem or _fields(f"authorizations/response_urls[{index}]", entry)
    return problem or _view(body.get("view")) or _event(body.get("event"))


def _at(data: Any, path: str) -> Any:
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _fields(where: str, data: dict[str, Any]) -> Problem:
    for key, allowed in _FIELDS.items():
        if key in data and not isinstance(data[key], allowed):
            return f"{where}.{key} is a {type(data[key]).__name__}"
    return None


def _part(where: str, value: Any) -> Problem:
    return _fields(where, value) if isinstance(value, dict) else None


def _action(index: int, action: Any) -> Problem:
    where = f"actions[{index}]"
    if not isinstance(action, dict):
        return f"{where} is not an object"
    problem = _fields(where, action)
    if problem:
        return problem
    for key in ("action_id", "type"):
        if not isinstance(action.get(key), str):
            return f"{where}.{key} is missing"
    if (
        action.get("type") == "button"
        and action["action_id"] in _OUR_IDS
        and not _ID_VALUE.fullmatch(str(action.get("value") or ""))
    ):
        return f"{where}.value is not one of ours"
    return None


def _view(view: Any) -> Problem:
    if not isinstance(view, dict):
        return None
    problem = _fields("view", view) or _part("view.state", view.get("state"))
    if problem:
        return problem
    values = (view.get("state") or {}).get("values", {})
    if not isinstance(values, dict):
        return "view.state.values is not an object"
    for block_id, actions in values.items():
        if not isinstance(actions, dict):
            return f"view.state.values.{block_id} is not an object"
        for action_id, state in actions.items():
            if not isinstance(state, dict):
                return f"view.state.values.{block_id}.{action_id} is not an object"
    return _metadata(view.get("private_metadata"))


def _metadata(text: str | None) -> Problem:
    if not text:
        return None
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError):
        return "view.private_metadata is not JSON"
    if not isinstance(meta, dict):
        return "view.private_metadata is not an object"
    for key in ("group_id", "week", "proposal_id"):
        if key in meta and (type(meta[key]) is not int or abs(meta[key]) > 2**62):
            return f"view.private_metadata.{key} is not a number"
    for key in ("channel_id", "user_tz", "channel", "ts"):
        if key in meta and not isinstance(meta[key], _TEXT):
            return f"view.private_metadata.{key} is not text"
    return None


def _event(event: Any) -> Problem:
    if not isinstance(event, dict):
        return None
    problem = _fields("event", event)
    if not isinstance(event.get("text"), _TEXT):
        return "event.text is not text"
    for part in ("view", "message"):
        problem = problem or _part(f"event.{part}", event.get(part))
    return problem


def _depth(value: Any, level: int = 0) -> int:
    if level > _MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level
