"""Failures a test asks for (`fail`, `rate_limit`, `drop_after`, `slow`); Slack's own rate
limits are in ratelimits.py."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ArgsPredicate = Callable[[dict[str, Any]], bool]


@dataclass
class Injected:
    method: str
    times: int
    when: ArgsPredicate | None
    error: str = ""
    status: int = 200
    retry_after: int | None = None  # set for rate limits
    drop: bool = False  # act on the call, then drop the connection: the caller never knows

    def matches(self, method: str, args: dict[str, Any]) -> bool:
        return self.times > 0 and self.method == method and (self.when is None or self.when(args))


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._injected: list[Injected] = []
        self.latency: dict[str | None, float] = {}  # seconds per method; None: every method

    def add(self, injected: Injected) -> None:
        with self._lock:
            self._injected.append(injected)

    def clear(self) -> None:
        with self._lock:
            self._injected.clear()
            self.latency.clear()

    def delay(self, method: str) -> float:
        return self.latency.get(method, self.latency.get(None, 0.0))

    def take(self, method: str, args: dict[str, Any], *, rate_limits: bool) -> Injected | None:
        """The injected failure (or rate limit) this call meets, used up by one."""
        with self._lock:
            for injected in self._injected:
                if (injected.retry_after is not None) == rate_limits and injected.matches(
                    method, args
                ):
                    injected.times -= 1
                    return injected
        return None
