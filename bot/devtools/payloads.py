"""What a person's input looks like in Slack's payloads: actions[] entries and view state.

Field names per element type are Slack's (docs.slack.dev/reference/interaction-payloads/
block_actions-payload and view-interactions-payload; SLACK-FACTS.md "Payloads").
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

JsonDict = dict[str, Any]

# element type -> (field Slack fills, field with the element's initial value, kind of value)
_FIELDS: dict[str, tuple[str, str, str]] = {
    "static_select": ("selected_option", "initial_option", "option"),
    "external_select": ("selected_option", "initial_option", "option"),
    "overflow": ("selected_option", "", "option"),
    "radio_buttons": ("selected_option", "initial_option", "option"),
    "multi_static_select": ("selected_options", "initial_options", "options"),
    "multi_external_select": ("selected_options", "initial_options", "options"),
    "checkboxes": ("selected_options", "initial_options", "options"),
    "users_select": ("selected_user", "initial_user", "one"),
    "multi_users_select": ("selected_users", "initial_users", "many"),
    "conversations_select": ("selected_conversation", "initial_conversation", "one"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations", "many"),
    "channels_select": ("selected_channel", "initial_channel", "one"),
    "multi_channels_select": ("selected_channels", "initial_channels", "many"),
    "datepicker": ("selected_date", "initial_date", "one"),
    "timepicker": ("selected_time", "initial_time", "one"),
    "datetimepicker": ("selected_date_time", "initial_date_time", "int"),
    "plain_text_input": ("value", "initial_value", "one"),
    "number_input": ("value", "initial_value", "one"),
    "email_text_input": ("value", "initial_value", "one"),
    "url_text_input": ("value", "initial_value", "one"),
    "rich_text_input": ("rich_text_value", "initial_value", "raw"),
    "file_input": ("files", "", "many"),
}

_UNSET = object()


def action_entry(element: Mapping[str, Any], block_id: str | None, value: Any) -> JsonDict:
    """One entry of block_actions' `actions` for a person using `element` (choosing `value`)."""
    kind = str(element.get("type"))
    entry: JsonDict = {
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "type": kind,
        "action_ts": f"{time.time():.6f}",
    }
    if kind in ("button", "workflow_button"):
        entry["text"] = element.get("text")
        if "value" in element:
            entry["value"] = element["value"]
        if "style" in element:
            entry["style"] = element["style"]
        return entry
    if kind not in _FIELDS:
        raise ValueError(f"the driver cannot act on a {kind!r} element")
    if value is None:
        raise ValueError(
            f"{element.get('action_id')!r} is a {kind}: say what the user chose (value=...)"
        )
    field, _initial, _ = _FIELDS[kind]
    entry[field] = _selected(element, value)
    if "placeholder" in element:
        entry["placeholder"] = element["placeholder"]
    return entry


def state_value(element: Mapping[str, Any], value: Any = _UNSET) -> JsonDict:
    """view.state.values[block_id][action_id] for `element`: what the user entered, or what
    the element showed to begin with (its initial value), or empty as Slack sends it."""
    kind = str(element.get("type"))
    if kind not in _FIELDS:
        raise ValueError(f"the driver has no state for a {kind!r} element")
    field, initial, shape = _FIELDS[kind]
    if value is _UNSET:
        chosen = element.get(initial) if initial else None
        if chosen is None:
            chosen = [] if shape in ("options", "many") else None
        elif shape == "int":
            chosen = int(chosen)
        return {"type": kind, field: chosen}
    return {"type": kind, field: _selected(element, value)}


def _selected(element: Mapping[str, Any], value: Any) -> Any:
    _field, _initial, shape = _FIELDS[str(element.get("type"))]
    if shape == "option":
        return None if value is None else _option(element, str(value))
    if shape == "options":
        return [_option(element, str(v)) for v in _as_list(value)]
    if shape == "many":
        return [str(v) for v in _as_list(value)]
    if shape == "int":
        return None if value is None else int(value)
    if shape == "raw":
        return value
    return None if value is None else str(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _option(element: Mapping[str, Any], value: str) -> JsonDict:
    options: list[Mapping[str, Any]] = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    if not options and str(element.get("type", "")).endswith("external_select"):
        return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
    for option in options:
        if option.get("value") == value:
            return dict(option)
    values = [o.get("value") for o in options]
    raise ValueError(f"{element.get('action_id')!r} has no option {value!r}; it has {values}")


def check_submittable(block: Mapping[str, Any], entry: Mapping[str, Any]) -> str | None:
    """Why Slack's client would not let the user submit this input, or None."""
    element = block.get("element") or {}
    field = _FIELDS.get(str(element.get("type")), ("value", "", ""))[0]
    value = entry.get(field)
    label = block.get("block_id")
    if value in (None, "", []) and not block.get("optional", False):
        return f"input {label!r} is required and empty"
    if isinstance(value, str) and element.get("type") == "plain_text_input":
        if len(value) < int(element.get("min_length", 0)):
            return f"input {label!r} is shorter than min_length {element['min_length']}"
        if "max_length" in element and len(value) > int(element["max_length"]):
            return f"input {label!r} is longer than max_length {element['max_length']}"
    if isinstance(value, str) and element.get("type") == "number_input":
        return _check_number(element, value, label)
    return None


def _check_number(element: Mapping[str, Any], value: str, label: Any) -> str | None:
    try:
        number = float(value)
    except ValueError:
        return f"input {label!r} is not a number: {value!r}"
    if not element.get("is_decimal_allowed") and not number.is_integer():
        return f"input {label!r} takes whole numbers only"
    if "min_value" in element and number < float(element["min_value"]):
        return f"input {label!r} is below min_value {element['min_value']}"
    if "max_value" in element and number > float(element["max_value"]):
        return f"input {label!r} is above max_value {element['max_value']}"
    return None


def input_blocks(blocks: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [b for b in blocks if b.get("type") == "input" and isinstance(b.get("element"), Mapping)]
