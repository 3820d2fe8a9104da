"""How each item the scheduler owes goes out in Slack.

Every post carries message metadata naming its ledger key, so after a crash between
"claimed" and "confirmed" the post can be found in the channel instead of sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.domain import attendance, cycle, kickoff, topics
from bot.schedule.due import Kind
from bot.schedule.ledger import Claim, Sent
from bot.schedule.runner import Undeliverable
from bot.slack.gateway import ChannelUnavailable, Gateway, UserUnavailable
from bot.slack.render import kickoff as kickoff_render
from bot.slack.render import votes as votes_render
from bot.slack.render import weekly as weekly_render
from bot.slack.render.message import Message
from bot.slack.replies import dm
from bot.store import Store
from bot.store.models import Group, GroupState, Kickoff, Poll

log = logging.getLogger(__name__)

EVENT_TYPE = "p2p_post"
FIND_MARGIN = timedelta(minutes=2)


class SlackSender:
    def __init__(self, client: WebClient, store: Store) -> None:
        self.gateway = Gateway(client)
        self.store = store
        self._handlers: dict[Kind, Callable[[Claim, datetime], Sent | None]] = {
            Kind.KICKOFF: self._kickoff,
            Kind.PROMPT: self._prompt,
            Kind.ATTENDANCE: self._attendance,
            Kind.VOTE: self._vote,
            Kind.VOTE_CLOSE: self._vote_close,
        }

    def deliver(self, claim: Claim, *, now: datetime) -> Sent | None:
        try:
            return self._handlers[claim.due.kind](claim, now)
        except ChannelUnavailable as gone:
            self._channel_lost(claim.due.group_id, gone.error, now)
            raise Undeliverable(gone.error) from gone
        except UserUnavailable as gone:
            raise Undeliverable(gone.error) from gone

    def _channel_lost(self, group_id: int, error: str, now: datetime) -> None:
        """The bot was removed from the channel (or it was archived): pause the group so
        its posts stop failing, and tell the facilitator how to bring it back."""
        with self.store.transaction() as session:
            group = cycle.suspend(session, group_id=group_id, now=now)
        log.warning("group %s lost its channel %s (%s); paused", group.id, group.channel_id, error)
        dm(self.gateway, group.facilitator_id, weekly_render.channel_lost_dm(group))

    # --- posting once ------------------------------------------------------------------------

    def _post_once(
        self,
        claim: Claim,
        channel: str,
        message: Message,
        *,
        part: str = "",
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> tuple[str, str]:
        key = claim.due.key + (f"#{part}" if part else "")
        if claim.recovering_since is not None:
            where = self.gateway.dm_channel(channel) if channel.startswith("U") else channel
            found = self.gateway.find_tagged(
                where,
                EVENT_TYPE,
                key,
                since=claim.recovering_since - FIND_MARGIN,
                thread_ts=thread_ts,
            )
            if found is not None:
                log.info("found %s already posted in %s; not posting it again", key, where)
                return where, found
        return self.gateway.post(
            channel,
            message,
            thread_ts=thread_ts,
            broadcast=broadcast,
            metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
        )

    # --- the kick-off --------------------------------------------------------------------------

    def _kickoff(self, claim: Claim, now: datetime) -> Sent | None:
        with self.store.transaction() as session:
            group = session.get(Group, claim.due.group_id)
            round_ = session.get(Kickoff, claim.due.ref_id)
            if group is None or round_ is None or group.state is not GroupState.RECRUITING:
                return None
            missing = [m.user_id for m in group.members if m.timezone is None]
        zones = {user: self.gateway.user_timezone(user) for user in missing}
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            for member in group.members:
                if zones.get(member.user_id):
                    member.timezone = zones[member.user_id]
            round_ = session.get_one(Kickoff, claim.due.ref_id)
            message = kickoff_render.kickoff_message(
                group, round_, kickoff.expectations(group, now)
            )
        channel, ts = self._post_once(claim, group.channel_id, message)
        with self.store.transaction() as session:
            round_ = session.get_one(Kickoff, claim.due.ref_id)
            round_.channel_id, round_.message_ts = channel, ts
        return Sent(channel, ts)

    # --- each week -----------------------------------------------------------------------------

    def _prompt(self, claim: Claim, now: datetime) -> Sent | None:
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            week = group.week(claim.due.week or 0)
            if week is None:
                return None
            message = weekly_render.prompt_message(group, week, moved=week.revision > 1)
        channel, ts = self._post_once(claim, group.channel_id, message)
        with self.store.transaction() as session:
            week = session.get_one(Group, claim.due.group_id).week(claim.due.week or 0)
            if week is not None:
                week.prompt_ts = ts
        return Sent(channel, ts)

    def _attendance(self, claim: Claim, now: datetime) -> Sent | None:
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            week = group.week(claim.due.week or 0)
            if week is None:
                return None
            answers = attendance.for_week(session, group.id, week.number)
            message = weekly_render.attendance_message(group, week, answers)
        channel, ts = self._post_once(claim, group.channel_id, message)
        with self.store.transaction() as session:
            week = session.get_one(Group, claim.due.group_id).week(claim.due.week or 0)
            if week is not None:
                week.attendance_ts = ts
        return Sent(channel, ts)

    # --- the topic vote ------------------------------------------------------------------------

    def _vote(self, claim: Claim, now: datetime) -> Sent | None:
        week = claim.due.week or 0
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            deadline = topics.vote_deadline(group, week)
            if deadline is None:
                return None
            poll = topics.open_poll(session, group=group, week=week, closes_at=deadline)
            if poll is None:
                notice = votes_render.topic_request_notice(group, week + 1)
                request = votes_render.topic_request_dm(group, week + 1)
            else:
                message = votes_render.vote_message(group, poll)
        if poll is None:
            self._post_once(claim, group.facilitator_id, request, part="ask")
            channel, ts = self._post_once(claim, group.channel_id, notice, part="notice")
            return Sent(channel, ts)
        channel, ts = self._post_once(claim, group.channel_id, message)
        with self.store.transaction() as session:
            stored = session.get_one(Poll, poll.id)
            stored.channel_id, stored.message_ts = channel, ts
        return Sent(channel, ts)

    def _vote_close(self, claim: Claim, now: datetime) -> Sent | None:
        with self.store.transaction() as session:
            poll = session.get(Poll, claim.due.ref_id)
            if poll is None:
                return None
            group = session.get_one(Group, poll.group_id)
            if not poll.is_open and claim.recovering_since is None:
                return None  # the facilitator closed it by hand and announced it
            result = topics.close_poll(session, group=group, poll=poll, now=now)
            closed = votes_render.vote_message(group, poll, result)
            announcement = votes_render.result_announcement(group, result)
        if poll.message_ts and poll.channel_id:
            self.gateway.update(poll.channel_id, poll.message_ts, closed)
        channel, ts = self._post_once(
            claim, group.channel_id, announcement, thread_ts=poll.message_ts, broadcast=True
        )
        return Sent(channel, ts)
