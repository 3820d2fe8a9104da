"""The background loop: every few seconds, do what is due now.

APScheduler only keeps time here; it stores nothing. The database decides what is due and
who sends it, so any number of processes may run this loop side by side. A look with
nothing due costs a few small queries, so it runs often: a post goes out within
INTERVAL_SECONDS of its moment, and a replica is soon seen to be alive (or gone), which
decides the workspaces it sends for (`replicas`). Passes that are not a group's due items
(the interest board's matching and proposals) run about once a minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.schedule import replicas
from bot.schedule.runner import WORKER, Sender, run_due
from bot.store import Store
from bot.store.types import utcnow

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 15
PERIODIC_SECONDS = 60


def start_heartbeat(
    store: Store,
    sender: Sender,
    *,
    interval: int = INTERVAL_SECONDS,
    also: Sequence[Callable[[datetime], object]] = (),
    also_every: int = PERIODIC_SECONDS,
) -> BackgroundScheduler:
    """`also`: periodic passes run every `also_every` seconds, after the first tick."""

    def tick() -> None:
        try:
            run_due(store, sender, now=utcnow())
        except Exception:
            log.exception("scheduler tick failed; the next one will try again")

    def periodic() -> None:
        now = utcnow()
        for work in also:
            try:
                work(now)
            except Exception:
                log.exception("periodic pass %s failed; the next one will try again", work)

    scheduler = BackgroundScheduler(timezone=UTC)
    for job, seconds in ((tick, interval), (periodic, also_every)):
        scheduler.add_job(
            job,
            IntervalTrigger(seconds=seconds),
            id=job.__name__,
            next_run_time=utcnow(),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=seconds,
        )
    scheduler.start()
    log.info(
        "scheduler running: due posts every %ss, periodic passes every %ss", interval, also_every
    )
    return scheduler


def stop_heartbeat(store: Store, scheduler: BackgroundScheduler) -> None:
    """Stop ticking and say so, so the other replicas take this one's workspaces now. A
    tick still sending is not waited for: what it claimed and did not confirm is finished
    by another replica once its lease runs out."""
    scheduler.shutdown(wait=False)
    try:
        with store.transaction() as session:
            replicas.leave(session, WORKER)
    except Exception:
        log.exception("could not sign this replica off; the others notice in a minute")
