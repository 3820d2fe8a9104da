"""The weekly session: attendance, and the facilitator's skip / move / pause / resume."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import attendance, cycle, group_settings, groups, slots, topics
from bot.domain.access import require_facilitator
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.group_settings import GroupSettings
from bot.slack import ids, live
from bot.slack.context import deps, team
from bot.slack.forms import as_int, field_error, form_values, private_metadata
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.listeners import home
from bot.slack.listeners.shared import channel_group, facilitator_group, ids_from
from bot.slack.render import settings as settings_render
from bot.slack.render import weekly as render
from bot.slack.replies import open_form, tell
from bot.store.models import Group
from bot.store.types import utcnow


def register(app: App) -> None:
    app.action(ids.ATTEND_HERE)(on_attendance_clicked)
    app.action(ids.ATTEND_AWAY)(on_attendance_clicked)
    app.action(ids.ATTEND_CORRECT)(on_correct_clicked)
    app.view(ids.ATTEND_CORRECT)(on_correct_submitted)
    app.view(ids.SESSION_MOVE)(on_move_submitted)
    app.view(ids.SETTINGS)(on_settings_submitted)


# --- attendance ---------------------------------------------------------------------------


def on_attendance_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    group_id, week = ids_from(action["value"])
    user_id = body["user"]["id"]
    present = action["action_id"] == ids.ATTEND_HERE
    try:
        with deps(context).store.transaction() as session:
            attendance.answer(
                session,
                team_id=team(context),
                group_id=group_id,
                week=week,
                user_id=user_id,
                present=present,
                by=user_id,
                now=utcnow(),
            )
    except DomainError as error:
        tell(respond, error.message)
        return
    live.attendance_check(deps(context), client, group_id, week)
    home.refresh(context, client, user_id)


def on_correct_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    group_id, number = ids_from(action["value"])
    try:
        with deps(context).store.transaction() as session:
            group = groups.get_group(session, team_id=team(context), group_id=group_id)
            require_facilitator(group, body["user"]["id"])
            week = group.week(number)
            answers = attendance.for_week(session, group_id, number)
    except DomainError as error:
        tell(respond, error.message)
        return
    if week is None:
        return
    open_form(
        client,
        body["trigger_id"],
        render.attendance_modal(group, week, answers),
        respond,
        again="try",
    )


def on_correct_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = private_metadata(view)
    group_id, number = int(meta.get("group_id", 0)), int(meta.get("week", 0))
    present = set(form_values(view).get("present") or [])
    by = body["user"]["id"]
    try:
        with deps(context).store.transaction() as session:
            attendance.correct(
                session,
                team_id=team(context),
                group_id=group_id,
                week=number,
                present=present,
                by=by,
                now=utcnow(),
            )
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"present": field_error(error.message)})
        return
    ack()
    live.attendance_check(deps(context), client, group_id, number)


# --- the facilitator's calendar commands --------------------------------------------------


def move_command(
    *,
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    **_: Any,
) -> None:
    group = channel_group(ack, command, context)
    if group is None:
        return
    try:
        with deps(context).store.transaction() as session:
            group = groups.get_group(session, team_id=team(context), group_id=group.id)
            week = cycle.next_to_move(group, command["user_id"], utcnow())
    except DomainError as error:
        ack(text=error.message)
        return
    ack()
    open_form(
        client,
        command["trigger_id"],
        render.move_modal(group, week),
        respond,
        again="run `/p2p move`",
    )


def on_move_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    values = form_values(view)
    group_id = int(private_metadata(view).get("group_id", 0))
    try:
        day = date.fromisoformat(values.get("move_date") or "")
        clock = time.fromisoformat(values.get("move_time") or "")
    except ValueError:
        ack(response_action="errors", errors={"move_date": "Pick a date and a time."})
        return
    try:
        with deps(context).store.transaction() as session:
            group = groups.get_group(session, team_id=team(context), group_id=group_id)
            week = cycle.move_next_session(
                session,
                team_id=team(context),
                group_id=group_id,
                user_id=body["user"]["id"],
                starts_at=slots.at_local(day, clock, group.timezone),
                now=utcnow(),
            )
            text = render.moved_text(group, week)
            open_poll = topics.open_poll_id(session, group_id)
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"move_date": field_error(error.message)})
        return
    ack()
    _announce(client, group.channel_id, text, None)
    _refresh_vote(context, client, open_poll)


def _change_calendar(
    change: Callable[[Session, Group, str, datetime], str],
    *,
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    **_: Any,
) -> None:
    """Skip, pause, resume: change the calendar, then tell the group once, in its channel."""
    group = channel_group(ack, command, context)
    if group is None:
        return
    try:
        with deps(context).store.transaction() as session:
            text = change(session, group, command["user_id"], utcnow())
            open_poll = topics.open_poll_id(session, group.id)
    except DomainError as error:
        ack(text=error.message)
        return
    ack()
    _announce(client, group.channel_id, text, respond)
    _refresh_vote(context, client, open_poll)


def _skip(session: Session, group: Group, user_id: str, now: datetime) -> str:
    week = cycle.skip_week(
        session, team_id=group.team_id, group_id=group.id, user_id=user_id, now=now
    )
    return render.skipped_text(group, week)


def _pause(session: Session, group: Group, user_id: str, now: datetime) -> str:
    paused = cycle.pause(
        session, team_id=group.team_id, group_id=group.id, user_id=user_id, now=now
    )
    return render.paused_text(paused)


def _resume(session: Session, group: Group, user_id: str, now: datetime) -> str:
    resumed = cycle.resume(
        session, team_id=group.team_id, group_id=group.id, user_id=user_id, now=now
    )
    return render.resumed_text(resumed, cycle.next_week(resumed, now))


skip_command = partial(_change_calendar, _skip)
pause_command = partial(_change_calendar, _pause)
resume_command = partial(_change_calendar, _resume)


def _refresh_vote(context: BoltContext, client: WebClient, poll_id: int | None) -> None:
    """An open vote shows its deadline, which follows the calendar."""
    if poll_id is not None:
        live.vote(deps(context), client, poll_id)


def _announce(client: WebClient, channel: str, text: str, respond: Respond | None) -> None:
    """Tell the group once, in its channel."""
    try:
        Gateway(client).post(channel, render.announcement(text))
    except SlackCallFailed as failed:
        if respond is not None:
            respond(text=f"Saved, but I couldn't post in the channel ({failed.error}).")


# --- /p2p settings --------------------------------------------------------------------------


def settings_command(
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
    ack()
    open_form(
        client,
        command["trigger_id"],
        settings_render.settings_modal(group),
        respond,
        again="run `/p2p settings`",
    )


def on_settings_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    values = form_values(view)
    numbers = {field: as_int(values.get(field)) for field in settings_render.LABELS}
    missing = {field: "Enter a whole number." for field, n in numbers.items() if n is None}
    if missing:
        ack(response_action="errors", errors=missing)
        return
    chosen = GroupSettings(
        session_minutes=numbers["session_minutes"] or 0,
        prompt_lead_hours=numbers["prompt_lead_hours"] or 0,
        vote_close_hours=numbers["vote_close_hours"] or 0,
        checkin_delay_days=numbers["checkin_delay_days"] or 0,
        share_checkins="share" in (values.get("share_checkins") or []),
    )
    try:
        with deps(context).store.transaction() as session:
            group = group_settings.update(
                session,
                team_id=team(context),
                group_id=int(private_metadata(view).get("group_id", 0)),
                user_id=body["user"]["id"],
                settings=chosen,
                now=utcnow(),
            )
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"session_minutes": field_error(error.message)})
        return
    ack()
    with deps(context).store.transaction() as session:
        open_poll = topics.open_poll_id(session, group.id)
    _refresh_vote(context, client, open_poll)
