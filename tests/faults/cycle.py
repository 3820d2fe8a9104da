"""A whole cycle under fire, counted: every post the fake Slack saw against what was due.

What was due is what a calm run posts: one ticker, no faults, the same group and the same
ticks. A trial runs the same ticks with three tickers racing on PostgreSQL and, at random
ticks, the faults asked for. Each post carries its ledger key in its metadata, so a key
posted twice is a duplicate and a key the calm run posted but the trial did not is missing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import time_machine
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.workspace import SimulatedWorkspace
from bot.schedule import ledger
from bot.schedule.runner import collect_due, run_due
from bot.slack.scheduled import SlackSender
from bot.store import Store
from bot.store.models import Delivery
from tests import databases
from tests.faults.proxy import TcpProxy
from tests.slack.clock import START, Clock
from tests.slack.people import ANA, BEN, CHANNEL, CHEN, FAC, PEOPLE, run_cycle

FAULTS = ("kill", "rate_limit", "drop", "recipient", "db_refuse", "db_blackhole")
TICKERS = 3
# After each moment something falls due: a tick past the lease (a killed ticker's claims),
# and ticks past the first backoffs.
FOLLOW_UPS = (timedelta(0), timedelta(minutes=6), timedelta(minutes=20), timedelta(hours=1))


@dataclass
class Outcome:
    posted: Counter[str]
    due: set[str]
    given_up: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> list[str]:
        return sorted(key for key, n in self.posted.items() if n > 1)

    @property
    def missing(self) -> list[str]:
        return sorted(self.due - set(self.posted))

    @property
    def unexpected(self) -> list[str]:
        return sorted(set(self.posted) - self.due)


def posted_keys(fake: FakeSlack) -> Counter[str]:
    """Every post Slack accepted, by the ledger key in its metadata."""
    keys: Counter[str] = Counter()
    for call in fake.calls_to("chat.postMessage"):
        if call.status != 200 or not (call.response or {}).get("ok"):
            continue
        metadata = call.args.get("metadata") or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        key = (metadata.get("event_payload") or {}).get("key")
        if key:
            keys[key] += 1
    return keys


@contextmanager
def workspace(store: Store) -> Iterator[tuple[SimulatedWorkspace, Clock]]:
    fake = FakeSlack().start()
    for user_id, name, tz in PEOPLE:
        fake.add_user(user_id, name=name, real_name=name.title(), tz=tz)
    fake.add_channel(CHANNEL, name="learning", members=[p[0] for p in PEOPLE])
    try:
        with (
            SimulatedWorkspace(store, fake) as ws,
            time_machine.travel(START, tick=True) as traveller,
        ):
            yield ws, Clock(ws, traveller)
    finally:
        fake.stop()


def schedule(store: Store) -> list[datetime]:
    """The ticks of a trial: each moment something fell due in the calm run, and after."""
    with store.transaction() as session:
        moments = set(session.scalars(select(Delivery.due_at)))
    return sorted({moment + later for moment in moments for later in FOLLOW_UPS})


def calm_run(url: str, *, weeks: int = 2) -> tuple[set[str], list[datetime]]:
    store = Store.from_url(url)
    databases.truncate_all(store.engine)
    with workspace(store) as (ws, clock):
        run_cycle(ws, clock, weeks=str(weeks))
        horizon = clock.now + timedelta(days=7 * weeks + 30)
        while upcoming := _next_due(store, after=clock.now, horizon=horizon):
            clock.tick(upcoming)
        due = set(posted_keys(ws.fake))
    ticks = schedule(store)
    store.dispose()
    return due, ticks


def _next_due(store: Store, *, after: datetime, horizon: datetime) -> datetime | None:
    """When the next thing falls due, as things stand (posting it may plan more)."""
    with store.transaction() as session:
        later = [item.due_at for item in collect_due(session, horizon) if item.due_at > after]
    return min(later, default=None)


def trial(
    url: str,
    due: set[str],
    ticks: list[datetime],
    *,
    seed: int,
    faults: tuple[str, ...],
    weeks: int = 2,
) -> Outcome:
    """`faults` take turns (in an order the seed shuffles) at about a third of the ticks."""
    rng = random.Random(seed)
    base = Store.from_url(url)
    databases.truncate_all(base.engine)
    with TcpProxy(_pg_address(url), break_after=0.3) as proxy, workspace(base) as (ws, clock):
        proxied = _via(url, proxy.port)
        stores = [Store.from_url(proxied) for _ in range(TICKERS)]
        run_cycle(ws, clock, weeks=str(weeks))
        turns = rng.sample(faults, len(faults))
        fired: list[str] = []
        for n, moment in enumerate(ticks):
            fault = turns[len(fired) % len(turns)] if turns and rng.random() < 0.35 else None
            clock.to(moment)
            if fault is not None:
                fired.append(f"{fault}@{n}")
            _tick(ws, stores, proxied, moment, fault, proxy, rng)
            ws.fake.clear_faults()
            proxy.set_mode("pass")
        # Calm ticks at the end: whatever is still owed goes out, as the heartbeat would.
        for later in (timedelta(minutes=10), timedelta(hours=2), timedelta(hours=4)):
            clock.to(ticks[-1] + later)
            _race(ws, stores, ticks[-1] + later)
        with base.transaction() as session:
            given_up = [f"{d.key}: {d.error}" for d in ledger.given_up(session)]
        outcome = Outcome(posted_keys(ws.fake), due, given_up, fired)
        for store in stores:
            store.dispose()
    base.dispose()
    return outcome


def _tick(
    ws: SimulatedWorkspace,
    stores: list[Store],
    url: str,
    moment: datetime,
    fault: str | None,
    proxy: TcpProxy,
    rng: random.Random,
) -> None:
    fake = ws.fake
    if fault == "rate_limit":
        fake.rate_limit("chat.postMessage", retry_after=1, times=rng.randint(1, 3))
    elif fault == "drop":
        fake.drop_after("chat.postMessage", times=rng.randint(1, 3))
    elif fault == "recipient":
        person = rng.choice([FAC, ANA, BEN, CHEN])
        error = rng.choice(["internal_error", "ratelimited", "service_unavailable"])
        fake.fail("chat.postMessage", error, times=2, when=lambda a: a.get("channel") == person)
    elif fault == "kill":
        fake.slow(0.05)
        _kill_a_ticker(fake, url, moment, rng)
        fake.clear_faults()
    if fault in ("db_refuse", "db_blackhole"):
        mode = "refuse" if fault == "db_refuse" else "blackhole"
        timer = threading.Timer(rng.uniform(0, 0.3), proxy.set_mode, args=(mode,))
        timer.start()
        _race(ws, stores, moment)
        timer.cancel()
        return
    _race(ws, stores, moment)


def _race(ws: SimulatedWorkspace, stores: list[Store], moment: datetime) -> None:
    """Three tickers at the same instant, each with its own connection pool."""
    start = threading.Barrier(len(stores))

    def tick(n: int, store: Store) -> None:
        start.wait()
        # The database may go away mid-tick: the next tick picks up what was left.
        with suppress(Exception):
            run_due(store, SlackSender(ws.client, store), now=moment, worker=f"ticker{n}")

    threads = [threading.Thread(target=tick, args=item) for item in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ws.settle()


def _kill_a_ticker(fake: FakeSlack, url: str, moment: datetime, rng: random.Random) -> None:
    """A ticker process of its own, killed -9 at a random point of its tick."""
    args = [url, fake.api_url, fake.bot_token, moment.isoformat(), "doomed:1"]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.ticker", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    assert process.stdout is not None
    process.stdout.readline()  # "ready"
    time.sleep(rng.uniform(0, 0.6))
    process.send_signal(signal.SIGKILL)
    process.wait()


def _pg_address(url: str) -> tuple[str, int]:
    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432


def _via(url: str, port: int) -> str:
    return make_url(url).set(port=port).render_as_string(hide_password=False)
