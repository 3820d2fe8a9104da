"""Messages people post: links shared in a week's thread become the group's material.

Slack re-delivers an event it thinks we missed; storing a link is idempotent (one row per
group and URL), so a retry changes nothing.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from sqlalchemy import select

from bot.domain import resources
from bot.slack.context import deps, team
from bot.store.models import Group, Week

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join"}


def register(app: App) -> None:
    app.event("message")(on_message)


def on_message(event: dict[str, Any], context: BoltContext) -> None:
    if event.get("subtype") in IGNORED_SUBTYPES or event.get("bot_id"):
        return
    thread_ts = event.get("thread_ts")
    if not thread_ts or event.get("channel_type") not in {"channel", "group"}:
        return
    with deps(context).store.transaction() as session:
        found = session.execute(
            select(Group, Week)
            .join(Week, Week.group_id == Group.id)
            .where(
                Group.team_id == team(context),
                Group.channel_id == event["channel"],
                Week.prompt_ts == thread_ts,
            )
        ).first()
        if found is None:
            return
        group, week = found
        resources.keep_links(
            session,
            group=group,
            week=week.number,
            user_id=event.get("user", ""),
            text=event.get("text", ""),
            message_ts=event["ts"],
        )
