"""`/p2p <subcommand>`: parse the text and hand over to the subcommand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import groups
from bot.domain.errors import DomainError
from bot.slack import ids
from bot.slack.context import deps, team
from bot.slack.incoming import plain
from bot.slack.listeners import board, home, kickoff, recruitment, retro, topics, weekly
from bot.slack.listeners.shared import facilitator_group
from bot.slack.render.help import help_message, status_message

Subcommand = Callable[..., None]


def register(app: App) -> None:
    app.command(ids.COMMAND)(on_command)


def on_command(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    name, _, args = plain(command.get("text") or "").strip().partition(" ")
    handler = SUBCOMMANDS.get(name.lower())
    if handler is None:
        ack(**help_message(unknown=name or None).as_kwargs())
        return
    handler(
        ack=ack, command=command, args=args.strip(), client=client, context=context, respond=respond
    )


def show_help(*, ack: Ack, **_: Any) -> None:
    ack(**help_message().as_kwargs())


def show_status(*, ack: Ack, command: dict[str, Any], context: BoltContext, **_: Any) -> None:
    with deps(context).store.transaction() as session:
        found = groups.channel_groups(
            session, team_id=team(context), channel_id=command["channel_id"]
        )
        message = status_message(found, command["channel_id"])
    ack(**message.as_kwargs())


def kickoff_command(
    *,
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    **_: Any,
) -> None:
    group = facilitator_group(ack, command, context)
    if group is None:
        return
    try:
        groups.ensure_open(group)
    except DomainError as error:
        ack(text=error.message)
        return
    ack()
    kickoff.open_schedule_form(client, command["trigger_id"], group, respond)


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": show_help,
    "start": recruitment.start_command,
    "want": board.want_command,
    "leave": recruitment.leave_command,
    "status": show_status,
    "kickoff": kickoff_command,
    "propose": topics.propose_command,
    "skip": weekly.skip_command,
    "move": weekly.move_command,
    "pause": weekly.pause_command,
    "resume": weekly.resume_command,
    "end": retro.end_command,
    "settings": weekly.settings_command,
    "stats": home.stats_command,
    "owners": home.owners_command,
}
