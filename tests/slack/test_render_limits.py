"""The longest inputs people can give still render within Slack's Block Kit limits."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.devtools.blockkit import check_blocks
from bot.domain import checkins, kickoff, topics
from bot.slack.render import checkins as checkins_render
from bot.slack.render import kickoff as kickoff_render
from bot.slack.render import recruitment as recruitment_render
from bot.slack.render import votes as votes_render
from bot.slack.render.message import Message
from bot.store.models import (
    CheckIn,
    Group,
    GroupFormat,
    GroupState,
    Kickoff,
    Membership,
    MemberStatus,
    Poll,
    PollOption,
    Proposal,
    Vote,
    Week,
)

NOW = datetime(2026, 3, 16, 9, tzinfo=UTC)
# The worst text for size: every character one that mrkdwn must escape (`<` is `&lt;`).
LONG = "<&" * 1000


def biggest_group() -> Group:
    group = Group(
        id=1,
        team_id="T",
        channel_id="C",
        topic="<" * 150,
        why=LONG,
        format=GroupFormat.STUDY_AND_PRESENT,
        weekday=3,
        session_time=time(18),
        session_minutes=60,
        timezone="Europe/Amsterdam",
        weeks=12,
        seats=12,
        min_members=2,
        facilitator_id="U00",
        state=GroupState.RECRUITING,
        prompt_lead_hours=24,
        vote_close_hours=24,
        share_checkins=True,
        checkin_delay_days=1,
    )
    group.memberships = [
        Membership(
            id=i,
            user_id=f"U{i:02d}",
            status=MemberStatus.MEMBER,
            goal=LONG,
            minutes_per_week=30 if i % 2 else 480,
            joined_at=NOW,
            timezone="Asia/Tokyo",
        )
        for i in range(12)
    ] + [
        Membership(
            id=100 + i,
            user_id=f"W{i:02d}",
            status=MemberStatus.WAITLISTED,
            goal="",
            minutes_per_week=60,
            queued_at=NOW,
        )
        for i in range(20)
    ]
    group.weeks_planned = [
        Week(
            number=n,
            starts_at=NOW + timedelta(weeks=n),
            ends_at=NOW + timedelta(weeks=n, hours=1),
            topic="<" * 300,
            revision=1,
        )
        for n in range(1, 13)
    ]
    return group


def assert_fits(message: Message) -> None:
    assert check_blocks([b.to_dict() for b in message.blocks]) == []


def test_the_recruitment_and_kickoff_messages_fit_with_twelve_long_goals() -> None:
    group = biggest_group()
    assert_fits(recruitment_render.recruitment_message(group))
    round_ = Kickoff(id=1, group_id=1, round=1, scheduled_at=NOW, scheduled_by="U00")
    round_.alignments = []
    assert_fits(kickoff_render.kickoff_message(group, round_, kickoff.expectations(group, NOW)))


def test_a_vote_with_ten_long_options_and_every_member_voting_fits() -> None:
    group = biggest_group()
    poll = Poll(id=1, group_id=1, week=1, closes_at=NOW + timedelta(days=5))
    poll.options = [
        PollOption(
            id=i,
            position=i,
            proposal=Proposal(
                id=i,
                text="P" * topics.PROPOSAL_MAX,
                normalized=str(i),
                link="https://example.com/" + "l" * (topics.LINK_MAX - 20),
                proposed_by="U01",
                created_at=NOW + timedelta(minutes=i),
            ),
        )
        for i in range(1, topics.MAX_OPTIONS + 1)
    ]
    poll.votes = [Vote(option_id=1 + i % 10, user_id=f"U{i:02d}") for i in range(12)]
    assert_fits(votes_render.vote_message(group, poll))
    poll.closed_at = NOW
    assert_fits(votes_render.vote_message(group, poll, topics.result(poll)))


def test_a_shared_digest_and_the_facilitator_view_fit_with_twelve_long_answers() -> None:
    group = biggest_group()
    rows = {
        1: {
            f"U{i:02d}": CheckIn(
                user_id=f"U{i:02d}",
                week=1,
                learned=LONG,
                hours=80.0,
                went_well=LONG,
                went_badly=LONG,
                confidence=3,
                blockers=LONG,
            )
            for i in range(12)
        }
    }
    digest = checkins.digest(group, 1, rows)
    assert_fits(checkins_render.digest_message(group, digest))
    assert_fits(checkins_render.facilitator_view(group, digest))
