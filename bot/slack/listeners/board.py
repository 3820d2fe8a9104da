"""`/p2p want`, the interest board's buttons, and the proposals sent to facilitators."""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.domain import interest
from bot.domain.cohorts import Availability
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.groups import get_group
from bot.domain.markup import typed
from bot.slack import ids
from bot.slack.context import deps, team
from bot.slack.forms import field_error, form_values
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.interest_run import InterestRunner
from bot.slack.listeners import home
from bot.slack.render import board as render
from bot.slack.render.message import Message
from bot.slack.render.recruitment import StartPrefill, start_modal
from bot.slack.replies import answer, dm, tell
from bot.store.types import utcnow

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.WANT_OPEN)(on_want_open)
    app.action(ids.WANT_TOO)(on_want_too)
    app.action(ids.WANT_DROP)(on_want_drop)
    app.view(ids.WANT_VIEW)(on_want_submitted)
    app.action(ids.PROPOSAL_START)(on_proposal_start)
    app.action(ids.PROPOSAL_DECLINE)(on_proposal_decline)


# --- /p2p want ------------------------------------------------------------------------------


def want_command(
    *,
    ack: Ack,
    command: dict[str, Any],
    args: str,
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    **_: Any,
) -> None:
    user_id = command["user_id"]
    if not args:
        with deps(context).store.transaction() as session:
            found = interest.board(session, team_id=team(context), user_id=user_id)
        ack(**render.board_message(found).as_kwargs())
        return
    ack()
    open_want_form(client, context, command["trigger_id"], user_id, args, respond)


def open_want_form(
    client: WebClient,
    context: BoltContext,
    trigger_id: str,
    user_id: str,
    topic: str,
    respond: Respond | None,
) -> None:
    """The want form, filled in with the person's last answers; their time zone comes
    from their Slack profile after it opens (a trigger lasts 3 s)."""
    with deps(context).store.transaction() as session:
        known = interest.latest_availability(session, team_id=team(context), user_id=user_id)
    zone = known.timezone if known else ""
    view = render.want_modal(topic=topic, timezone=zone, availability=known)
    gateway = Gateway(client)
    try:
        view_id = gateway.open_view(trigger_id, view)
    except SlackCallFailed:
        if respond is not None:
            tell(respond, "Slack took too long to open the form. Please try again.")
        return
    if not zone:
        profile_zone = gateway.user_timezone(user_id)
        if profile_zone:
            with suppress(SlackCallFailed):  # they can still type it in
                gateway.update_view(
                    view_id,
                    render.want_modal(topic=topic, timezone=profile_zone, availability=known),
                )


