"""Messages that show live state, re-rendered from the database through the Refresher."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.domain import attendance, topics
from bot.domain.kickoff import expectations
from bot.slack.context import Deps
from bot.slack.gateway import ChannelUnavailable, Gateway, MessageUnavailable
from bot.slack.render import kickoff as kickoff_render
from bot.slack.render import recruitment as recruitment_render
from bot.slack.render import votes as votes_render
from bot.slack.render import weekly as weekly_render
from bot.slack.render.message import Message
from bot.slack.replies import dm
from bot.store.models import Group, Kickoff, Poll
from bot.store.types import utcnow


def recruitment(deps: Deps, client: WebClient, group_id: int) -> None:
    def update() -> None:
        with deps.store.transaction() as session:
            group = session.get(Group, group_id)
            if group is None or group.recruitment_ts is None:
                return
            message = recruitment_render.recruitment_message(group)
        _update(client, group, group.recruitment_ts, message)

    deps.refresher.request(("recruitment", group_id), update)


def kickoff(deps: Deps, client: WebClient, kickoff_id: int) -> None:
    def update() -> None:
        with deps.store.transaction() as session:
            round_ = session.get(Kickoff, kickoff_id)
            if round_ is None or round_.message_ts is None:
                return
            group = session.get_one(Group, round_.group_id)
            message = kickoff_render.kickoff_message(group, round_, expectations(group, utcnow()))
        _update(client, group, round_.message_ts, message)

    deps.refresher.request(("kickoff", kickoff_id), update)


def attendance_check(deps: Deps, client: WebClient, group_id: int, week_number: int) -> None:
    def update() -> None:
        with deps.store.transaction() as session:
            group = session.get_one(Group, group_id)
            week = group.week(week_number)
            if week is None or week.attendance_ts is None:
                return
            answers = attendance.for_week(session, group_id, week_number)
            message = weekly_render.attendance_message(group, week, answers)
        _update(client, group, week.attendance_ts, message)

    deps.refresher.request(("attendance", group_id, week_number), update)


def vote(deps: Deps, client: WebClient, poll_id: int) -> None:
    def update() -> None:
        with deps.store.transaction() as session:
            poll = session.get(Poll, poll_id)
            if poll is None or poll.message_ts is None:
                return
            group = session.get_one(Group, poll.group_id)
            result = None if poll.is_open else topics.result(poll)
            message = votes_render.vote_message(group, poll, result)
        _update(client, group, poll.message_ts, message)

    deps.refresher.request(("vote", poll_id), update)


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
                text=f"I can't update the *{group.topic}* group's messages in "
                f"<#{group.channel_id}>: I'm no longer in that channel. Add me back with "
                "`/invite @p2p` so the group keeps running."
            ),
        )
