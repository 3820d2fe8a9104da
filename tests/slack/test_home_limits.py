"""App Home stays within Block Kit's limits however many groups there are: the most
relevant first, a count of the rest (pure renderers, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.devtools.blockkit import check_view
from bot.domain.home import HomeData, MyGroup, OpenGroup, Waiting
from bot.domain.program import FeedbackNumbers, ProgramStats, Rate
from bot.slack.render import home as render
from bot.slack.render.program import program_blocks
from bot.store.models import Group, GroupFormat, GroupState, Membership, MemberStatus, Week

NOW = datetime(2026, 3, 16, 9, tzinfo=UTC)


def a_group(n: int, state: GroupState) -> Group:
    group = Group(
        id=n,
        team_id="T",
        channel_id=f"C{n}",
        topic=f"A <very> long & topic name number {n} " * 4,
        format=GroupFormat.STUDY_AND_PRESENT,
        weekday=n % 7,
        session_time=time(18),
        session_minutes=60,
        timezone="Europe/Amsterdam",
        weeks=6,
        seats=6,
        min_members=4,
        facilitator_id="U0",
        state=state,
        place="https://meet.example.com/" + "x" * 250,
    )
    group.memberships = [Membership(user_id=f"U{k}", status=MemberStatus.MEMBER) for k in range(3)]
    return group


def test_a_home_with_many_groups_fits_and_counts_the_rest() -> None:
    mine = [
        MyGroup(
            a_group(n, GroupState.RUNNING),
            MemberStatus.MEMBER,
            None,
            Week(number=2, starts_at=NOW + timedelta(days=n), ends_at=NOW, topic="Raft <&> " * 40),
            [Waiting("checkin", 1), Waiting("vote", 1, f"C{n}", "1.1"), Waiting("attendance", 2)],
        )
        for n in range(8)
    ]
    data = HomeData(
        user_id="U1",
        timezone="America/New_York",
        now=NOW,
        mine=mine,
        mine_total=40,
        open_groups=[OpenGroup(a_group(100 + n, GroupState.RECRUITING), 2) for n in range(8)],
        open_total=500,
    )
    stats = ProgramStats(
        team_id="T",
        by_state={GroupState.COMPLETED: 8000, GroupState.STALLED: 2000},
        stall_reasons={},
        attendance=Rate(1, 2),
        week_one_attendance=Rate(1, 2),
        checkins=Rate(1, 2),
        hours_studied=12.0,
        committed_minutes=120,
        given_minutes=60,
        under_commitment=Rate(1, 4),
        feedback=FeedbackNumbers(1, 10, 4.0, Rate(1, 1), Rate(0, 1), Rate(1, 1)),
        attention=[],
        attention_total=0,
        wanted_topics=[("Kafka <&> " * 20, 9)] * 10,
        ambassadors=[f"U{k:08d}" for k in range(400)],
        members=30000,
    )
    extra = [[render.start_section()[0]] * 60]  # another feature's big section
    view = render.home_view(
        [
            render.your_groups(data, {}),
            render.open_groups(data),
            render.start_section(),
            program_blocks(stats),
            *extra,
        ]
    ).to_dict()
    assert check_view(view) == []
    text = str(view)
    assert "and 32 more groups" in text, text
    assert "and 492 more recruiting" in text
    assert "The program" in text and "and 370 more" in text
    assert "didn't fit here" in text  # the last section is left out whole, and said so