def on_want_open(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """**I want to learn…** (App Home, the board): the empty form."""
    ack()
    open_want_form(
        client, context, body["trigger_id"], body["user"]["id"], "", _respond(body, respond)
    )


def on_want_too(
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
            topic = interest.get_topic(
                session, team_id=team(context), topic_id=int(action["value"])
            )
            name = topic.name
    except DomainError as error:
        answer(respond, client, body["user"]["id"], error.message)
        return
    open_want_form(
        client, context, body["trigger_id"], body["user"]["id"], name, _respond(body, respond)
    )


def on_want_drop(
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
            topic = interest.drop_want(
                session, team_id=team(context), user_id=user_id, topic_id=int(action["value"])
            )
            name = topic.name
            found = interest.board(session, team_id=team(context), user_id=user_id)
    except DomainError as error:
        answer(respond, client, body["user"]["id"], error.message)
        return
    if (body.get("container") or {}).get("type") == "message" and body.get("response_url"):
        respond(replace_original=True, **render.board_message(found).as_kwargs())
    if (body.get("view") or {}).get("type") == "home":
        home.refresh(context, client, user_id)
    answer(respond, client, body["user"]["id"], f"You're off the board for *{typed(name)}*.")


def on_want_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    values = form_values(view)
    weekdays = frozenset(int(v) for v in values.get("weekdays") or [] if str(v).isdigit())
    hours = interest.windows_to_hours(values.get("windows") or [])
    availability = Availability((values.get("timezone") or "").strip(), weekdays, hours)
    try:
        with deps(context).store.transaction() as session:
            outcome = interest.add_want(
                session,
                team_id=team(context),
                user_id=user_id,
                text=values.get("topic") or "",
                why=values.get("why") or "",
                availability=availability,
                now=utcnow(),
            )
            related = interest.related(
                session, team_id=team(context), topic=outcome.topic, user_id=user_id
            )
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"topic": field_error(error.message)})
        return
    ack()
    dm(
        Gateway(client),
        user_id,
        Message(text=render.want_reply(outcome, values.get("topic") or "", related)),
    )
    home.refresh(context, client, user_id)


# --- proposals ------------------------------------------------------------------------------


def on_proposal_start(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """**Start this group**: the start form, filled in with the cohort's topic and hour;
    they pick the channel."""
    ack()
    user_id = body["user"]["id"]
    try:
        with deps(context).store.transaction() as session:
            proposal = interest.open_proposal_for(
                session, team_id=team(context), proposal_id=int(action["value"]), user_id=user_id
            )
            topic = interest.get_topic(session, team_id=team(context), topic_id=proposal.topic_id)
            name = topic.name
            prefill = StartPrefill(
                weekday=proposal.weekday,
                session_time=proposal.session_time,
                timezone="UTC",  # the clock the shared hour was found on
                proposal_id=proposal.id,
            )
    except DomainError as error:
        answer(respond, client, body["user"]["id"], error.message)
        return

    def form(timezone: str) -> View:
        return start_modal(
            channel_id="",
            topic=name,
            timezone=timezone,
            team_id=team(context),
            pick_channel=True,
            prefill=prefill,
        )

    gateway = Gateway(client)
    try:
        view_id = gateway.open_view(body["trigger_id"], form(""))
    except SlackCallFailed:
        answer(
            respond,
            client,
            body["user"]["id"],
            "Slack took too long to open the form. Please click *Start this group* again.",
        )
        return
    # Their own zone (from the profile) is kept for DMs at their local hours.
    own = gateway.user_timezone(user_id)
    if own:
        with suppress(SlackCallFailed):
            gateway.update_view(view_id, form(own))


def on_proposal_decline(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    now = utcnow()
    try:
        with deps(context).store.transaction() as session:
            proposal = interest.decline(
                session,
                team_id=team(context),
                proposal_id=int(action["value"]),
                user_id=body["user"]["id"],
                now=now,
            )
            topic = interest.get_topic(session, team_id=team(context), topic_id=proposal.topic_id)
            name = topic.name
    except DomainError as error:
        answer(respond, client, body["user"]["id"], error.message)
        return
    if body.get("response_url"):
        respond(replace_original=True, text=render.declined_reply(name))
    else:
        answer(respond, client, body["user"]["id"], render.declined_reply(name))
    # With this workspace's token (the listener's client): this workspace's proposals only.
    InterestRunner(client, deps(context).store).send_pending(now, team_id=team(context))


def invite_waiting(
    gateway: Gateway, context: BoltContext, proposal_id: int | None, group_id: int
) -> None:
    """A group is posted: if its topic is on the board (or it came from a proposal),
    invite everyone waiting on it who fits its hour; the others stay on the board."""
    try:
        with deps(context).store.transaction() as session:
            group = get_group(session, team_id=team(context), group_id=group_id)
            started = interest.group_started(
                session, team_id=team(context), proposal_id=proposal_id, group=group, now=utcnow()
            )
            if started is None:
                return
            topic = started.topic.name
    except DomainError as error:
        log.warning("group %s from proposal %s: %s", group_id, proposal_id, error.message)
        return
    for user in started.invited:
        dm(gateway, user, render.invite_dm(group))
    if started.invited or started.not_fitting:
        reply = render.group_started_reply(topic, len(started.invited), len(started.not_fitting))
        dm(gateway, group.facilitator_id, Message(text=reply))


# --- helpers --------------------------------------------------------------------------------


def _respond(body: dict[str, Any], respond: Respond) -> Respond | None:
    return respond if body.get("response_url") else None
