"""Failures a test asks for (`fail`, `rate_limit`, `drop_after`, `slow`) and Slack's own
rate limits (optional)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ArgsPredicate = Callable[[dict[str, Any]], bool]

# Requests per minute by tier (docs.slack.dev/apis/web-api/rate-limits); method tiers from
# java-slack-sdk MethodsRateLimits.java, as listed in SLACK-FACTS.md.
TIER_PER_MINUTE = {2: 20, 3: 50, 4: 100}
METHOD_TIERS = {
    "auth.test": 4,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.getPermalink": 4,
    "chat.postEphemeral": 4,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.join": 3,
    "conversations.members": 4,
    "conversations.open": 3,
    "conversations.replies": 3,
    "reactions.add": 3,
    "reactions.remove": 3,
    "users.info": 4,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
# chat.postMessage: about one message per second per channel, short bursts allowed.
POST_MESSAGE_PER_SECOND = 1.0
POST_MESSAGE_BURST = 3


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


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float = field(default_factory=time.monotonic)

    def take(self) -> float:
        """Take a token; 0 if there was one, else the seconds until there is."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


class Faults:
    def __init__(self, *, enforce_rate_limits: bool) -> None:
        self._lock = threading.Lock()
        self._injected: list[Injected] = []
        self._buckets: dict[str, Bucket] = {}
        self.enforce_rate_limits = enforce_rate_limits
        self.latency: dict[str | None, float] = {}  # seconds per method; None: every method

    def add(self, injected: Injected) -> None:
        with self._lock:
            self._injected.append(injected)

    def clear(self) -> None:
        with self._lock:
            self._injected.clear()
            self._buckets.clear()
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

    def over_limit(self, method: str, args: dict[str, Any]) -> int | None:
        """Seconds to wait if this call exceeds Slack's rate limit, else None."""
        if not self.enforce_rate_limits:
            return None
        if method == "chat.postMessage":
            key = f"chat.postMessage:{args.get('channel')}"
            capacity, per_second = float(POST_MESSAGE_BURST), POST_MESSAGE_PER_SECOND
        elif method in METHOD_TIERS:
            key = method
            per_minute = TIER_PER_MINUTE[METHOD_TIERS[method]]
            capacity, per_second = float(per_minute), per_minute / 60
        else:
            return None
        with self._lock:
            bucket = self._buckets.setdefault(key, Bucket(capacity, per_second, capacity))
            wait = bucket.take()
        return math.ceil(wait) if wait else None
