"""Walk Block Kit JSON: the text a person sees, and the interactive elements in it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.markup import unescape

JsonDict = dict[str, Any]

# Keys that hold text the user does not see until they act (menus, confirm dialogs) or never.
_SKIP_KEYS = frozenset({"options", "option_groups", "confirm", "alt_text", "image_url", "url"})


@dataclass(frozen=True)
class FoundElement:
    """An interactive element and the block that holds it."""

    block_id: str | None
    element: JsonDict

    @property
    def type(self) -> str:
        return str(self.element.get("type", ""))

    @property
    def action_id(self) -> str | None:
        return self.element.get("action_id")


def shown(mrkdwn: str) -> str:
    """mrkdwn (or a message's `text`) as Slack's client shows it: `&amp;`, `&lt;` and `&gt;`
    read as `&`, `<` and `>`. Markup (`<@U…>`, `<url|label>`, `*bold*`) is left as it is."""
    return unescape(mrkdwn)


def visible_text(blocks: Sequence[Mapping[str, Any]] | None, *, as_shown: bool = True) -> str:
    """All text shown by `blocks` (button labels, fields, labels, rich text...), one per line.
    mrkdwn is read as the client shows it (`&lt;` as `<`) unless `as_shown` is False: then
    it is the text as sent (what Slack's size limits count)."""
    parts: list[str] = []
    for block in blocks or ():
        _collect_text(block, parts, as_shown)
    return "\n".join(p for p in parts if p)


def _collect_text(node: Any, parts: list[str], as_shown: bool = True) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_text(item, parts, as_shown)
        return
    if not isinstance(node, Mapping):
        return
    node_type = node.get("type")
    if node_type == "mrkdwn" and isinstance(node.get("text"), str):
        parts.append(shown(node["text"]) if as_shown else node["text"])
        return
    if node_type in ("plain_text", "text") and isinstance(node.get("text"), str):
        parts.append(node["text"])
        return
    if node_type == "markdown" and isinstance(node.get("text"), str):
        parts.append(node["text"])
        return
    if node_type == "link":
        parts.append(str(node.get("text") or node.get("url") or ""))
        return
    if node_type == "user":
        parts.append(f"<@{node.get('user_id', '')}>")
        return
    if node_type == "channel":
        parts.append(f"<#{node.get('channel_id', '')}>")
        return
    if node_type == "emoji":
        parts.append(f":{node.get('name', '')}:")
        return
    for key, value in node.items():
        if key in _SKIP_KEYS or key == "type":
            continue
        if key == "initial_option" and isinstance(value, Mapping):
            _collect_text(value.get("text"), parts, as_shown)
            continue
        if key == "initial_options" and isinstance(value, list):
            for option in value:
                if isinstance(option, Mapping):
                    _collect_text(option.get("text"), parts, as_shown)
            continue
        _collect_text(value, parts, as_shown)


def interactive_elements(blocks: Sequence[Mapping[str, Any]] | None) -> Iterator[FoundElement]:
    """Every element that has an action_id: accessories, actions/input elements, nested ones."""
    for block in blocks or ():
        block_id = block.get("block_id")
        yield from _elements_in(block, block_id)


def _elements_in(node: Any, block_id: str | None) -> Iterator[FoundElement]:
    if isinstance(node, list):
        for item in node:
            yield from _elements_in(item, block_id)
        return
    if not isinstance(node, Mapping):
        return
    if "action_id" in node and "type" in node:
        yield FoundElement(block_id=block_id, element=dict(node))
        return
    for key in ("accessory", "element", "elements"):
        if key in node:
            yield from _elements_in(node[key], block_id)


INTERACTIVE_TYPES = frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "email_text_input",
        "file_input",
        "multi_channels_select",
        "multi_conversations_select",
        "multi_external_select",
        "multi_static_select",
        "multi_users_select",
        "number_input",
        "overflow",
        "plain_text_input",
        "radio_buttons",
        "rich_text_input",
        "channels_select",
        "conversations_select",
        "external_select",
        "static_select",
        "timepicker",
        "url_text_input",
        "users_select",
        "workflow_button",
    }
)


def with_ids(blocks: Sequence[Mapping[str, Any]] | None) -> list[JsonDict]:
    """A copy with the ids Slack fills in: a block_id on every block, an action_id on every
    interactive element (Slack makes up short random ones; these are stable per position)."""
    stamped: list[JsonDict] = []
    for index, block in enumerate(blocks or ()):
        copy = dict(block)
        copy.setdefault("block_id", f"b{index}")
        for key in ("accessory", "element"):
            if isinstance(copy.get(key), Mapping):
                copy[key] = _with_action_id(copy[key], f"{copy['block_id']}-{key}")
        if isinstance(copy.get("elements"), list) and copy.get("type") == "actions":
            copy["elements"] = [
                _with_action_id(e, f"{copy['block_id']}-{i}") if isinstance(e, Mapping) else e
                for i, e in enumerate(copy["elements"])
            ]
        stamped.append(copy)
    return stamped


def _with_action_id(element: Mapping[str, Any], fallback: str) -> JsonDict:
    copy = dict(element)
    if copy.get("type") in INTERACTIVE_TYPES:
        copy.setdefault("action_id", fallback)
    return copy
