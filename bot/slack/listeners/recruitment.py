"""Start a group, join it, leave it: the recruitment message and its two forms."""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import time
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.domain import groups
from bot.domain import home as member_home
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.groups import GroupDraft, JoinResult, LeaveResult
from bot.domain.kickoff import latest_kickoff
from bot.domain.markup import typed
from bot.slack import ids, live
from bot.slack.context import deps, enterprise, team
from bot.slack.forms import as_int, field_error, form_values, private_metadata
from bot.slack.gateway import ChannelUnavailable, Gateway, SlackCallFailed
from bot.slack.listeners import board, home
from bot.slack.listeners.shared import channel_group
from bot.slack.render import kickoff as kickoff_render
from bot.slack.render import recruitment as render
from bot.slack.render.message import Message
from bot.slack.replies import answer, dm, open_form, tell, tell_in_channel
from bot.store.models import GroupFormat

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(ids.START_VIEW)(on_start_submitted)
    app.action(ids.JOIN)(on_join_clicked)
    app.action(ids.HOME_JOIN)(on_join_clicked)  # the same form, from App Home
    app.view(ids.JOIN_VIEW)(on_join_submitted)
    app.action(ids.LEAVE)(on_leave_clicked)


# --- /p2p start -----------------------------------------------------------------------------


def start_command(
    *,
    ack: Ack,
    command: dict[str, Any],
    args: str,
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    **_: Any,
) -> None:
    channel_id = command["channel_id"]
    pick_channel = not _is_channel(command)  # run in a DM: the form asks where
    if pick_channel:
        channel_id = ""
        ack()
    else:
        with deps(context).store.transaction() as session:
            live = groups.live_group(session, team_id=team(context), channel_id=channel_id)
        if live is not None:
            ack(
                text=f"<#{channel_id}> already has a live group, *{typed(live.topic)}* — see "
                "`/p2p status`. Start the new one in another channel."
            )
            return
        ack()
        if not Gateway(client).bot_is_member(channel_id):
            respond(
                text="I'm not in this channel yet, so I couldn't post the group here. "
                "Add me with `/invite @p2p`, then run `/p2p start` again."
            )
            return

    def form(timezone: str) -> View:
        return render.start_modal(
            channel_id=channel_id,
            topic=args,
            timezone=timezone,
            team_id=team(context),
            pick_channel=pick_channel,
        )

    # The trigger lasts 3 s: open the form first, then fill in the person's time zone.
    view_id = open_form(client, command["trigger_id"], form(""), respond, again="run `/p2p start`")
    gateway = Gateway(client)
    timezone = gateway.user_timezone(command["user_id"])
    if view_id and timezone:
        with suppress(SlackCallFailed):  # they can still type it in
            gateway.update_view(view_id, form(timezone))


def _is_channel(command: dict[str, Any]) -> bool:
    """Run in a channel, not in a DM or a group DM (where no group can recruit)."""
    name = str(command.get("channel_name") or "")
    return not (
        command["channel_id"].startswith("D") or name == "directmessage" or name.startswith("mpdm-")
    )


def on_start_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    meta = private_metadata(view)
    values = form_values(view)
    channel_id = meta.get("channel_id", "")
    if meta.get("team_id") and meta["team_id"] != team(context):
        # A form opened in another workspace: the channel it names is not this one's.
        log.warning("start form of %s submitted from %s; ignored", meta["team_id"], team(context))
        ack()
        return
    if ids.START_CHANNEL in values:  # opened outside a channel: the facilitator picked one
        channel_id = values.get(ids.START_CHANNEL) or ""
        problem = (
            "Pick the channel where the group will recruit."
            if not channel_id
            else None
            if Gateway(client).bot_is_member(channel_id)
            else "I'm not in that channel yet. Add me there with /invite @p2p (or pick "
            "another), then press Start recruiting again."
        )
        if problem:
            ack(response_action="errors", errors={ids.START_CHANNEL: problem})
            return
    try:
        draft = _draft_from(values, facilitator_timezone=meta.get("user_tz"))
        with deps(context).store.transaction() as session:
            group = groups.create_group(
                session,
                team_id=team(context),
                enterprise_id=enterprise(context),
                channel_id=channel_id,
                user_id=user_id,
                draft=draft,
            )
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        # e.g. the channel already has a live group: said under the field that can fix it
        field = ids.START_CHANNEL if ids.START_CHANNEL in values else "topic"
        ack(response_action="errors", errors={field: field_error(error.message)})
        return
    ack()

    gateway = Gateway(client)
    try:
        _, ts = gateway.post(channel_id, render.recruitment_message(group))
    except SlackCallFailed as failed:
        # Nobody saw it, so it must not block the channel: forget it and say what to do.
        with deps(context).store.transaction() as session:
            groups.discard_unposted(session, group_id=group.id)
        reason = (
            "I'm not in that channel any more. Add me with `/invite @p2p` and"
            if isinstance(failed, ChannelUnavailable)
            else f"Slack refused the post ({failed.error}). Please"
        )
        dm(
            gateway,
            user_id,
            Message(
                text=f"I couldn't post the *{typed(group.topic)}* group in <#{channel_id}>: {reason} "
                f"run `/p2p start {typed(group.topic)}` again."
            ),
        )
        return
    private = gateway.channel_is_private(channel_id)
    with deps(context).store.transaction() as session:
        groups.set_recruitment_message(session, group_id=group.id, ts=ts)
        if private:
            member_home.mark_private_channel(session, group_id=group.id)
    proposal_id = meta.get("proposal_id")
    board.invite_waiting(gateway, context, int(proposal_id) if proposal_id else None, group.id)
    home.refresh(context, client, user_id)


