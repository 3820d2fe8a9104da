"""Check Block Kit payloads the way Slack would, before Slack sees them.

slack_sdk's models validate most limits at `.to_dict()`; the rest (see SLACK-FACTS.md) are
checked here. Every function returns a list of problems; empty means fine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.devtools.block_walk import interactive_elements, visible_text

Surface = Literal["message", "modal", "home"]

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}
SECTION_FIELD_MAX = 2000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
CHOICE_OPTIONS_MAX = 10  # checkboxes, radio_buttons
# Slack answers msg_blocks_too_long at about 13.2k characters of block text (bolt-js #2509).
MESSAGE_BLOCK_TEXT_MAX = 13_000


def check_blocks(blocks: Any, surface: Surface = "message") -> list[str]:
    if not isinstance(blocks, list):
        return [f"blocks must be a JSON array, got {type(blocks).__name__}"]
    problems: list[str] = []
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks; a {surface} takes at most {limit}")
    for index, block in enumerate(blocks):
        problems.extend(_check_one_block(block, f"blocks[{index}]"))
    problems.extend(_check_ids(blocks))
    if surface == "message":
        size = len(visible_text(blocks, as_shown=False))
        if size > MESSAGE_BLOCK_TEXT_MAX:
            problems.append(
                f"{size} characters of block text; Slack refuses about "
                f"{MESSAGE_BLOCK_TEXT_MAX} (msg_blocks_too_long)"
            )
    return problems


def check_view(view: Any) -> list[str]:
    if not isinstance(view, Mapping):
        return [f"view must be a JSON object, got {type(view).__name__}"]
    surface: Surface = "home" if view.get("type") == "home" else "modal"
    problems: list[str] = []
    if view.get("type") not in ("modal", "home"):
        problems.append(f"view.type must be 'modal' or 'home', got {view.get('type')!r}")
    if surface == "modal" and not view.get("title"):
        problems.append("a modal needs a title")
    shell = {key: value for key, value in view.items() if key != "blocks"}
    problems.extend(_sdk_problems(lambda: View(**shell, blocks=[{"type": "divider"}]), "view"))
    problems.extend(f"view.{p}" for p in check_blocks(view.get("blocks"), surface))
    return problems


def _check_one_block(block: Any, where: str) -> list[str]:
    if not isinstance(block, Mapping):
        return [f"{where}: a block must be an object"]
    parsed_holder: list[Block] = []

    def parse() -> dict[str, Any]:
        parsed = Block.parse(dict(block))
        if parsed is None:
            raise SlackObjectFormationError(f"unknown block type {block.get('type')!r}")
        parsed_holder.append(parsed)
        return parsed.to_dict()

    problems = _sdk_problems(parse, where)
    if problems:
        return problems
    problems.extend(_dropped(block, parsed_holder[0].to_dict(), where))
    problems.extend(_limits_sdk_skips(block, where))
    return problems


def _sdk_problems(build: Any, where: str) -> list[str]:
    try:
        result = build()
        if hasattr(result, "to_dict"):
            result.to_dict()
    except SlackObjectFormationError as error:
        return [f"{where}: {error}"]
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        return [f"{where}: malformed ({error})"]
    return []


def _dropped(raw: Any, out: Any, where: str) -> list[str]:
    """What slack_sdk did not recognise: an unknown field or element type (Slack refuses both)."""
    if isinstance(raw, Mapping) and isinstance(out, Mapping):
        problems: list[str] = []
        for key, value in raw.items():
            if key not in out:
                if value is not None:
                    problems.append(f"{where}: unknown field {key!r}")
            else:
                problems.extend(_dropped(value, out[key], f"{where}.{key}"))
        return problems
    if isinstance(raw, list) and isinstance(out, list):
        problems = []
        for index, (raw_item, out_item) in enumerate(zip(raw, out, strict=False)):
            if out_item is None:
                kind = raw_item.get("type") if isinstance(raw_item, Mapping) else raw_item
                problems.append(f"{where}[{index}]: unknown element type {kind!r}")
            else:
                problems.extend(_dropped(raw_item, out_item, f"{where}[{index}]"))
        return problems
    return []


def _limits_sdk_skips(block: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    block_type = block.get("type")
    if block_type == "section":
        for index, field in enumerate(block.get("fields") or []):
            text = field.get("text", "") if isinstance(field, Mapping) else ""
            if len(text) > SECTION_FIELD_MAX:
                problems.append(
                    f"{where}.fields[{index}]: {len(text)} characters; at most {SECTION_FIELD_MAX}"
                )
    if block_type == "header":
        text = block.get("text")
        if isinstance(text, Mapping) and text.get("type") != "plain_text":
            problems.append(f"{where}: header text must be plain_text")
    for found in interactive_elements([block]):
        problems.extend(_check_options(found.element, f"{where} {found.action_id!r}"))
    return problems


def _check_options(element: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    options: list[Any] = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    if element.get("type") in ("checkboxes", "radio_buttons") and len(options) > CHOICE_OPTIONS_MAX:
        problems.append(f"{where}: {len(options)} options; at most {CHOICE_OPTIONS_MAX}")
    for option in options:
        if not isinstance(option, Mapping):
            continue
        text = option.get("text")
        label = text.get("text", "") if isinstance(text, Mapping) else ""
        value = str(option.get("value", ""))
        if len(label) > OPTION_TEXT_MAX and element.get("type") not in (
            "checkboxes",
            "radio_buttons",
        ):
            problems.append(f"{where}: option text {label[:20]!r}... over {OPTION_TEXT_MAX}")
        if len(value) > OPTION_VALUE_MAX:
            problems.append(f"{where}: option value over {OPTION_VALUE_MAX} characters")
    return problems


def _check_ids(blocks: Sequence[Any]) -> list[str]:
    problems: list[str] = []
    seen_blocks: set[str] = set()
    for index, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_blocks:
                problems.append(f"blocks[{index}]: duplicate block_id {block_id!r}")
            seen_blocks.add(block_id)
        seen_actions: set[str] = set()
        for found in interactive_elements([block]):
            action_id = found.action_id
            if action_id in seen_actions:
                problems.append(f"blocks[{index}]: duplicate action_id {action_id!r} in one block")
            if action_id is not None:
                seen_actions.add(action_id)
    return problems
