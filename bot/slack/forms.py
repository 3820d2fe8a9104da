"""Reading what people typed into a modal: `view.state.values` flattened to {block_id: value}."""

from __future__ import annotations

import json
import re
from typing import Any


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        for state in actions.values():
            values[block_id] = _value(state)
    return values


def private_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}


def _value(state: dict[str, Any]) -> Any:
    kind = state.get("type")
    if kind in {"static_select", "external_select", "radio_buttons"}:
        option = state.get("selected_option")
        return option["value"] if option else None
    if kind == "checkboxes":
        return [o["value"] for o in state.get("selected_options") or []]
    if kind == "timepicker":
        return state.get("selected_time")
    if kind == "datepicker":
        return state.get("selected_date")
    if kind == "datetimepicker":
        return state.get("selected_date_time")
    if kind == "multi_users_select":
        return state.get("selected_users") or []
    if kind in {"users_select", "conversations_select", "channels_select"}:
        return (
            state.get("selected_user")
            or state.get("selected_conversation")
            or state.get("selected_channel")
        )
    return state.get("value")


def as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def field_error(message: str) -> str:
    """Modal errors are plain text: drop the markup our messages carry for chat."""
    message = re.sub(r"<#[A-Z0-9]+(?:\|[^>]*)?>", "this channel", message)
    message = re.sub(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", "the facilitator", message)
    return message.replace("*", "").replace("`", "")
