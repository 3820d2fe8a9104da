"""The end of a cycle: members' feedback, and the facilitator ending a group early."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import groups, retro
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.retro import FeedbackAnswers
from bot.slack import ids, live
from bot.slack.context import deps, team
from bot.slack.forms import as_int, field_error, form_values, private_metadata
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.listeners.shared import facilitator_group
from bot.slack.render import retro as render
from bot.slack.replies import open_form, tell, tell_in_channel
from bot.store.models import LearnedGoal, StallReason
from bot.store.types import utcnow


def register(app: App) -> None:
    app.action(ids.FEEDBACK)(on_feedback_clicked)
    app.view(ids.FEEDBACK)(on_feedback_submitted)
    app.view(ids.END_GROUP)(on_end_submitted)


def on_feedback_clicked(
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
            retro.require_feedback_open(group, body["user"]["id"])
    except DomainError as error:
        tell(respond, error.message)
        return
    open_form(
        client,
        body["trigger_id"],
        render.feedback_modal(group),
        respond,
        again="click *Give feedback*",
    )


def on_feedback_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    values = form_values(view)
    group_id = int(private_metadata(view).get("group_id", 0))
    user_id = body["user"]["id"]
    try:
        answers = FeedbackAnswers(
            rating=as_int(values.get("rating")) or 0,
            learned_goal=LearnedGoal(str(values.get("learned_goal"))),
            join_again=values.get("join_again") == "yes",
            facilitate=values.get("facilitate") == "yes",
            topics_wanted=values.get("topics_wanted") or "",
        )
    except ValueError:
        ack(response_action="errors", errors={"learned_goal": "Pick yes, partly or no."})
        return
    try:
        with deps(context).store.transaction() as session:
            retro.save_feedback(
                session,
                team_id=team(context),
                group_id=group_id,
                user_id=user_id,
                answers=answers,
                now=utcnow(),
            )
            group = groups.get_group(session, team_id=team(context), group_id=group_id)
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"rating": field_error(error.message)})
        return
    ack()
    tell_in_channel(Gateway(client), group.channel_id, user_id, render.feedback_thanks(group).text)


def end_command(
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
        client, command["trigger_id"], render.end_modal(group), respond, again="run `/p2p end`"
    )


def on_end_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    values = form_values(view)
    try:
        reason = StallReason(str(values.get("reason")))
    except ValueError:
        ack(response_action="errors", errors={"reason": "Pick a reason."})
        return
    try:
        with deps(context).store.transaction() as session:
            group = retro.end_early(
                session,
                team_id=team(context),
                group_id=int(private_metadata(view).get("group_id", 0)),
                user_id=body["user"]["id"],
                reason=reason,
                note=values.get("note") or "",
                now=utcnow(),
            )
    except DomainError as error:
        ack(response_action="errors", errors={"reason": field_error(error.message)})
        return
    ack()
    live.recruitment(deps(context), client, group.id)
    # Recorded as ended either way; if the notice fails the gateway logs why.
    with suppress(SlackCallFailed):
        Gateway(client).post(group.channel_id, render.ended_notice(group))
