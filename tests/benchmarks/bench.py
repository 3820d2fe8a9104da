"""Benchmarks that print figures (not tests): `python -m tests.benchmarks.bench [--postgres URL]`.

1. Scheduler: how long one tick takes to work out what is due, with many running groups.
2. Acknowledgement: how fast the app answers Slack over HTTP (Slack allows 3 s), for a
   slash command and for a burst of vote clicks, and how many chat.update calls the burst
   cost after coalescing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bot import clock
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups, kickoff, topics
from bot.domain.groups import GroupDraft
from bot.schedule.runner import collect_due
from bot.slack import ids
from bot.store import Store
from bot.store.migrate import upgrade
from bot.store.models import Delivery, DeliveryState, GroupFormat

START = datetime(2026, 3, 16, 9, tzinfo=UTC)


def seed(store: Store, count: int) -> None:
    with store.transaction() as session:
        for n in range(count):
            group = groups.create_group(
                session,
                team_id="T0P2P",
                channel_id=f"C{n:05d}",
                user_id=f"U{n:05d}0",
                draft=GroupDraft(
                    topic=f"Topic {n}",
                    why="",
                    format=GroupFormat.STUDY_AND_PRESENT,
                    weekday=n % 7,
                    session_time=clock_time(18),
                    timezone="Europe/Amsterdam",
                ),
            )
            for m in range(1, 6):
                groups.join(
                    session,
                    team_id="T0P2P",
                    group_id=group.id,
                    user_id=f"U{n:05d}{m}",
                    goal="",
                    minutes_per_week=60,
                    now=START,
                )
            kickoff.start_cycle(
                session, team_id="T0P2P", group_id=group.id, user_id=f"U{n:05d}0", now=START
            )


def settle_past(store: Store, now: datetime) -> None:
    with store.transaction() as session:
        for item in collect_due(session, now):
            session.add(
                Delivery(
                    key=item.key,
                    group_id=item.group_id,
                    kind=item.kind.value,
                    week=item.week,
                    user_id=item.user_id,
                    state=DeliveryState.SENT,
                    due_at=item.due_at,
                    claimed_at=now,
                    claimed_by="bench",
                )
            )


def bench_scheduler(url: str, sizes: list[int]) -> None:
    print("Scheduler: time to work out what is due (median of 20 ticks, week 3 of 6)")
    for size in sizes:
        upgrade(url)
        store = Store.from_url(url)
        _wipe(store)
        seed(store, size)
        now = START + timedelta(days=17)
        settle_past(store, now - timedelta(minutes=1))  # steady state: the past is done
        runs = []
        for _ in range(20):
            began = time.perf_counter()
            with store.transaction() as session:
                due = collect_due(session, now)
            runs.append(time.perf_counter() - began)
        print(
            f"  {size:>5} running groups ({size * 6} members): "
            f"{statistics.median(runs) * 1000:7.1f} ms per tick, {len(due)} items due"
        )
        store.dispose()


def bench_acks(url: str) -> None:
    upgrade(url)
    store = Store.from_url(url)
    _wipe(store)
    with FakeSlack() as fake:
        people = [f"U_P{i}" for i in range(6)]
        for person in people:
            fake.add_user(person, name=person.lower(), tz="Europe/Amsterdam")
        fake.add_channel("C_LEARN", name="learning", members=people)
        with SimulatedWorkspace(store, fake, refresh_interval=1.5) as ws:
            timings = []
            for _ in range(100):
                began = time.perf_counter()
                ws.driver.command(people[0], "help", channel_id="C_LEARN")
                timings.append(time.perf_counter() - began)
            _report("/p2p help", timings)
            poll_message = _open_vote(ws, store, people)
            clicks: list[float] = []
            updates_before = len(fake.calls_to("chat.update"))

            def click(person: str) -> None:
                for i in range(10):
                    began = time.perf_counter()
                    ws.driver.click(person, poll_message, f"{ids.VOTE_OPTION}_{1 + i % 2}")
                    clicks.append(time.perf_counter() - began)

            threads = [threading.Thread(target=click, args=(p,)) for p in people]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            ws.settle()
            elapsed = time.perf_counter() - began
            _report(f"vote clicks ({len(clicks)} from 6 people at once)", clicks)
            updates = len(fake.calls_to("chat.update")) - updates_before
            print(
                f"  the burst took {elapsed:.1f} s and cost {updates} chat.update calls "
                f"(one per message per 1.5 s at most)"
            )
    store.dispose()


def _open_vote(ws: SimulatedWorkspace, store: Store, people: list[str]):  # type: ignore[no-untyped-def]
    now = clock.now()
    with store.transaction() as session:
        group = groups.create_group(
            session,
            team_id=ws.fake.team_id,
            channel_id="C_LEARN",
            user_id=people[0],
            draft=GroupDraft(
                topic="Bench",
                why="",
                format=GroupFormat.STUDY_AND_PRESENT,
                weekday=now.weekday(),
                session_time=clock_time(18),
                timezone="UTC",
            ),
        )
        for person in people[1:]:
            groups.join(
                session,
                team_id=ws.fake.team_id,
                group_id=group.id,
                user_id=person,
                goal="",
                minutes_per_week=60,
            )
        kickoff.start_cycle(
            session,
            team_id=ws.fake.team_id,
            group_id=group.id,
            user_id=people[0],
            now=now - timedelta(days=8),
        )
        for text in ("Raft", "Paxos"):
            topics.propose(
                session, team_id=ws.fake.team_id, group_id=group.id, user_id=people[1], text=text
            )
    ws.tick(now)
    return ws.fake.find_message("C_LEARN", "Vote: week")


def _report(what: str, timings: list[float]) -> None:
    timings = sorted(timings)
    p50 = timings[len(timings) // 2] * 1000
    p95 = timings[int(len(timings) * 0.95) - 1] * 1000
    print(
        f"  {what}: answered in p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {timings[-1] * 1000:.1f} ms"
    )


def _wipe(store: Store) -> None:
    from bot.store.base import Base

    with store.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL")
    parser.add_argument("--sizes", default="10,100,500")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite:///{Path(tmp) / 'bench.db'}"
        print("== SQLite ==")
        bench_scheduler(sqlite, sizes)
        print("Acknowledgements over HTTP (real Bolt app and server, fake Slack):")
        bench_acks(sqlite)
    if args.postgres:
        print("== PostgreSQL ==")
        bench_scheduler(args.postgres, sizes)
        print("Acknowledgements over HTTP (real Bolt app and server, fake Slack):")
        bench_acks(args.postgres)


if __name__ == "__main__":
    main()
