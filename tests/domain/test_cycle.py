from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import attendance, cycle, groups, kickoff, topics
from bot.domain.errors import Conflict, InvalidInput, NotAllowed
from bot.store import Store
from bot.store.models import GroupState
from tests.domain.factories import TEAM, join, start_group

MONDAY = datetime(2026, 3, 16, 9, tzinfo=UTC)  # Thursday sessions at 18:00 Amsterdam


def running_group(store: Store, **overrides: object) -> int:
    group = start_group(store, **overrides)
    for user in ("U_A", "U_B", "U_C"):
        join(store, group.id, user)
    with store.transaction() as session:
        kickoff.start_cycle(session, team_id=TEAM, group_id=group.id, user_id="U_FAC", now=MONDAY)
    return group.id


def load(store: Store, group_id: int):  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        return groups.get_group(session, team_id=TEAM, group_id=group_id)


def test_starting_the_cycle_plans_every_week_from_the_next_slot(store: Store) -> None:
    group = load(store, running_group(store))

    assert group.state is GroupState.RUNNING
    assert [w.number for w in group.weeks_planned] == [1, 2, 3, 4, 5, 6]
    first = group.weeks_planned[0]
    assert first.starts_at == datetime(2026, 3, 19, 17, tzinfo=UTC)
    assert first.ends_at - first.starts_at == timedelta(minutes=60)
    # 2 April is after the switch to summer time: 18:00 local is 16:00 UTC.
    assert group.weeks_planned[2].starts_at == datetime(2026, 4, 2, 16, tzinfo=UTC)


def test_the_cycle_needs_the_minimum_and_the_facilitator(store: Store) -> None:
    group = start_group(store)
    join(store, group.id, "U_A")
    with store.transaction() as session, pytest.raises(Conflict, match="needs 4"):
        kickoff.start_cycle(session, team_id=TEAM, group_id=group.id, user_id="U_FAC", now=MONDAY)
    join(store, group.id, "U_B")
    join(store, group.id, "U_C")
    with store.transaction() as session, pytest.raises(NotAllowed, match="facilitator"):
        kickoff.start_cycle(session, team_id=TEAM, group_id=group.id, user_id="U_A", now=MONDAY)


def test_kickoffs_are_rounds_and_must_be_in_the_future(store: Store) -> None:
    group = start_group(store)
    with store.transaction() as session, pytest.raises(InvalidInput):
        kickoff.schedule_kickoff(
            session,
            team_id=TEAM,
            group_id=group.id,
            user_id="U_FAC",
            at=MONDAY - timedelta(hours=1),
            now=MONDAY,
        )
    with store.transaction() as session:
        first = kickoff.schedule_kickoff(
            session,
            team_id=TEAM,
            group_id=group.id,
            user_id="U_FAC",
            at=MONDAY + timedelta(days=1),
            now=MONDAY,
        )
        second = kickoff.schedule_kickoff(
            session,
            team_id=TEAM,
            group_id=group.id,
            user_id="U_FAC",
            at=MONDAY + timedelta(days=3),
            now=MONDAY,
        )
    assert (first.round, second.round) == (1, 2)


def test_only_members_align_and_aligning_twice_counts_once(store: Store) -> None:
    group = start_group(store)
    join(store, group.id, "U_A")
    with store.transaction() as session:
        round_ = kickoff.schedule_kickoff(
            session,
            team_id=TEAM,
            group_id=group.id,
            user_id="U_FAC",
            at=MONDAY + timedelta(days=1),
            now=MONDAY,
        )
    with store.transaction() as session:
        assert kickoff.align(session, team_id=TEAM, kickoff_id=round_.id, user_id="U_A")[1]
        assert not kickoff.align(session, team_id=TEAM, kickoff_id=round_.id, user_id="U_A")[1]
    with store.transaction() as session, pytest.raises(NotAllowed):
        kickoff.align(session, team_id=TEAM, kickoff_id=round_.id, user_id="U_STRANGER")


