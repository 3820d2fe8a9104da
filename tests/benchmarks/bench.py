"""Benchmarks that print figures (not tests): `python -m tests.benchmarks.bench [--postgres URL]`.

1. Scheduler: how long one tick takes to work out what is due, with many running groups,
   how many queries it makes, and the memory a tick needs.
2. Fan-out: thousands of DMs due at once, sent at Slack's pace by 1, 2 and 3 tickers; and
   with Slack not limiting, how many DMs a second 1, 2 and 3 tickers can send.
3. Acknowledgement: how fast the app answers Slack over HTTP (Slack allows 3 s), for a
   slash command and for a burst of vote clicks, and how many chat.update calls the burst
   cost after coalescing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot import clock
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups, kickoff, topics
from bot.domain.groups import GroupDraft
from bot.schedule import replicas
from bot.schedule.runner import look
from bot.slack import ids
from bot.store import Store
from bot.store.engine import make_engine
from bot.store.migrate import upgrade
from bot.store.models import GroupFormat
from tests.benchmarks import fan_out, fleet

START = datetime(2026, 3, 16, 9, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
QUIET_TICK = START + timedelta(days=17, minutes=30)  # Thursday of week 3; nothing due at :30
BUSY_TICK = QUIET_TICK + timedelta(minutes=30)  # noon in Amsterdam: a few slots fall due
TEAMS = [f"T_W{n}" for n in range(10)]


def bench_scheduler(url: str, sizes: list[int]) -> None:
    print(
        "Scheduler: one tick working out what is due (median of 20: saying the replica is "
        "alive, who else is, what is due and when next), week 3 of 6, everything before it sent"
    )
    for size in sizes:
        upgrade(url)
        store = Store.from_url(url)
        _wipe(store)
        fleet.seed(store, size, start=START, settled_before=QUIET_TICK - MINUTE, teams=TEAMS)
        _analyze(store)
        for label, now in (("", QUIET_TICK), ("  at a busy minute", BUSY_TICK)):
            ms, queries, due, groups_due = _time_ticks(store, now)
            share = f" ({groups_due} groups, {groups_due / size:.1%})" if label else ""
            print(
                f"  {size:>5} running groups{label}: {ms:7.1f} ms per tick, "
                f"{queries} queries, {due} items due{share}"
            )
        if size == max(sizes):
            print(f"  memory: a busy tick at {size} groups peaks at {_tick_rss(url):.0f} MB RSS")
        store.dispose()


def _time_ticks(store: Store, now: datetime) -> tuple[float, int, int, int]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip()[:6].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            statements.append(statement)

    runs = []
    due: list = []  # type: ignore[type-arg]
    with store.transaction() as session:  # a replica running for a while: it is known
        replicas.here(session, "bench", now - MINUTE)
    event.listen(store.engine, "before_cursor_execute", count)
    for _ in range(20):
        statements.clear()
        began = time.perf_counter()
        with store.transaction() as session:
            due = look(session, now, worker="bench").items
            session.rollback()  # measuring: leave the index as it was
        runs.append(time.perf_counter() - began)
    event.remove(store.engine, "before_cursor_execute", count)
    return statistics.median(runs) * 1000, len(statements), len(due), len({i.group_id for i in due})


def _tick_rss(url: str) -> float:
    """Peak RSS of a fresh process that opens the store and runs one busy tick's planning."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return float(pool.apply(_one_tick_rss, (url,)))


def _one_tick_rss(url: str) -> float:
    import resource

    import bot.slack.scheduled  # noqa: F401  (a real process has the app loaded)

    store = Store.from_url(url)
    with store.transaction() as session:
        look(session, BUSY_TICK, worker="bench")
        session.rollback()
    store.dispose()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_fan_out(url: str, tickers: list[int], groups: int, scale: float) -> None:
    print(
        f"Fan-out: {groups} groups' check-in DMs ({groups * 6}) due at once in "
        f"{len(fan_out.TEAMS)} workspaces, the fake enforcing Slack's limits; Slack's clock "
        f"runs {scale:g}x faster (limits, Retry-After, budgets alike); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    upgrade(url)
    for count in tickers:
        print(fan_out.run(url, tickers=count, groups=groups, scale=scale, wipe=_wipe), flush=True)


def bench_throughput(url: str, tickers: list[int], groups: int, workspaces: int) -> None:
    print(
        f"Throughput: the same {groups * 6} DMs over {workspaces} workspaces with Slack not "
        f"limiting (the fake answers every call at once): what the tickers themselves can "
        f"send; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    upgrade(url)
    teams = fan_out.workspaces(workspaces)
    for count in tickers:
        line = fan_out.run(
            url, tickers=count, groups=groups, scale=1.0, wipe=_wipe, teams=teams, limited=False
        )
        print(line, flush=True)


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
    # Week 1's session ended an hour ago: its vote on week 2 is due and still useful.
    session_at = (now - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
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
                weekday=session_at.weekday(),
                session_time=clock_time(session_at.hour),
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
            now=session_at - timedelta(days=1),
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


def _analyze(store: Store) -> None:
    """Statistics for the planner, and (PostgreSQL) the rows of earlier sizes' wipes swept
    away, as autovacuum does in a database that has been running for a while."""
    postgres = store.engine.dialect.name == "postgresql"
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if postgres:
            connection.exec_driver_sql("SET statement_timeout = 0")  # the app's 5 s: too short
        connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")


def _wipe(store: Store) -> None:
    from bot.store.base import Base

    with store.engine.begin() as connection:
        if store.engine.dialect.name == "postgresql":  # 50,000 groups' rows: at once
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {names}")
            return
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL")
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--postgres-sizes", default="100,1000,10000,50000")
    parser.add_argument("--tickers", default="1,2,3")
    parser.add_argument("--fan-out-groups", type=int, default=1000)
    parser.add_argument("--fan-out-scale", type=float, default=4.0)
    parser.add_argument("--throughput-workspaces", type=int, default=40)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    tickers = [int(t) for t in args.tickers.split(",")]
    if args.postgres:
        try:
            make_engine(args.postgres).connect().close()
        except OperationalError as refused:
            sys.exit(
                f"bench: cannot use {args.postgres} ({refused.orig}); it takes an empty "
                "database of its own, e.g. `createdb -h 127.0.0.1 -U postgres bench`"
            )
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite:///{Path(tmp) / 'bench.db'}"
        print("== SQLite ==")
        bench_scheduler(sqlite, sizes)
        bench_fan_out(sqlite, tickers[:1], args.fan_out_groups, args.fan_out_scale)
        print("Acknowledgements over HTTP (real Bolt app and server, fake Slack):")
        bench_acks(sqlite)
    if args.postgres:
        print("== PostgreSQL ==")
        bench_scheduler(args.postgres, [int(s) for s in args.postgres_sizes.split(",")])
        bench_fan_out(args.postgres, tickers, args.fan_out_groups, args.fan_out_scale)
        bench_throughput(args.postgres, tickers, args.fan_out_groups, args.throughput_workspaces)
        print("Acknowledgements over HTTP (real Bolt app and server, fake Slack):")
        bench_acks(args.postgres)


if __name__ == "__main__":
    main()
