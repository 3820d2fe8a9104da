"""Small pieces several listener modules use."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.domain import groups
from bot.domain.access import require_facilitator
from bot.domain.errors import DomainError
from bot.slack.context import deps, team
from bot.store.models import Group

NO_GROUP = (
    "There's no running peer group in this channel. Start one with `/p2p start <topic>`, "
    "or run this in the group's channel."
)


def channel_group(ack: Ack, command: dict[str, Any], context: BoltContext) -> Group | None:
    """The channel's live group; if there is none, answer the command saying so."""
    with deps(context).store.transaction() as session:
        group = groups.live_group(session, team_id=team(context), channel_id=command["channel_id"])
    if group is None:
        ack(text=NO_GROUP)
    return group


def facilitator_group(ack: Ack, command: dict[str, Any], context: BoltContext) -> Group | None:
    """The channel's live group, if the person running the command facilitates it;
    otherwise the command is answered with why not."""
    group = channel_group(ack, command, context)
    if group is None:
        return None
    try:
        require_facilitator(group, command["user_id"])
    except DomainError as error:
        ack(text=error.message)
        return None
    return group


def ids_from(value: str) -> tuple[int, int]:
    """Button values like "12:3" (group 12, week 3)."""
    first, _, second = value.partition(":")
    return int(first), int(second or 0)
