"""After the session: the check-in form (from the DM or the Home tab), and marking a catch-up
as done."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import catchup, checkins, groups
from bot.domain.access import require_member
from bot.domain.checkins import Answers
from bot.domain.errors import DomainError, InvalidInput
from bot.slack import ids
from bot.slack.context import deps, team
from bot.slack.forms import as_int, field_error, form_values, private_metadata
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.listeners import home
from bot.slack.listeners.shared import ids_from
from bot.slack.render import checkins as render
from bot.slack.replies import answer, open_form, tell
from bot.store.types import utcnow


def register(app: App) -> None:
    app.action(ids.CHECKIN)(on_checkin_clicked)
    app.action(ids.HOME_CHECKIN)(on_checkin_clicked)
    app.view(ids.CHECKIN)(on_checkin_submitted)
    app.action(ids.CAUGHT_UP)(on_caught_up_clicked)


def on_checkin_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    group_id, number = ids_from(action["value"])
    user_id = body["user"]["id"]
    try:
        with deps(context).store.transaction() as session:
            group = groups.get_group(session, team_id=team(context), group_id=group_id)
            require_member(group, user_id, "check in")
            week = group.week(number)
            if week is None or not checkins.is_open(group, week, utcnow()):
                raise InvalidInput({"learned": f"Week {number}'s check-in has closed."})
            current = checkins.get(session, group_id, number, user_id)
    except DomainError as error:
        answer(respond, client, user_id, error.message)
        return
    container = body.get("container", {})  # the DM's message; none in the Home tab
    view = render.checkin_modal(
        group,
        week,
        current,
        dm_channel=container.get("channel_id", ""),
        dm_ts=container.get("message_ts", ""),
    )
    again = "click *Check in*" if respond.response_url else "click *Check in* in the Home tab"
    open_form(client, body["trigger_id"], view, respond, again=again, user_id=user_id)


def on_checkin_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = private_metadata(view)
    values = form_values(view)
    try:
        hours = float(values["hours"]) if values.get("hours") not in (None, "") else None
    except ValueError:
        ack(response_action="errors", errors={"hours": "Enter a number of hours, e.g. 1.5"})
        return
    answers = Answers(
        learned=values.get("learned") or "",
        hours=hours,
        went_well=values.get("went_well") or "",
        went_badly=values.get("went_badly") or "",
        confidence=as_int(values.get("confidence")),
        blockers=values.get("blockers") or "",
    )
    try:
        with deps(context).store.transaction() as session:
            checkins.save(
                session,
                team_id=team(context),
                group_id=int(meta.get("group_id", 0)),
                week=int(meta.get("week", 0)),
                user_id=body["user"]["id"],
                answers=answers,
                now=utcnow(),
            )
            group = groups.get_group(
                session, team_id=team(context), group_id=int(meta.get("group_id", 0))
            )
            week = group.week(int(meta.get("week", 0)))
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"learned": field_error(error.message)})
        return
    ack()  # stored first: only now is the person told it was saved
    if week is not None and meta.get("channel") and meta.get("ts"):
        # The answer is stored; if this fails the DM just keeps its old look (the gateway logs it).
        with suppress(SlackCallFailed):
            Gateway(client).update(meta["channel"], meta["ts"], render.checked_in_dm(group, week))
    home.refresh(context, client, body["user"]["id"])


def on_caught_up_clicked(
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
            group, _ = catchup.mark_caught_up(
                session,
                team_id=team(context),
                group_id=group_id,
                week=number,
                user_id=body["user"]["id"],
                now=utcnow(),
            )
            week = group.week(number)
    except DomainError as error:
        tell(respond, error.message)
        return
    if week is not None:
        respond(replace_original=True, **render.caught_up_dm(group, week).as_kwargs())