def test_expectations_name_commitments_more_than_three_times_apart(store: Store) -> None:
    group = start_group(store, facilitator_minutes=240)
    join(store, group.id, "U_A", minutes=30)
    join(store, group.id, "U_B", minutes=60)
    gap = kickoff.expectations(load(store, group.id), MONDAY).gap
    assert gap is not None
    assert (gap.low.user_id, gap.high.user_id, gap.ratio) == ("U_A", "U_FAC", 8)


def test_similar_commitments_are_not_a_mismatch(store: Store) -> None:
    group = start_group(store, facilitator_minutes=120)
    join(store, group.id, "U_A", minutes=60)
    join(store, group.id, "U_B", minutes=180)
    assert kickoff.expectations(load(store, group.id), MONDAY).gap is None


def test_skipping_moves_the_next_session_and_all_after_it_a_week(store: Store) -> None:
    group_id = running_group(store)
    before = [w.starts_at for w in load(store, group_id).weeks_planned]
    after_week_one = before[0] + timedelta(hours=2)

    with store.transaction() as session:
        week = cycle.skip_week(
            session, team_id=TEAM, group_id=group_id, user_id="U_FAC", now=after_week_one
        )
    group = load(store, group_id)
    assert week.number == 2
    assert group.weeks_planned[0].starts_at == before[0]
    assert [w.starts_at for w in group.weeks_planned[1:]] == [
        datetime(2026, 4, 2, 16, tzinfo=UTC),
        datetime(2026, 4, 9, 16, tzinfo=UTC),
        datetime(2026, 4, 16, 16, tzinfo=UTC),
        datetime(2026, 4, 23, 16, tzinfo=UTC),
        datetime(2026, 4, 30, 16, tzinfo=UTC),
    ]
    assert group.weeks_planned[1].revision == 2


def test_moving_the_next_session_leaves_the_others(store: Store) -> None:
    group_id = running_group(store)
    new_time = datetime(2026, 3, 20, 12, tzinfo=UTC)
    with store.transaction() as session:
        moved = cycle.move_next_session(
            session,
            team_id=TEAM,
            group_id=group_id,
            user_id="U_FAC",
            starts_at=new_time,
            now=MONDAY,
        )
    group = load(store, group_id)
    assert moved.number == 1 and group.weeks_planned[0].starts_at == new_time
    assert group.weeks_planned[1].starts_at == datetime(2026, 3, 26, 17, tzinfo=UTC)
    with store.transaction() as session, pytest.raises(InvalidInput, match="skip"):
        cycle.move_next_session(
            session,
            team_id=TEAM,
            group_id=group_id,
            user_id="U_FAC",
            starts_at=datetime(2026, 3, 27, 12, tzinfo=UTC),
            now=MONDAY,
        )


def test_resuming_restarts_the_sessions_not_held_from_the_next_slot(store: Store) -> None:
    group_id = running_group(store)
    after_week_two = datetime(2026, 3, 27, 9, tzinfo=UTC)
    with store.transaction() as session:
        cycle.pause(session, team_id=TEAM, group_id=group_id, user_id="U_FAC", now=after_week_two)
    with store.transaction() as session, pytest.raises(Conflict, match="already paused"):
        cycle.pause(session, team_id=TEAM, group_id=group_id, user_id="U_FAC", now=after_week_two)
    three_weeks_later = datetime(2026, 4, 14, 9, tzinfo=UTC)
    with store.transaction() as session:
        cycle.resume(
            session, team_id=TEAM, group_id=group_id, user_id="U_FAC", now=three_weeks_later
        )
    group = load(store, group_id)
    assert group.state is GroupState.RUNNING
    assert group.weeks_planned[1].starts_at == datetime(2026, 3, 26, 17, tzinfo=UTC)
    assert [w.starts_at.date().isoformat() for w in group.weeks_planned[2:]] == [
        "2026-04-16",
        "2026-04-23",
        "2026-04-30",
        "2026-05-07",
    ]


