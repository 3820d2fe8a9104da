"""Messages that show live state, re-rendered from the database through the Refresher."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.domain import attendance, topics
from bot.domain.kickoff import expectations
from bot.domain.markup import typed
from bot.slack.context import Deps
from bot.slack.gateway import ChannelUnavailable, Gateway, MessageUnavailable
from bot.slack.render import kickoff as kickoff_render
from bot.slack.render import recruitment as recruitment_render
from bot.slack.render import votes as votes_render
from bot.slack.render import weekly as weekly_render
from bot.slack.render.message import Message
from bot.slack.replies import dm
from bot.store import Store
from bot.store.models import Group, Kickoff, Poll
from bot.store.types import utcnow

Rendered = tuple[Group, str, Message]  # the group, the message's ts, what it shows now


def recruitment(deps: Deps, client: WebClient, group_id: int) -> None:
    def render(session: Session) -> Rendered | None:
        group = session.get(Group, group_id)
        if group is None or group.recruitment_ts is None:
            return None
        return group, group.recruitment_ts, recruitment_render.recruitment_message(group)

    _refresh(deps, client, ("recruitment", group_id), render)


def kickoff(deps: Deps, client: WebClient, kickoff_id: int) -> None:
    def render(session: Session) -> Rendered | None:
        round_ = session.get(Kickoff, kickoff_id)
        if round_ is None or round_.message_ts is None:
            return None
        group = session.get_one(Group, round_.group_id)
        message = kickoff_render.kickoff_message(group, round_, expectations(group, utcnow()))
        return group, round_.message_ts, message

    _refresh(deps, client, ("kickoff", kickoff_id), render)


def attendance_check(deps: Deps, client: WebClient, group_id: int, week_number: int) -> None:
    def render(session: Session) -> Rendered | None:
        group = session.get_one(Group, group_id)
        week = group.week(week_number)
        if week is None or week.attendance_ts is None:
            return None
        answers = attendance.for_week(session, group_id, week_number)
        return group, week.attendance_ts, weekly_render.attendance_message(group, week, answers)

    _refresh(deps, client, ("attendance", group_id, week_number), render)


def vote(deps: Deps, client: WebClient, poll_id: int) -> None:
    def render(session: Session) -> Rendered | None:
        poll = session.get(Poll, poll_id)
        if poll is None or poll.message_ts is None:
            return None
        group = session.get_one(Group, poll.group_id)
        result = None if poll.is_open else topics.result(poll)
        return group, poll.message_ts, votes_render.vote_message(group, poll, result)

    _refresh(deps, client, ("vote", poll_id), render)


def _refresh(
    deps: Deps,
    client: WebClient,
    key: tuple[object, ...],
    render: Callable[[Session], Rendered | None],
) -> None:
    """Each process coalesces its own requests (the Refresher); across processes, one
    update per message at a time, each rendered after the one before it went out, so
    the last to write always shows the latest state."""

    def update() -> None:
        with one_writer(deps.store, key):
            with deps.store.transaction() as session:
                rendered = render(session)
            if rendered is not None:
                _update(client, *rendered)

    deps.refresher.request(key, update)


# Any number: the first half of PostgreSQL's two-part advisory lock keys for live messages.
LIVE_MESSAGE_LOCKS = 72_050_002


@contextmanager
def one_writer(store: Store, key: tuple[object, ...]) -> Iterator[None]:
    """Replicas (PostgreSQL) take turns on a message; SQLite means one process, whose
    Refresher already runs one update per message at a time."""
    if store.engine.dialect.name != "postgresql":
        yield
        return
    lock = zlib.crc32(repr(key).encode()) - 2**31
    with store.engine.connect() as connection:
        connection.execute(
            text("SELECT pg_advisory_lock(:space, :lock)"),
            {"space": LIVE_MESSAGE_LOCKS, "lock": lock},
        )
        try:
            yield
        finally:
            connection.execute(
                text("SELECT pg_advisory_unlock(:space, :lock)"),
                {"space": LIVE_MESSAGE_LOCKS, "lock": lock},
            )
            connection.commit()


def _update(client: WebClient, group: Group, ts: str, message: Message) -> None:
    gateway = Gateway(client)
    try:
        gateway.update(group.channel_id, ts, message)
    except MessageUnavailable:
        pass  # deleted by someone in the channel; logged by the gateway
    except ChannelUnavailable:
        dm(
            gateway,
            group.facilitator_id,
            Message(
                text=f"I can't update the *{typed(group.topic)}* group's messages in "
                f"<#{group.channel_id}>: I'm no longer in that channel. Add me back with "
                "`/invite @p2p` so the group keeps running."
            ),
        )
