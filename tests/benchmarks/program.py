"""Benchmark (prints figures, not a test): `/p2p stats` and App Home at 100, 1,000 and
10,000 groups.

    python -m tests.benchmarks.program [--sizes 100,1000,10000] [--postgres URL]

Each size is one workspace of N groups (most ended, some running or recruiting, each with
six members, six weeks of attendance, check-ins and some feedback) beside a second
workspace with a tenth as many, which must not change the numbers. Measured: the aggregate
queries alone; `/p2p stats` answered over real HTTP by the Bolt app (Slack allows 3 s); and
App Home for a member and for a program owner, from the event to views.publish.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, text

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import program
from bot.slack import home_tab
from bot.store import Store
from bot.store.base import Base
from bot.store.migrate import upgrade
from bot.store.models import (
    Ambassador,
    Attendance,
    CheckIn,
    Feedback,
    Group,
    GroupFormat,
    GroupState,
    LearnedGoal,
    Membership,
    MemberStatus,
    StallReason,
    TopicRequest,
    Week,
)

TEAM = "T0P2P"  # the fake's workspace
OTHER = "T_OTHER"
NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)
CHUNK = 500
OUTCOMES = [
    GroupState.COMPLETED,
    GroupState.COMPLETED,
    GroupState.COMPLETED,
    GroupState.COMPLETED,
    GroupState.STALLED,
    GroupState.RUNNING,
    GroupState.RUNNING,
    GroupState.RECRUITING,
    GroupState.COMPLETED,
    GroupState.CANCELLED,
]
MEMBER = "U_MEMBER"  # in three of the groups
OWNER = "U_OWNER"  # a workspace admin


def seed(store: Store, count: int, team: str, first_id: int) -> None:
    for chunk in range(0, count, CHUNK):
        rows: dict[Any, list[dict[str, Any]]] = {
            m: [] for m in (Group, Membership, Week, Attendance, CheckIn, Feedback, TopicRequest)
        }
        for n in range(chunk, min(count, chunk + CHUNK)):
            _group(rows, first_id + n, n, team)
        with store.transaction() as session:
            for model, batch in rows.items():
                if batch:
                    session.execute(insert(model), batch)
    with store.transaction() as session:
        session.execute(
            insert(Ambassador),
            [{"team_id": team, "user_id": f"U{team[-2:]}A{k}", "since": NOW} for k in range(12)],
        )


def _group(rows: dict[Any, list[dict[str, Any]]], gid: int, n: int, team: str) -> None:
    state = OUTCOMES[n % len(OUTCOMES)]
    created = NOW - timedelta(days=7 * (n % 70) + 60)
    started = created + timedelta(days=14) if state is not GroupState.RECRUITING else None
    ended = started + timedelta(weeks=6) if started and state not in (GroupState.RUNNING,) else None
    if state is GroupState.RUNNING:
        started = NOW - timedelta(weeks=3)
    users = [f"U{team[-2:]}{n:05d}{k}" for k in range(6)]
    if team == TEAM and n in (1, 5, 7):
        users[3] = MEMBER
    rows[Group].append(
        {
            "id": gid,
            "team_id": team,
            "channel_id": f"C{team[-2:]}{n:05d}",
            "topic": f"Topic {n % 40}",
            "why": "",
            "format": GroupFormat.STUDY_AND_PRESENT,
            "weekday": n % 7,
            "session_time": clock_time(9 + n % 9),
            "session_minutes": 60,
            "timezone": "Europe/Amsterdam",
            "weeks": 6,
            "seats": 6,
            "min_members": 4,
            "facilitator_id": users[0],
            "state": state,
            "created_by": users[0],
            "created_at": created,
            "cycle_started_at": started,
            "ended_at": ended,
            "stall_reason": StallReason.TIME if state is GroupState.STALLED else None,
            "recruitment_ts": f"{n}.000100",
            "share_checkins": n % 2 == 0,
        }
    )
    members = 6 if state is not GroupState.RECRUITING else 3
    for k, user in enumerate(users[:members]):
        rows[Membership].append(
            {
                "group_id": gid,
                "user_id": user,
                "status": MemberStatus.MEMBER,
                "goal": "",
                "minutes_per_week": 60 + 30 * (k % 3),
                "joined_at": created,
                "created_at": created,
            }
        )
    if started is None:
        return
    for week in range(1, 7):
        starts = started + timedelta(weeks=week - 1)
        rows[Week].append(
            {
                "group_id": gid,
                "number": week,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=1),
                "revision": 1,
            }
        )
        if starts > NOW:
            continue
        for k, user in enumerate(users):
            rows[Attendance].append(
                {
                    "group_id": gid,
                    "week": week,
                    "user_id": user,
                    "present": (k + week + n) % 5 != 0,
                    "answered_by": user,
                    "answered_at": starts,
                }
            )
            if (k + week) % 4 != 0:
                rows[CheckIn].append(
                    {
                        "group_id": gid,
                        "week": week,
                        "user_id": user,
                        "learned": "",
                        "hours": 1.5,
                        "went_well": "",
                        "went_badly": "",
                        "confidence": 3 + k % 3,
                        "blockers": "",
                        "replies": "",
                        "submitted_at": starts + timedelta(days=1),
                        "updated_at": starts + timedelta(days=1),
                    }
                )
    if ended is not None:
        for k, user in enumerate(users[:3]):
            rows[Feedback].append(
                {
                    "group_id": gid,
                    "user_id": user,
                    "rating": 3 + k % 3,
                    "learned_goal": LearnedGoal.YES if k else LearnedGoal.PARTLY,
                    "join_again": k != 2,
                    "facilitate": k == 0,
                    "topics_wanted": "",
                    "submitted_at": ended,
                }
            )
        rows[TopicRequest].append(
            {"team_id": team, "group_id": gid, "user_id": users[0], "text": f"Topic {n % 13}"}
        )


def _wipe(store: Store) -> None:
    with store.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


def _median_ms(fn: Any, runs: int = 7) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings) * 1000


def bench(url: str, sizes: list[int]) -> None:
    upgrade(url)
    store = Store.from_url(url)
    print(f"Program view on {url.split(':')[0]}: median of 7 runs")
    for size in sizes:
        _wipe(store)
        began = time.perf_counter()
        seed(store, size, TEAM, first_id=1)
        seed(store, max(size // 10, 1), OTHER, first_id=size + 1)
        if store.engine.dialect.name == "postgresql":
            # As autovacuum would have by then: without statistics the planner guesses badly.
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("ANALYZE"))
        seeded = time.perf_counter() - began

        def stats() -> program.ProgramStats:
            with store.transaction() as session:
                return program.stats(session, team_id=TEAM, now=NOW)

        figures = stats()
        assert figures.total == size, (figures.total, size)  # the other workspace stays out
        query_ms = _median_ms(stats)
        with FakeSlack() as fake:
            fake.add_user(MEMBER, name="member", tz="Europe/Lisbon")
            fake.add_user(OWNER, name="owner", tz="Europe/London", is_admin=True)
            fake.add_channel("C_LEARN", name="learning", members=[MEMBER, OWNER])
            with SimulatedWorkspace(store, fake) as ws:
                # Until the numbers reach the person (acknowledged at once, answered after).
                slash = _median_ms(lambda: ws.command(OWNER, "stats", channel_id="C_LEARN"))
                member_home = _median_ms(lambda: home_tab.publish(store, ws.client, TEAM, MEMBER))
                owner_home = _median_ms(lambda: home_tab.publish(store, ws.client, TEAM, OWNER))
                published = fake.home(OWNER)
                assert published is not None and "The program" in published.plain
        print(
            f"  {size:>6} groups (+{max(size // 10, 1)} in another workspace; seeded in "
            f"{seeded:.1f} s): stats queries {query_ms:6.1f} ms · /p2p stats answered "
            f"{slash:6.1f} ms · App Home member {member_home:6.1f} ms, owner "
            f"{owner_home:6.1f} ms · completion {figures.completion.value or 0:.0%}",
            flush=True,
        )
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{Path(tmp) / 'program.db'}", sizes)
    if args.postgres:
        bench(args.postgres, sizes)


if __name__ == "__main__":
    main()
