"""Reading what people typed into a modal: `view.state.values` flattened to {block_id: value}."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.domain.markup import unescape


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """Each field's value as Slack sends it: a string, a list of strings, or None. Anything
    shaped otherwise (a forged or mangled payload) reads as None, never as an error."""
    values: dict[str, Any] = {}
    state = view.get("state") if isinstance(view, dict) else None
    blocks = state.get("values") if isinstance(state, dict) else None
    for block_id, actions in (blocks if isinstance(blocks, dict) else {}).items():
        for element in (actions if isinstance(actions, dict) else {}).values():
            values[block_id] = _value(element) if isinstance(element, dict) else None
    return values


def private_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}


def _value(state: dict[str, Any]) -> str | list[str] | None:
    kind = _text(state.get("type")) or ""
    if kind in {"static_select", "external_select", "radio_buttons"}:
        option = state.get("selected_option")
        return _text(option.get("value")) if isinstance(option, dict) else None
    if kind == "checkboxes":
        return _texts(
            o.get("value") for o in _list(state.get("selected_options")) if isinstance(o, dict)
        )
    if kind == "multi_users_select":
        return _texts(_list(state.get("selected_users")))
    key = {
        "timepicker": "selected_time",
        "datepicker": "selected_date",
        "users_select": "selected_user",
        "conversations_select": "selected_conversation",
        "channels_select": "selected_channel",
    }.get(kind, "value")
    return _text(state.get(key))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _texts(values: Any) -> list[str]:
    return [v for v in values if isinstance(v, str)]


def as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def field_error(message: str) -> str:
    """Modal errors are plain text: drop the markup our messages carry for chat."""
    message = re.sub(r"<#[A-Z0-9]+(?:\|[^>]*)?>", "this channel", message)
    message = re.sub(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", "the facilitator", message)
    message = message.replace("*", "").replace("`", "")
    return unescape(message)