def test_proposals_merge_duplicates_ignoring_case_and_spacing(store: Store) -> None:
    group_id = running_group(store)
    with store.transaction() as session:
        first, merged = topics.propose(
            session, team_id=TEAM, group_id=group_id, user_id="U_A", text="Raft  consensus"
        )
        again, merged_again = topics.propose(
            session,
            team_id=TEAM,
            group_id=group_id,
            user_id="U_B",
            text="raft consensus.",
            link="https://raft.github.io",
        )
    assert not merged and merged_again and first.id == again.id
    with store.transaction() as session:
        backlog = topics.backlog(session, group_id)
    assert [(p.text, p.link) for p in backlog] == [("Raft consensus", "https://raft.github.io")]


def test_non_members_cannot_propose(store: Store) -> None:
    group_id = running_group(store)
    with store.transaction() as session, pytest.raises(NotAllowed, match="Only members"):
        topics.propose(session, team_id=TEAM, group_id=group_id, user_id="U_X", text="Paxos")


def _poll_with(store: Store, group_id: int, *texts: str) -> int:
    with store.transaction() as session:
        for i, text in enumerate(texts):
            topics.propose(session, team_id=TEAM, group_id=group_id, user_id="U_A", text=text)
            session.flush()
            topics.backlog(session, group_id)[-1].created_at = MONDAY + timedelta(minutes=i)
        group = groups.get_group(session, team_id=TEAM, group_id=group_id)
        poll = topics.open_poll(session, group=group, week=1, closes_at=MONDAY + timedelta(days=5))
        assert poll is not None
        return poll.id


def test_a_vote_moves_and_a_second_click_takes_it_back(store: Store) -> None:
    group_id = running_group(store)
    poll_id = _poll_with(store, group_id, "Raft", "Paxos")
    with store.transaction() as session:
        _, poll = topics.get_poll(session, team_id=TEAM, poll_id=poll_id)
        raft, paxos = (o.id for o in poll.options)

    def click(user: str, option: int) -> topics.VoteChange:
        with store.transaction() as session:
            return topics.vote(
                session, team_id=TEAM, poll_id=poll_id, option_id=option, user_id=user, now=MONDAY
            )[1]

    assert click("U_A", raft) is topics.VoteChange.CAST
    assert click("U_A", paxos) is topics.VoteChange.MOVED
    assert click("U_A", paxos) is topics.VoteChange.REMOVED
    with store.transaction() as session:
        _, poll = topics.get_poll(session, team_id=TEAM, poll_id=poll_id)
        assert [c.votes for c in topics.tally(poll)] == [0, 0]
    with store.transaction() as session, pytest.raises(NotAllowed, match="vote"):
        topics.vote(
            session, team_id=TEAM, poll_id=poll_id, option_id=raft, user_id="U_X", now=MONDAY
        )


def test_the_most_votes_win(store: Store) -> None:
    group_id = running_group(store)
    poll_id = _poll_with(store, group_id, "Raft", "Paxos", "CRDTs")
    with store.transaction() as session:
        _, poll = topics.get_poll(session, team_id=TEAM, poll_id=poll_id)
        raft, paxos, crdts = (o.id for o in poll.options)
    for user, option in [("U_A", paxos), ("U_B", raft), ("U_C", crdts), ("U_FAC", paxos)]:
        with store.transaction() as session:
            topics.vote(
                session, team_id=TEAM, poll_id=poll_id, option_id=option, user_id=user, now=MONDAY
            )
    with store.transaction() as session:
        group, poll = topics.get_poll(session, team_id=TEAM, poll_id=poll_id)
        result = topics.close_poll(session, group=group, poll=poll, now=MONDAY)
    assert result.winner.text == "Paxos" and not result.is_tie


