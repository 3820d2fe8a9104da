"""Failures a test asks for (`fail`, `rate_limit`); Slack's own rate limits are in ratelimits.py."""

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

    def matches(self, method: str, args: dict[str, Any]) -> bool:
        return self.times > 0 and self.method == method and (self.when is None or self.when(args))


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._injected: list[Injected] = []

    def add(self, injected: Injected) -> None:
        with self._lock:
            self._injected.append(injected)

    def clear(self) -> None:
        with self._lock:
            self._injected.clear()

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
