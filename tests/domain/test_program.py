"""The program's numbers: honest (outcomes, not survey answers; response rates beside the
form's figures), from aggregate queries, and scoped to one workspace."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.domain import interest, program
from bot.domain.cohorts import Availability
from bot.domain.errors import Conflict, NotAllowed
from bot.store import Store
from bot.store.models import (
    Ambassador,
    Attendance,
    CheckIn,
    Feedback,
    Group,
    GroupFormat,
    GroupState,
    InterestTopic,
    LearnedGoal,
    Membership,
    MemberStatus,
    StallReason,
    TopicRequest,
    Week,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
TEAM, OTHER = "T_ONE", "T_TWO"


def group(
    n: int,
    state: GroupState,
    *,
    team: str = TEAM,
    members: int = 4,
    reason: StallReason | None = None,
    created: datetime = NOW - timedelta(days=60),
    facilitator_in: bool = True,
    minutes: int = 60,
) -> Group:
    g = Group(
        team_id=team,
        channel_id=f"C{n}",
        topic=f"Topic {n}",
        format=GroupFormat.STUDY_AND_PRESENT,
        weekday=3,
        session_time=time(18),
        timezone="Europe/Amsterdam",
        facilitator_id=f"U{n}_0",
        state=state,
        created_by=f"U{n}_0",
        created_at=created,
        stall_reason=reason,
        cycle_started_at=None if state is GroupState.RECRUITING else created,
        ended_at=NOW - timedelta(days=3)
        if state in (GroupState.COMPLETED, GroupState.STALLED)
        else None,
    )
    first = 0 if facilitator_in else 1
    g.memberships = [
        Membership(
            user_id=f"U{n}_{k}",
            status=MemberStatus.MEMBER,
            minutes_per_week=minutes,
            joined_at=created,
        )
        for k in range(first, first + members)
    ]
    return g


def test_the_numbers_come_from_outcomes_and_stay_in_their_workspace(store: Store) -> None:
    with store.transaction() as session:
        done = [group(n, GroupState.COMPLETED, minutes=120) for n in range(1, 4)]
        stalled = group(4, GroupState.STALLED, reason=StallReason.TIME)
        running = group(5, GroupState.RUNNING, facilitator_in=False)
        stuck = group(6, GroupState.RECRUITING, members=2, created=NOW - timedelta(weeks=4))
        fresh = group(7, GroupState.RECRUITING, members=2, created=NOW - timedelta(days=2))
        elsewhere = [group(10 + n, GroupState.STALLED, team=OTHER) for n in range(5)]
        session.add_all([*done, stalled, running, stuck, fresh, *elsewhere])
        session.flush()
        # The running group (four members, its facilitator gone): week 1 ended two days ago,
        # three answered the attendance check, one came; two of the four owed check-ins.
        session.add(
            Week(
                group_id=running.id,
                number=1,
                starts_at=NOW - timedelta(days=2, hours=1),
                ends_at=NOW - timedelta(days=2),
            )
        )
        for k, present in ((1, True), (2, False), (3, False)):
            session.add(
                Attendance(
                    group_id=running.id, week=1, user_id=f"U5_{k}", present=present, answered_by="x"
                )
            )
        for k, hours in ((1, 2.0), (2, 0.25)):
            session.add(CheckIn(group_id=running.id, week=1, user_id=f"U5_{k}", hours=hours))
        # Feedback: only two of the finished groups' 16 members answered — both happy.
        for user, gid in (("U1_1", done[0].id), ("U2_1", done[1].id)):
            session.add(
                Feedback(
                    group_id=gid,
                    user_id=user,
                    rating=5,
                    learned_goal=LearnedGoal.YES,
                    join_again=True,
                    facilitate=user == "U1_1",
                )
            )
        session.add(Ambassador(team_id=TEAM, user_id="U1_1"))
        session.add(Ambassador(team_id=OTHER, user_id="U_THEIRS"))
        for text in ("Kafka", "kafka ", "Rust", "Kafka"):
            session.add(TopicRequest(team_id=TEAM, user_id="U1_1", text=text))
        session.add(TopicRequest(team_id=OTHER, user_id="U_THEIRS", text="Secret plans"))

    with store.transaction() as session:
        stats = program.stats(session, team_id=TEAM, now=NOW)

    assert stats.total == 7  # the other workspace's five stalled groups are not here
    assert stats.count(GroupState.COMPLETED) == 3 and stats.count(GroupState.STALLED) == 1
    assert stats.completion.value == pytest.approx(0.75)  # 3 of 4 finished, from outcomes
    assert stats.stall_reasons == {StallReason.TIME: 1}
    assert (stats.attendance.part, stats.attendance.whole) == (1, 3)
    assert (stats.week_one_attendance.part, stats.week_one_attendance.whole) == (1, 3)
    assert (stats.checkins.part, stats.checkins.whole) == (2, 4)
    assert stats.hours_studied == 2.25
    assert stats.given_minutes == pytest.approx(67.5)
    # U5_2 said an hour a week and reports a quarter of one: under half her commitment.
    assert (stats.under_commitment.part, stats.under_commitment.whole) == (1, 2)
    # The happy answers are two of sixteen: the response rate says how much they are worth.
    fb = stats.feedback
    assert (fb.responses, fb.asked, fb.average_rating) == (2, 16, 5.0)
    assert fb.response_rate.value == pytest.approx(2 / 16)
    assert stats.ambassadors == ["U1_1"]
    assert stats.wanted_topics[0] == ("Kafka", 3) and ("Rust", 1) in stats.wanted_topics
    reasons = {a.topic: a.reason for a in stats.attention}
    assert reasons == {
        "Topic 5": "no facilitator: nobody steers it",
        "Topic 6": "recruiting for 3+ weeks with 2 of the 4 it needs",
    }


def test_the_running_groups_low_attendance_is_a_signal(store: Store) -> None:
    with store.transaction() as session:
        running = group(1, GroupState.RUNNING, members=4)
        session.add(running)
        session.flush()
        session.add(
            Week(
                group_id=running.id,
                number=1,
                starts_at=NOW - timedelta(days=1, hours=1),
                ends_at=NOW - timedelta(days=1),
            )
        )
        session.add(
            Attendance(group_id=running.id, week=1, user_id="U1_1", present=True, answered_by="x")
        )
    with store.transaction() as session:
        stats = program.stats(session, team_id=TEAM, now=NOW)
    assert [a.reason for a in stats.attention] == ["week 1: 1 of 4 said they came"]


def test_owners_are_admins_and_the_people_they_name(store: Store) -> None:
    with store.transaction() as session:
        assert program.is_owner(session, team_id=TEAM, user_id="U_ADMIN", is_admin=True)
        with pytest.raises(NotAllowed):
            program.add_owner(
                session, team_id=TEAM, user_id="U_ANA", by="U_BEN", by_admin=False, now=NOW
            )
        program.add_owner(
            session, team_id=TEAM, user_id="U_ANA", by="U_ADMIN", by_admin=True, now=NOW
        )
        with pytest.raises(Conflict):
            program.add_owner(
                session, team_id=TEAM, user_id="U_ANA", by="U_ADMIN", by_admin=True, now=NOW
            )
        assert program.is_owner(session, team_id=TEAM, user_id="U_ANA", is_admin=False)
        # named in one workspace, nobody in another
        assert not program.is_owner(session, team_id=OTHER, user_id="U_ANA", is_admin=False)
        program.remove_owner(session, team_id=TEAM, user_id="U_ANA", by="U_ADMIN", by_admin=True)
        assert not program.is_owner(session, team_id=TEAM, user_id="U_ANA", is_admin=False)


def test_once_people_use_the_interest_board_its_topics_are_the_most_wanted(store: Store) -> None:
    evenings = Availability("Europe/Amsterdam", frozenset({1, 3}), frozenset({18, 19}))
    with store.transaction() as session:
        session.add(TopicRequest(team_id=TEAM, user_id="U1_1", text="Kafka"))  # retro, older
        for user, text in (("U1", "Rust"), ("U2", "rust basics"), ("U3", "Go"), ("U9", "Rust")):
            team = OTHER if user == "U9" else TEAM
            interest.add_want(
                session, team_id=team, user_id=user, text=text, availability=evenings, now=NOW
            )
        topic = session.scalars(
            select(InterestTopic).where(InterestTopic.team_id == TEAM, InterestTopic.name == "Go")
        ).one()
        topic.groups_formed = 1

    with store.transaction() as session:
        stats = program.stats(session, team_id=TEAM, now=NOW)

    assert stats.wanted_topics == [("Rust", 2), ("Go", 1)]  # people waiting, this workspace
    assert stats.board_groups_formed == 1
