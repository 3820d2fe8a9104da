"""How each item the scheduler owes goes out in Slack.

Every post carries message metadata naming its ledger key, so after a crash between
"claimed" and "confirmed" — or a connection that broke while Slack was taking the post —
the post can be found in the channel instead of sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select

from bot.domain import (
    attendance,
    catchup,
    checkins,
    cycle,
    health,
    kickoff,
    resources,
    retro,
    slots,
    topics,
    workspaces,
)
from bot.schedule import ledger
from bot.schedule.due import Kind
from bot.schedule.ledger import Claim, Sent
from bot.schedule.runner import WORKER, NotReady, Undeliverable
from bot.slack.gateway import (
    ChannelUnavailable,
    Gateway,
    NotInstalled,
    Refused,
    SlackCallFailed,
    TokenSource,
    UserUnavailable,
    acting_for,
)
from bot.slack.home_queue import HomeQueue
from bot.slack.ratelimit import urgency
from bot.slack.render import checkins as checkins_render
from bot.slack.render import kickoff as kickoff_render
from bot.slack.render import retro as retro_render
from bot.slack.render import votes as votes_render
from bot.slack.render import weekly as weekly_render
from bot.slack.render.format import when
from bot.slack.render.message import Message
from bot.slack.replies import dm
from bot.store import Store
from bot.store.models import DeliveryState, Group, GroupState, Kickoff, Poll

log = logging.getLogger(__name__)

# What, once sent, changes what members see waiting in their Home tab: a group's posts. Not
# each person's check-in DM — republishing Home per DM would hold a fan-out of thousands to
# views.publish's Tier 4 pace; the DM says it, and Home shows it when next opened.
CHANGES_HOME = frozenset({Kind.PROMPT, Kind.ATTENDANCE, Kind.VOTE, Kind.VOTE_CLOSE, Kind.SUMMARY})
# Slack's answers when the token no longer acts for the workspace.
TOKEN_GONE = {"token_revoked", "invalid_auth", "account_inactive", "not_authed", "token_expired"}


class SlackSender:
    def __init__(
        self, client: WebClient, store: Store, *, tokens: TokenSource | None = None
    ) -> None:
        self.gateway = Gateway(client, tokens=tokens)
        self.store = store
        self.homes = HomeQueue(store, self.gateway)
        self._handlers: dict[Kind, Callable[[Claim, datetime], Sent | None]] = {
            Kind.KICKOFF: self._kickoff,
            Kind.PROMPT: self._prompt,
            Kind.ATTENDANCE: self._attendance,
            Kind.VOTE: self._vote,
            Kind.VOTE_CLOSE: self._vote_close,
            Kind.CATCHUP: self._catchup,
            Kind.CHECKIN: self._checkin,
            Kind.CHECKIN_REMINDER: self._checkin_reminder,
            Kind.DIGEST: self._digest,
            Kind.HEALTH: self._health,
            Kind.RETRO: self._retro,
            Kind.SUMMARY: self._summary,
        }

    def deliver(self, claim: Claim, *, now: datetime) -> Sent | None:
        team, enterprise, channel = self._place_of(claim.due.group_id)
        try:
            with acting_for(team, enterprise), urgency(claim.due.useful_until):
                sent = self._handlers[claim.due.kind](claim, now)
                if claim.due.kind in CHANGES_HOME:
                    self._refresh_homes(claim, team, enterprise)
                return sent
        except ChannelUnavailable as gone:
            # Only the group's own channel going away stops the group; a DM that cannot be
            # delivered (Slack answers channel_not_found there too) is one person's problem.
            if gone.context.get("channel") == channel:
                with acting_for(team, enterprise):
                    self._channel_lost(claim.due.group_id, gone.error, now)
            raise Undeliverable(gone.error) from gone
        except (UserUnavailable, Refused) as gone:
            raise Undeliverable(gone.error) from gone
        except SlackCallFailed as failed:
            if not isinstance(failed, NotInstalled) and failed.error not in TOKEN_GONE:
                raise
            # The workspace let the app go (its uninstall event may not have reached us):
            # the group waits for a reinstall instead of failing every tick.
            with self.store.transaction() as session:
                workspaces.group_uninstalled(session, group_id=claim.due.group_id, now=now)
            log.warning("group %s stops: %s (%s)", claim.due.group_id, team, failed.error)
            raise Undeliverable(failed.error) from failed

    def _refresh_homes(self, claim: Claim, team: str, enterprise: str | None) -> None:
        """What waits for people in their Home tab changed: queue it to be republished for
        those (of the people concerned) who have opened it."""
        if claim.due.user_id is not None:
            people = [claim.due.user_id]
        else:
            with self.store.reading() as session:
                group = session.get(Group, claim.due.group_id)
                people = [m.user_id for m in group.members] if group else []
        self.homes.put(team, enterprise, people)

    def _place_of(self, group_id: int) -> tuple[str, str | None, str | None]:
        """The group's workspace, its org (Enterprise Grid) and its channel."""
        with self.store.reading() as session:
            place = select(Group.team_id, Group.enterprise_id, Group.channel_id).where(
                Group.id == group_id
            )
            row = session.execute(place).first()
        return (row.team_id, row.enterprise_id, row.channel_id) if row else ("", None, None)

    def _channel_lost(self, group_id: int, error: str, now: datetime) -> None:
        """The bot was removed from the channel (or it was archived): pause the group so
        its posts stop failing, and tell the facilitator how to bring it back."""
        with self.store.transaction() as session:
            group = cycle.suspend(session, group_id=group_id, now=now)
        log.warning("group %s lost its channel %s (%s); paused", group.id, group.channel_id, error)
        dm(self.gateway, group.facilitator_id, weekly_render.channel_lost_dm(group, error))

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
        return self.gateway.post_once(
            channel,
            message,
            key=key,
            recovering_since=claim.recovering_since,
            thread_ts=thread_ts,
            broadcast=broadcast,
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
                if slots.is_zone(zones.get(member.user_id)):
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
            # Locked: a facilitator closing it by hand at this minute waits, then sees it closed.
            poll = session.get(Poll, claim.due.ref_id, with_for_update=True)
            if poll is None:
                return None
            group = session.get_one(Group, poll.group_id)
            if not poll.is_open and claim.recovering_since is None:
                return None  # the facilitator closed it by hand and announced it
            result = topics.close_poll(session, group=group, poll=poll, now=now)
            closed = votes_render.vote_message(group, poll, result)
            announcement = votes_render.result_announcement(group, result)
        if poll.message_ts and poll.channel_id:
            # The result matters more than the old message's look: announce it either way.
            with suppress(SlackCallFailed):
                self.gateway.update(poll.channel_id, poll.message_ts, closed)
        channel, ts = self._post_once(
            claim, group.channel_id, announcement, thread_ts=poll.message_ts, broadcast=True
        )
        return Sent(channel, ts)

    # --- after the session ---------------------------------------------------------------------

    def _catchup(self, claim: Claim, now: datetime) -> Sent | None:
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            week = group.week(claim.due.week or 0)
            if week is None:
                return None
            if week.attendance_ts is None:
                asked = ledger.state_of(session, f"attendance:{group.id}:{week.number}")
                if asked in (None, DeliveryState.CLAIMED):
                    raise NotReady("the attendance check is not posted yet")
                return None  # nobody was asked who came, so nobody is "absent"
            missed = catchup.absentees(group, attendance.for_week(session, group.id, week.number))
            done = catchup.sent_to(session, group_id=group.id, week=week.number)
            done |= ledger.refused_parts(session, claim.due)
            material = resources.for_group(session, group.id, week.number)
            poll = session.scalars(
                select(Poll).where(Poll.group_id == group.id, Poll.week == week.number)
            ).one_or_none()
        missed = [user for user in missed if user not in done]
        if not missed:
            return None
        thread = (
            self.gateway.permalink(group.channel_id, week.prompt_ts) if week.prompt_ts else None
        )
        vote = None
        if poll is not None and poll.is_open and poll.message_ts and poll.channel_id:
            vote = self.gateway.permalink(poll.channel_id, poll.message_ts)
        message = checkins_render.catchup_dm(
            group,
            week,
            thread_link=thread,
            material=material,
            vote_link=vote,
            vote_closes=when(poll.closes_at, group.timezone) if poll else None,
        )
        later: SlackCallFailed | None = None
        for user in missed:
            try:
                self._post_once(claim, user, message, part=user)
            except (UserUnavailable, ChannelUnavailable, Refused) as refused:
                # This person cannot get it, ever (deactivated, DMs closed): recorded so.
                log.warning("no catch-up for %s: %s", user, refused.error)
                with self.store.transaction() as session:
                    ledger.record_refused(
                        session, claim.due, part=user, error=refused.error, worker=WORKER
                    )
                continue
            except SlackCallFailed as failed:  # the others still get theirs now
                log.warning("catch-up for %s failed (%s); will retry", user, failed.error)
                later = failed
                continue
            with self.store.transaction() as session:
                catchup.record_sent(
                    session, group_id=group.id, week=week.number, user_id=user, now=now
                )
        if later is not None:
            raise later  # the whole item is retried; those already sent are skipped
        return None

    def _checkin(self, claim: Claim, now: datetime, *, reminder: bool = False) -> Sent | None:
        user = claim.due.user_id or ""
        with self.store.reading() as session:
            group = session.get_one(Group, claim.due.group_id)
            week = group.week(claim.due.week or 0)
            if week is None or not group.is_member(user):
                return None
            if reminder and checkins.get(session, group.id, week.number, user) is not None:
                return None  # answered: no reminder
            closes = when(checkins.window_closes(group, week), group.timezone)
            message = checkins_render.checkin_dm(group, week, closes, reminder=reminder)
        channel, ts = self._post_once(claim, user, message)
        return Sent(channel, ts)

    def _checkin_reminder(self, claim: Claim, now: datetime) -> Sent | None:
        return self._checkin(claim, now, reminder=True)

    def _digest(self, claim: Claim, now: datetime) -> Sent | None:
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            week = group.week(claim.due.week or 0)
            if week is None:
                return None
            digest = checkins.digest(group, week.number, checkins.for_group(session, group.id))
        channel, ts = self._post_once(
            claim,
            group.channel_id,
            checkins_render.digest_message(group, digest),
            thread_ts=week.prompt_ts,
        )
        if digest.answered:
            self._post_once(
                claim,
                group.facilitator_id,
                checkins_render.facilitator_view(group, digest),
                part="facilitator",
            )
        return Sent(channel, ts)

    def _health(self, claim: Claim, now: datetime) -> Sent | None:
        week = claim.due.week or 0
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            present = attendance.for_group(session, group.id)
            answers = checkins.for_group(session, group.id)
            if health.has_stalled(group, week, present, answers):
                retro.stall(
                    session,
                    group=group,
                    note="No session with two people for three weeks.",
                    now=now,
                )
                notice = retro_render.stalled_notice(group)
            else:
                notice = None
                found = health.signals(group, week, present, answers)
        if notice is not None:
            channel, ts = self._post_once(claim, group.channel_id, notice, part="stalled")
            return Sent(channel, ts)
        if not found:
            return None
        channel, ts = self._post_once(
            claim, group.facilitator_id, retro_render.health_dm(group, week, found)
        )
        return Sent(channel, ts)

    # --- the end of the cycle ------------------------------------------------------------------

    def _retro(self, claim: Claim, now: datetime) -> Sent | None:
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            final = group.weeks_planned[-1]
            message = retro_render.retro_message(group, final.ends_at + retro.RETRO_WINDOW)
        channel, ts = self._post_once(claim, group.channel_id, message)
        with self.store.transaction() as session:
            session.get_one(Group, claim.due.group_id).retro_ts = ts
        return Sent(channel, ts)

    def _summary(self, claim: Claim, now: datetime) -> Sent | None:
        with self.store.transaction() as session:
            group = session.get_one(Group, claim.due.group_id)
            message = retro_render.summary_message(retro.summary(session, group, now))
        channel, ts = self._post_once(
            claim, group.channel_id, message, thread_ts=group.retro_ts, broadcast=True
        )
        with self.store.transaction() as session:
            retro.complete(session, group=session.get_one(Group, claim.due.group_id), now=now)
        return Sent(channel, ts)
