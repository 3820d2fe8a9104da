"""Schedule the kick-off, align on it, and start the cycle (or run another round)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import groups, kickoff, slots
from bot.domain.access import require_facilitator
from bot.domain.errors import DomainError, InvalidInput
from bot.slack import ids, live
from bot.slack.context import deps, team
from bot.slack.forms import field_error, form_values, private_metadata
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.render import kickoff as render
from bot.slack.render import recruitment as recruitment_render
from bot.slack.render.message import Message
from bot.slack.replies import dm, open_form, tell
from bot.store.models import Group
from bot.store.types import utcnow


def register(app: App) -> None:
    app.action(ids.KICKOFF_SCHEDULE)(on_schedule_clicked)
    app.action(ids.KICKOFF_AGAIN)(on_schedule_clicked)
    app.view(ids.KICKOFF_SCHEDULE)(on_schedule_submitted)
    app.action(ids.KICKOFF_ALIGNED)(on_aligned_clicked)
    app.action(ids.CYCLE_START)(on_start_cycle_clicked)


def open_schedule_form(client: WebClient, trigger_id: str, group: Group, respond: Respond) -> None:
    open_form(client, trigger_id, render.schedule_modal(group, utcnow()), respond, again="try")


def on_schedule_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    try:
        with deps(context).store.transaction() as session:
            group = groups.get_group(session, team_id=team(context), group_id=int(action["value"]))
            require_facilitator(group, body["user"]["id"])
            groups.ensure_open(group)
    except DomainError as error:
        tell(respond, error.message)
        return
    open_schedule_form(client, body["trigger_id"], group, respond)


def on_schedule_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    values = form_values(view)
    try:
        day = date.fromisoformat(values.get("kickoff_date") or "")
        clock = time.fromisoformat(values.get("kickoff_time") or "")
    except ValueError:
        ack(response_action="errors", errors={"kickoff_date": "Pick a date and a time."})
        return
    try:
        with deps(context).store.transaction() as session:
            group_id = int(private_metadata(view).get("group_id", 0))
            group = groups.get_group(session, team_id=team(context), group_id=group_id)
            at = slots.at_local(day, clock, group.timezone)
            round_ = kickoff.schedule_kickoff(
                session,
                team_id=team(context),
                group_id=group_id,
                user_id=user_id,
                at=at,
                now=utcnow(),
            )
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"kickoff_date": field_error(error.message)})
        return
    ack()
    dm(Gateway(client), user_id, Message(text=render.kickoff_scheduled_reply(group, round_)))


def on_aligned_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    try:
        with deps(context).store.transaction() as session:
            round_, new = kickoff.align(
                session,
                team_id=team(context),
                kickoff_id=int(action["value"]),
                user_id=body["user"]["id"],
            )
    except DomainError as error:
        tell(respond, error.message)
        return
    if new:
        live.kickoff(deps(context), client, round_.id)
    else:
        tell(respond, "You've already confirmed — thanks!")


def on_start_cycle_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    try:
        with deps(context).store.transaction() as session:
            group = kickoff.start_cycle(
                session,
                team_id=team(context),
                group_id=int(action["value"]),
                user_id=body["user"]["id"],
                now=utcnow(),
            )
            round_ = kickoff.latest_kickoff(session, group.id)
    except DomainError as error:
        tell(respond, error.message)
        return
    gateway = Gateway(client)
    live.recruitment(deps(context), client, group.id)
    for place, waiting in enumerate(group.waitlist, 1):
        dm(gateway, waiting.user_id, recruitment_render.cycle_started_without_you_dm(group, place))
    try:
        gateway.post(
            group.channel_id,
            render.cycle_started_message(group),
            thread_ts=round_.message_ts if round_ else None,
            broadcast=True,
        )
    except SlackCallFailed as failed:
        tell(
            respond, f"The cycle has started, but I couldn't post in the channel ({failed.error})."
        )
