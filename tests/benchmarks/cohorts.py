"""Benchmark of the cohort matcher (prints figures, asserts nothing):
`python -m tests.benchmarks.cohorts [--wants 10000] [--topics 500]`.

Wants are spread over topics as demand is (a few topics wanted by many, most by a few),
from twelve time zones, each person free on two to five weekdays in one to three windows
of the day. Fresh masks each run: the caches are cleared before timing.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date

from bot.domain import cohorts
from bot.domain.cohorts import Availability, Rules, Wanter

ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Amsterdam",
    "Europe/Helsinki",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Africa/Lagos",
    "UTC",
]
WINDOWS = [range(7, 9), range(9, 12), range(12, 14), range(14, 17), range(17, 20), range(20, 22)]


def wants(count: int, topics: int, seed: int = 12) -> dict[str, list[Wanter]]:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(topics)]
    by_topic: dict[str, list[Wanter]] = {}
    for n in range(count):
        topic = f"topic-{rng.choices(range(topics), weights)[0]}"
        hours = frozenset(h for w in rng.sample(WINDOWS, rng.randint(1, 3)) for h in w)
        days = frozenset(rng.sample(range(5), rng.randint(2, 5)))
        availability = Availability(rng.choice(ZONES), days, hours)
        by_topic.setdefault(topic, []).append(Wanter(f"U{n:05}", availability, order=n))
    return by_topic


def run(count: int, topics: int, start: date) -> None:
    data = wants(count, topics)
    for across, day in (("no clock change", date(2026, 1, 12)), ("across clock changes", start)):
        cohorts._starts.cache_clear()
        cohorts._offsets.cache_clear()
        rules = Rules(start=day)
        began = time.perf_counter()
        result = cohorts.match(data, rules)
        took = time.perf_counter() - began
        formed = sum(len(m.cohorts) for m in result.values())
        placed = sum(len(c.members) for m in result.values() for c in m.cohorts)
        left = sum(len(m.left_out) for m in result.values())
        print(
            f"{count} wants over {len(data)} topics, 8 weeks {across}: {took:.3f} s — "
            f"{formed} cohorts of {placed} people, {left} told why not"
        )


def run_store(count: int, topics: int) -> None:
    """The scheduler's pass over a stored board (SQLite): the first pass matches every
    topic; a quiet pass matches none; one new want re-matches one topic."""
    import tempfile
    from datetime import UTC, datetime
    from pathlib import Path

    from sqlalchemy import event, insert

    from bot.domain import interest
    from bot.store import Store
    from bot.store.migrate import upgrade
    from bot.store.models import InterestTopic, Want

    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'board.db'}"
        upgrade(url)
        store = Store.from_url(url)
        data = wants(count, topics)
        with store.transaction() as session:
            for name, people in data.items():
                topic = InterestTopic(team_id="T", name=name, key=name, created_at=now)
                session.add(topic)
                session.flush()
                session.execute(
                    insert(Want),
                    [
                        {
                            "team_id": "T",
                            "topic_id": topic.id,
                            "user_id": w.user_id,
                            "timezone": w.availability.timezone,
                            "weekdays": ",".join(map(str, sorted(w.availability.weekdays))),
                            "hours": ",".join(map(str, sorted(w.availability.hours))),
                            "created_at": now,
                            "why": "",
                            "source": "form",
                        }
                        for w in people
                    ],
                )
        queries = 0

        def count_query(*_: object) -> None:
            nonlocal queries
            queries += 1

        event.listen(store.engine, "before_cursor_execute", count_query)

        def one_pass(label: str) -> None:
            nonlocal queries
            queries = 0
            began = time.perf_counter()
            with store.transaction() as session:
                interest.expire(session, now=now)
                interest.take_unsent_notices(session)
                planned = interest.plan(session, now=now)
                claimed = list(iter(lambda: interest.claim_next_unsent(session), None))
            took = time.perf_counter() - began
            print(
                f"  {label}: {took * 1000:.0f} ms, {queries} queries — "
                f"{planned.topics_matched} topics matched, {len(claimed)} proposals to send"
            )

        print(f"The pass over a stored board of {count} wants ({len(data)} topics), SQLite:")
        one_pass("first pass")
        one_pass("quiet pass")
        with store.transaction() as session:
            interest.add_want(
                session,
                team_id="T",
                user_id="U_NEW",
                text="topic-7",
                availability=Availability("UTC", frozenset({1}), frozenset({9})),
                now=now,
            )
        one_pass("after one new want")
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wants", type=int, default=10_000)
    parser.add_argument("--topics", type=int, default=500)
    args = parser.parse_args()
    run(args.wants, args.topics, date(2026, 3, 2))
    run_store(args.wants, args.topics)


if __name__ == "__main__":
    main()
