"""Proposing topics, voting on next week's, closing the vote, setting a topic by hand."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import groups, topics
from bot.domain.access import require_facilitator, require_member
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.markup import typed
from bot.slack import ids, live
from bot.slack.context import deps, team
from bot.slack.forms import field_error, form_values, private_metadata
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.listeners import home
from bot.slack.listeners.shared import channel_group, ids_from
from bot.slack.render import votes as render
from bot.slack.render.message import Message
from bot.slack.replies import dm, open_form, tell, tell_in_channel
from bot.store.types import utcnow

VOTE_BUTTON = re.compile(rf"^{ids.VOTE_OPTION}_\d+$")
# A link as typed, or as incoming.plain gives a link someone labelled: "label (https://…)".
LINK = re.compile(r"\((https?://\S+)\)$|<?(https?://[^\s|>]+)(?:\|[^>]*)?>?")


def register(app: App) -> None:
    app.action(VOTE_BUTTON)(on_vote_clicked)
    app.action(ids.VOTE_CLOSE)(on_close_clicked)
    app.action(ids.PROPOSE)(on_propose_clicked)
    app.view(ids.PROPOSE)(on_propose_submitted)
    app.action(ids.SET_TOPIC)(on_set_topic_clicked)
    app.view(ids.SET_TOPIC)(on_set_topic_submitted)


# --- /p2p propose <topic> [link] ----------------------------------------------------------


def propose_command(
    *,
    ack: Ack,
    command: dict[str, Any],
    args: str,
    client: WebClient,
    context: BoltContext,
    **_: Any,
) -> None:
    group = channel_group(ack, command, context)
    if group is None:
        return
    text, link = split_link(args)
    try:
        with deps(context).store.transaction() as session:
            proposal, merged = topics.propose(
                session,
                team_id=team(context),
                group_id=group.id,
                user_id=command["user_id"],
                text=text,
                link=link,
            )
            open_poll = topics.open_poll_id(session, group.id)
    except DomainError as error:
        ack(text=error.message)
        return
    ack(text=render.proposal_reply(proposal, merged))
    if open_poll is not None:
        live.vote(deps(context), client, open_poll)


def split_link(args: str) -> tuple[str, str | None]:
    """ "Raft consensus <https://raft.github.io>" -> ("Raft consensus", "https://raft.github.io")."""
    match = LINK.search(args)
    if match is None:
        return args.strip(), None
    return (args[: match.start()] + args[match.end() :]).strip(), match.group(1) or match.group(2)


# --- the vote -----------------------------------------------------------------------------


def on_vote_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    poll_id, option_id = ids_from(action["value"])
    try:
        with deps(context).store.transaction() as session:
            topics.vote(
                session,
                team_id=team(context),
                poll_id=poll_id,
                option_id=option_id,
                user_id=body["user"]["id"],
                now=utcnow(),
            )
    except DomainError as error:
        tell(respond, error.message)
        return
    live.vote(deps(context), client, poll_id)
    home.refresh(context, client, body["user"]["id"])


def on_close_clicked(
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
            group, poll = topics.get_poll(
                session, team_id=team(context), poll_id=int(action["value"]), for_update=True
            )
            was_open = poll.is_open  # read under the lock: only one closer announces
            result = topics.close_poll_by_hand(
                session,
                team_id=team(context),
                poll_id=poll.id,
                user_id=body["user"]["id"],
                now=utcnow(),
            )
    except DomainError as error:
        tell(respond, error.message)
        return
    live.vote(deps(context), client, poll.id)
    if was_open:
        try:
            Gateway(client).post(
                group.channel_id,
                render.result_announcement(group, result),
                thread_ts=poll.message_ts,
                broadcast=True,
            )
        except SlackCallFailed as failed:
            tell(respond, f"The vote is closed, but I couldn't post the result ({failed.error}).")


# --- adding a topic from the vote ---------------------------------------------------------


def on_propose_clicked(
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
            require_member(group, body["user"]["id"], "propose topics")
    except DomainError as error:
        tell(respond, error.message)
        return
    open_form(client, body["trigger_id"], render.propose_modal(group), respond, again="try")


def on_propose_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    values = form_values(view)
    link = (values.get("link") or "").strip() or None
    if link and not link.startswith(("http://", "https://")):
        ack(response_action="errors", errors={"link": "Start the link with https://"})
        return
    user_id = body["user"]["id"]
    try:
        with deps(context).store.transaction() as session:
            group_id = int(private_metadata(view).get("group_id", 0))
            proposal, merged = topics.propose(
                session,
                team_id=team(context),
                group_id=group_id,
                user_id=user_id,
                text=values.get("proposal") or "",
                link=link,
            )
            group = groups.get_group(session, team_id=team(context), group_id=group_id)
            open_poll = topics.open_poll_id(session, group_id)
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.fields)
        return
    except DomainError as error:
        ack(response_action="errors", errors={"proposal": field_error(error.message)})
        return
    ack()
    if open_poll is not None:
        live.vote(deps(context), client, open_poll)
    tell_in_channel(
        Gateway(client), group.channel_id, user_id, render.proposal_reply(proposal, merged)
    )


# --- the facilitator sets a topic ---------------------------------------------------------


def on_set_topic_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    group_id, week = ids_from(action["value"])
    try:
        with deps(context).store.transaction() as session:
            group = groups.get_group(session, team_id=team(context), group_id=group_id)
            require_facilitator(group, body["user"]["id"])
    except DomainError as error:
        tell(respond, error.message)
        return
    open_form(client, body["trigger_id"], render.set_topic_modal(group, week), respond, again="try")


def on_set_topic_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = private_metadata(view)
    user_id = body["user"]["id"]
    try:
        with deps(context).store.transaction() as session:
            proposal = topics.set_next_topic(
                session,
                team_id=team(context),
                group_id=int(meta.get("group_id", 0)),
                user_id=user_id,
                week=int(meta.get("week", 0)),
                text=form_values(view).get("proposal") or "",
            )
    except InvalidInput as invalid:
        ack(response_action="errors", errors={"proposal": "; ".join(invalid.fields.values())})
        return
    except DomainError as error:
        ack(response_action="errors", errors={"proposal": field_error(error.message)})
        return
    ack()
    dm(
        Gateway(client),
        user_id,
        Message(text=f"Week {meta.get('week')}'s topic is *{typed(proposal.text)}*."),
    )