def _draft_from(values: dict[str, Any], *, facilitator_timezone: str | None) -> GroupDraft:
    errors: dict[str, str] = {}
    numbers = {}
    for field in ("weeks", "seats", "min_members", "weekday", "facilitator_minutes"):
        numbers[field] = as_int(values.get(field))
        if numbers[field] is None:
            errors[field] = "Enter a whole number."
    session_time = _parse_time(values.get("session_time"))
    if session_time is None:
        errors["session_time"] = "Pick a time, e.g. 18:00."
    try:
        group_format = GroupFormat(str(values.get("format")))
    except ValueError:
        errors["format"] = "Pick a format."
    if errors:
        raise InvalidInput(errors)
    assert session_time is not None
    return GroupDraft(
        topic=(values.get("topic") or "").strip(),
        why=(values.get("why") or "").strip(),
        format=group_format,
        weekday=numbers["weekday"] or 0,
        session_time=session_time,
        timezone=(values.get("timezone") or "").strip(),
        weeks=numbers["weeks"] or 0,
        seats=numbers["seats"] or 0,
        min_members=numbers["min_members"] or 0,
        facilitator_minutes=numbers["facilitator_minutes"] or 0,
        share_checkins="share" in (values.get("share_checkins") or []),
        facilitator_timezone=facilitator_timezone,
        place=(values.get("place") or "").strip(),
    )


def _parse_time(value: Any) -> time | None:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        return None


# --- Join / Leave ---------------------------------------------------------------------------


def on_join_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    user_id = body["user"]["id"]
    try:
        with deps(context).store.transaction() as session:
            group = groups.get_group(session, team_id=team(context), group_id=int(action["value"]))
            groups.ensure_open(group)
            already = groups.join_status(group, user_id)
    except DomainError as error:
        answer(respond, client, user_id, error.message)
        return
    if already is not None:
        answer(respond, client, user_id, render.join_reply(already))
        return
    view = render.join_modal(group)
    open_form(client, body["trigger_id"], view, respond, again="click *Join*", user_id=user_id)


def on_join_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    values = form_values(view)
    minutes = as_int(values.get("minutes_per_week"))
    if minutes is None:
        ack(
            response_action="errors",
            errors={"minutes_per_week": "Pick how much time you can give."},
        )
        return
    try:
        with deps(context).store.transaction() as session:
            outcome = groups.join(
                session,
                team_id=team(context),
                group_id=int(private_metadata(view).get("group_id", 0)),
                user_id=user_id,
                goal=values.get("goal") or "",
                minutes_per_week=minutes,
            )
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"goal": field_error(error.message)})
        return
    ack()
    gateway = Gateway(client)
    group = outcome.group
    if outcome.result in {JoinResult.JOINED, JoinResult.WAITLISTED}:
        live.recruitment(deps(context), client, group.id)
    tell_in_channel(gateway, group.channel_id, user_id, render.join_reply(outcome))
    timezone = gateway.user_timezone(user_id)
    if timezone:
        with deps(context).store.transaction() as session:
            groups.set_member_timezone(
                session, group_id=group.id, user_id=user_id, timezone=timezone
            )
    if outcome.reached_minimum:
        with deps(context).store.transaction() as session:
            first_time = latest_kickoff(session, group.id) is None
        if first_time:
            dm(gateway, group.facilitator_id, kickoff_render.minimum_reached_dm(group))
    home.refresh(context, client, user_id)


def on_leave_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    _leave(int(action["value"]), body["user"]["id"], client, context, respond)


def leave_command(
    *,
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    **_: Any,
) -> None:
    """`/p2p leave`: also once the cycle runs, when the recruitment message has no buttons."""
    group = channel_group(ack, command, context)
    if group is None:
        return
    ack()
    _leave(group.id, command["user_id"], client, context, respond)


def _leave(
    group_id: int, user_id: str, client: WebClient, context: BoltContext, respond: Respond
) -> None:
    try:
        with deps(context).store.transaction() as session:
            outcome = groups.leave(
                session, team_id=team(context), group_id=group_id, user_id=user_id
            )
    except DomainError as error:
        tell(respond, error.message)
        return
    group = outcome.group
    if outcome.result is LeaveResult.NOT_IN_GROUP:
        tell(
            respond,
            f"You're not in the *{typed(group.topic)}* group, so there's nothing to leave.",
        )
        return
    gateway = Gateway(client)
    live.recruitment(deps(context), client, group.id)
    home.refresh(context, client, user_id)
    if outcome.result is LeaveResult.LEFT_WAITLIST:
        tell(respond, f"You're off the *{typed(group.topic)}* waitlist.")
        return
    tell(respond, render.left_reply(group))
    if outcome.promoted is not None:
        dm(gateway, outcome.promoted.user_id, render.promoted_dm(group))
    if outcome.new_facilitator is not None:
        dm(gateway, outcome.new_facilitator, render.facilitator_handover_dm(group))
