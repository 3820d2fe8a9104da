from __future__ import annotations

import threading

import pytest

from bot.domain import groups
from bot.domain.errors import Conflict, InvalidInput, NotFound
from bot.domain.groups import JoinResult, LeaveResult
from bot.store import Store
from bot.store.models import GroupState, MemberStatus
from tests.domain.factories import CHANNEL, TEAM, draft, join, leave, start_group


def test_a_new_group_recruits_with_its_facilitator_as_first_member(store: Store) -> None:
    group = start_group(store, facilitator="U_FAC", facilitator_minutes=90)

    assert group.state is GroupState.RECRUITING
    assert [m.user_id for m in group.members] == ["U_FAC"]
    assert group.members[0].minutes_per_week == 90
    assert group.seats_left == 5


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"topic": "  "}, "topic"),
        ({"topic": "x" * 151}, "topic"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 13}, "weeks"),
        ({"seats": 1}, "seats"),
        ({"min_members": 7}, "min_members"),
        ({"min_members": 1}, "min_members"),
    ],
)
def test_invalid_drafts_name_the_field_to_fix(overrides: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        groups.validate_draft(draft(**overrides))
    assert set(raised.value.fields) == {field}


def test_joining_fills_seats_then_the_waitlist_in_order(store: Store) -> None:
    group = start_group(store, seats=3, min_members=2)

    first = join(store, group.id, "U_A")
    second = join(store, group.id, "U_B")
    third = join(store, group.id, "U_C")
    fourth = join(store, group.id, "U_D")

    assert first.result is JoinResult.JOINED and first.reached_minimum
    assert second.result is JoinResult.JOINED and not second.reached_minimum
    assert (third.result, third.waitlist_position) == (JoinResult.WAITLISTED, 1)
    assert (fourth.result, fourth.waitlist_position) == (JoinResult.WAITLISTED, 2)
    with store.transaction() as session:
        stored = groups.get_group(session, team_id=TEAM, group_id=group.id)
        assert [m.user_id for m in stored.members] == ["U_FAC", "U_A", "U_B"]
        assert [m.user_id for m in stored.waitlist] == ["U_C", "U_D"]
        assert stored.membership("U_A").goal == "U_A wants to learn consensus"


def test_joining_twice_changes_nothing(store: Store) -> None:
    group = start_group(store)
    join(store, group.id, "U_A", minutes=60)

    again = join(store, group.id, "U_A", minutes=480)

    assert again.result is JoinResult.ALREADY_MEMBER
    with store.transaction() as session:
        stored = groups.get_group(session, team_id=TEAM, group_id=group.id)
        assert len(stored.memberships) == 2
        assert stored.membership("U_A").minutes_per_week == 60


def test_a_member_leaving_moves_the_first_on_the_waitlist_up(store: Store) -> None:
    group = start_group(store, seats=2, min_members=2)
    join(store, group.id, "U_A")
    join(store, group.id, "U_B")
    join(store, group.id, "U_C")

    outcome = leave(store, group.id, "U_A")

    assert outcome.result is LeaveResult.LEFT
    assert outcome.promoted is not None and outcome.promoted.user_id == "U_B"
    with store.transaction() as session:
        stored = groups.get_group(session, team_id=TEAM, group_id=group.id)
        assert [m.user_id for m in stored.members] == ["U_FAC", "U_B"]
        assert [m.user_id for m in stored.waitlist] == ["U_C"]
        assert stored.membership("U_A").status is MemberStatus.LEFT


def test_leaving_when_not_in_the_group_is_reported_not_acted_on(store: Store) -> None:
    group = start_group(store)

    assert leave(store, group.id, "U_STRANGER").result is LeaveResult.NOT_IN_GROUP
    join(store, group.id, "U_A")
    leave(store, group.id, "U_A")
    assert leave(store, group.id, "U_A").result is LeaveResult.NOT_IN_GROUP


def test_someone_who_left_can_join_again(store: Store) -> None:
    group = start_group(store)
    join(store, group.id, "U_A")
    leave(store, group.id, "U_A")

    assert join(store, group.id, "U_A").result is JoinResult.JOINED


def test_the_facilitator_leaving_hands_the_group_to_the_longest_member(store: Store) -> None:
    group = start_group(store)
    join(store, group.id, "U_A")
    join(store, group.id, "U_B")

    outcome = leave(store, group.id, "U_FAC")

    assert outcome.new_facilitator == "U_A"
    with store.transaction() as session:
        assert groups.get_group(session, team_id=TEAM, group_id=group.id).facilitator_id == "U_A"


def test_the_last_member_leaving_closes_the_group(store: Store) -> None:
    group = start_group(store)

    outcome = leave(store, group.id, "U_FAC")

    assert outcome.cancelled
    with store.transaction() as session:
        stored = groups.get_group(session, team_id=TEAM, group_id=group.id)
        assert stored.state is GroupState.CANCELLED
        assert stored.ended_at is not None
    with pytest.raises(Conflict, match="ended"):
        join(store, group.id, "U_A")
    with pytest.raises(Conflict, match="ended"):
        leave(store, group.id, "U_FAC")


def test_another_workspace_cannot_see_or_change_the_group(store: Store) -> None:
    group = start_group(store)
    with store.transaction() as session, pytest.raises(NotFound):
        groups.join(
            session,
            team_id="T_OTHER",
            group_id=group.id,
            user_id="U_X",
            goal="",
            minutes_per_week=60,
        )
    with store.transaction() as session:
        assert groups.channel_groups(session, team_id="T_OTHER", channel_id=CHANNEL) == []


def test_concurrent_joins_never_oversell_the_last_seat(store: Store) -> None:
    group = start_group(store, seats=3, min_members=2)
    join(store, group.id, "U_A")
    people = [f"U_{i}" for i in range(8)]
    results: dict[str, JoinResult] = {}
    barrier = threading.Barrier(len(people))

    def attempt(user: str) -> None:
        barrier.wait()
        results[user] = join(store, group.id, user).result

    threads = [threading.Thread(target=attempt, args=(u,)) for u in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.value for r in results.values()).count("joined") == 1
    with store.transaction() as session:
        stored = groups.get_group(session, team_id=TEAM, group_id=group.id)
        assert len(stored.members) == 3
        assert len(stored.waitlist) == 7
        positions = sorted(m.queued_at for m in stored.waitlist)
        assert positions == [m.queued_at for m in stored.waitlist]


def test_a_channel_has_at_most_one_live_group(store: Store) -> None:
    first = start_group(store)
    with pytest.raises(Conflict, match="already has a live group"):
        start_group(store, topic="Rust")
    leave(store, first.id, "U_FAC")  # the group closes
    assert start_group(store, topic="Rust").topic == "Rust"
