"""Which replica sends for which workspace: one at a time, spread evenly, and only a
departed replica's workspaces move."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.schedule import replicas
from bot.schedule.due import Due, Kind
from bot.schedule.lanes import Lanes
from bot.store import Store
from bot.store.models import Replica

NOW = datetime(2026, 3, 20, 9, tzinfo=UTC)
TEAMS = [f"T{n:04d}" for n in range(300)]


def test_each_workspace_has_one_sender_and_they_spread_evenly() -> None:
    alive = ["web-1:7", "web-2:7", "web-3:7"]
    senders = {team: replicas.sender_of(team, alive) for team in TEAMS}
    shares = Counter(senders.values())
    assert set(shares) == set(alive)
    assert all(80 <= share <= 120 for share in shares.values()), shares  # 100 each, give or take
    for team in TEAMS:  # each replica agrees it is the one, and the others that they are not
        assert [r for r in alive if replicas.mine(r, alive)(team)] == [senders[team]]


def test_when_a_replica_goes_only_its_workspaces_move() -> None:
    before = {team: replicas.sender_of(team, ["a", "b", "c"]) for team in TEAMS}
    after = {team: replicas.sender_of(team, ["a", "c"]) for team in TEAMS}
    moved = {team for team in TEAMS if before[team] != after[team]}
    assert moved == {team for team in TEAMS if before[team] == "b"}


def test_a_replica_counts_itself_before_it_has_said_it_is_here() -> None:
    assert replicas.mine("new", [])("T0001")
    assert replicas.mine("new", ["old"])("T0001") != replicas.mine("old", ["old", "new"])("T0001")


def test_a_replica_is_alive_while_it_keeps_saying_so(store: Store) -> None:
    with store.transaction() as session:
        replicas.here(session, "web-1:7", NOW)
        replicas.here(session, "web-2:9", NOW - replicas.ALIVE_FOR + timedelta(seconds=1))
        replicas.here(session, "web-3:4", NOW - replicas.ALIVE_FOR - timedelta(seconds=1))
    with store.transaction() as session:
        assert sorted(replicas.alive(session, NOW)) == ["web-1:7", "web-2:9"]
        replicas.here(session, "web-3:4", NOW)  # back
        assert sorted(replicas.alive(session, NOW)) == ["web-1:7", "web-2:9", "web-3:4"]


def test_replicas_long_gone_are_forgotten_when_a_new_one_starts(store: Store) -> None:
    with store.transaction() as session:
        replicas.here(session, "old:1", NOW - replicas.FORGET_AFTER - timedelta(minutes=1))
        replicas.here(session, "recent:2", NOW - timedelta(hours=1))
    with store.transaction() as session:
        replicas.here(session, "new:3", NOW)
        assert sorted(session.scalars(select(Replica.name))) == ["new:3", "recent:2"]


def _dm(group: int, person: int) -> Due:
    return Due(
        key=f"checkin:{group}:3:U{person}",
        kind=Kind.CHECKIN,
        group_id=group,
        due_at=NOW,
        useful_until=NOW + timedelta(days=2),
        week=3,
        user_id=f"U{person}",
    )


def test_lanes_drop_what_waits_for_a_workspace_another_replica_took() -> None:
    lanes = Lanes(per_workspace=4)
    for person in range(3):
        lanes.put("T_KEPT", _dm(1, person))
        lanes.put("T_GONE", _dm(2, person))
    in_flight = [lanes.take(), lanes.take()]  # one item of each group
    assert {item.group_id for item in in_flight if item} == {1, 2}

    lanes.keep(lambda team: team == "T_KEPT")

    for item in in_flight:
        assert item is not None
        lanes.done(item)  # what was in flight finishes
    rest = []
    while not lanes.empty():
        item = lanes.take()
        assert item is not None
        rest.append(item.key)
        lanes.done(item)
    assert rest == [_dm(1, 1).key, _dm(1, 2).key]
    # Given back later, a dropped item is queued again (it was not sent).
    lanes.put("T_GONE", _dm(2, 2))
    item = lanes.take()
    assert item is not None and item.key == _dm(2, 2).key
