"""The background loop: about once a minute, do what is due now.

APScheduler only keeps time here; it stores nothing. The database decides what is due and
who sends it, so any number of processes may run this loop side by side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.schedule.runner import Sender, run_due
from bot.store import Store
from bot.store.types import utcnow

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60


def start_heartbeat(
    store: Store,
    sender: Sender,
    *,
    interval: int = INTERVAL_SECONDS,
    also: Sequence[Callable[[datetime], object]] = (),
) -> BackgroundScheduler:
    """`also`: periodic passes that are not a group's due items (the interest board's
    matching and proposals), run after them on every tick."""

    def tick() -> None:
        now = utcnow()
        try:
            run_due(store, sender, now=now)
        except Exception:
            log.exception("scheduler tick failed; the next one will try again")
        for periodic in also:
            try:
                periodic(now)
            except Exception:
                log.exception("periodic pass %s failed; the next tick will try again", periodic)

    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=interval),
        id="tick",
        next_run_time=utcnow(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=interval,
    )
    scheduler.start()
    log.info("scheduler running: every %ss", interval)
    return scheduler
