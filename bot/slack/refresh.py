"""Keep a live message (a vote's tally, who's here, seats left) in step with the database
without updating it more often than Slack allows.

Each message gets at most one `chat.update` per interval; requests that arrive in
between collapse into one trailing update, rendered from the database at that moment,
so the last state always shows and no click is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

log = logging.getLogger(__name__)

# chat.update is Tier 3 (~50 a minute per workspace): one message at most every 1.5 s.
DEFAULT_INTERVAL = 1.5


@dataclass
class _Slot:
    update: Callable[[], None] | None = None
    scheduled: bool = False
    running: bool = False
    last: float = float("-inf")


class Refresher:
    def __init__(self, interval: float = DEFAULT_INTERVAL) -> None:
        self.interval = interval
        self._slots: dict[Hashable, _Slot] = {}
        self._lock = threading.Condition()

    def request(self, key: Hashable, update: Callable[[], None]) -> None:
        with self._lock:
            slot = self._slots.setdefault(key, _Slot())
            slot.update = update
            if slot.scheduled:
                return
            slot.scheduled = True
            if slot.running:
                return  # _run goes again once the update in flight is out
            delay = max(0.0, slot.last + self.interval - time.monotonic())
        self._arm(key, delay)

    def _arm(self, key: Hashable, delay: float) -> None:
        timer = threading.Timer(delay, self._run, args=(key,))
        timer.daemon = True
        timer.start()

    def _run(self, key: Hashable) -> None:
        with self._lock:
            slot = self._slots[key]
            slot.scheduled = False
            slot.running = True
            update, slot.update = slot.update, None
        try:
            if update is not None:
                update()
        except Exception:
            log.exception("could not refresh message %s", key)
        finally:
            with self._lock:
                # Counted from when the update went out, so that reading and rendering the
                # next one cannot bring two chat.update calls closer than the interval.
                slot.last = time.monotonic()
                slot.running = False
                again = slot.scheduled
                self._lock.notify_all()
            if again:
                self._arm(key, self.interval)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every requested update has gone out (for shutdown and tests)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while any(s.scheduled or s.running for s in self._slots.values()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, 0.05))
        return True