def test_a_tie_goes_to_the_earliest_proposal_is_reported_and_closing_twice_changes_nothing(
    store: Store,
) -> None:
    group_id = running_group(store)
    poll_id = _poll_with(store, group_id, "Raft", "Paxos")
    with store.transaction() as session:
        _, poll = topics.get_poll(session, team_id=TEAM, poll_id=poll_id)
        raft, paxos = (o.id for o in poll.options)
    for user, option in [("U_A", paxos), ("U_B", raft)]:
        with store.transaction() as session:
            topics.vote(
                session, team_id=TEAM, poll_id=poll_id, option_id=option, user_id=user, now=MONDAY
            )
    with store.transaction() as session:
        group, poll = topics.get_poll(session, team_id=TEAM, poll_id=poll_id)
        result = topics.close_poll(session, group=group, poll=poll, now=MONDAY)
        again = topics.close_poll(session, group=group, poll=poll, now=MONDAY + timedelta(days=1))
    assert result.is_tie and [p.text for p in result.tied] == ["Raft", "Paxos"]
    assert result.winner.text == "Raft" and again.winner.text == "Raft"
    group = load(store, group_id)
    assert group.week(2).topic == "Raft"
    with store.transaction() as session:
        assert [p.text for p in topics.backlog(session, group_id)] == ["Paxos"]
        with pytest.raises(Conflict, match="closed"):
            topics.vote(
                session, team_id=TEAM, poll_id=poll_id, option_id=paxos, user_id="U_C", now=MONDAY
            )


def test_no_proposals_means_no_poll(store: Store) -> None:
    group_id = running_group(store)
    with store.transaction() as session:
        group = groups.get_group(session, team_id=TEAM, group_id=group_id)
        assert topics.open_poll(session, group=group, week=1, closes_at=MONDAY) is None


def test_the_vote_closes_a_day_before_the_next_prompt(store: Store) -> None:
    group = load(store, running_group(store))
    # Week 2 starts Thu 26 March 17:00 UTC; its prompt a day before; the vote a day before that.
    assert topics.vote_deadline(group, 1) == datetime(2026, 3, 24, 17, tzinfo=UTC)
    assert topics.vote_deadline(group, 6) is None


def test_attendance_is_one_answer_per_member_and_week_and_the_facilitator_corrects(
    store: Store,
) -> None:
    group_id = running_group(store)

    def answer(user: str, present: bool, by: str) -> None:
        with store.transaction() as session:
            attendance.answer(
                session,
                team_id=TEAM,
                group_id=group_id,
                week=1,
                user_id=user,
                present=present,
                by=by,
                now=MONDAY,
            )

    answer("U_A", True, "U_A")
    answer("U_A", False, "U_A")
    answer("U_B", False, "U_FAC")
    with store.transaction() as session:
        rows = attendance.for_week(session, group_id, 1)
    assert {u: (r.present, r.answered_by) for u, r in rows.items()} == {
        "U_A": (False, "U_A"),
        "U_B": (False, "U_FAC"),
    }
    with pytest.raises(NotAllowed, match="facilitator"):
        answer("U_B", True, "U_A")


def test_a_correction_marks_members_left_out_as_absent_and_refuses_strangers(
    store: Store,
) -> None:
    group_id = running_group(store)
    with store.transaction() as session:
        attendance.answer(
            session,
            team_id=TEAM,
            group_id=group_id,
            week=1,
            user_id="U_A",
            present=True,
            by="U_A",
            now=MONDAY,
        )
    with store.transaction() as session, pytest.raises(InvalidInput, match="aren't members"):
        attendance.correct(
            session,
            team_id=TEAM,
            group_id=group_id,
            week=1,
            present={"U_A", "U_X"},
            by="U_FAC",
            now=MONDAY,
        )
    with store.transaction() as session:
        attendance.correct(
            session,
            team_id=TEAM,
            group_id=group_id,
            week=1,
            present={"U_A", "U_B"},
            by="U_FAC",
            now=MONDAY,
        )
        rows = attendance.for_week(session, group_id, 1)
    assert {u: (r.present, r.answered_by) for u, r in rows.items()} == {
        "U_A": (True, "U_A"),
        "U_B": (True, "U_FAC"),
        "U_C": (False, "U_FAC"),
        "U_FAC": (False, "U_FAC"),
    }
