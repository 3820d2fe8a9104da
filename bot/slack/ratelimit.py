"""Each workspace's rate budget with Slack: calls paced per method, paused on a 429.

Slack limits calls per method, per app, per workspace (docs.slack.dev/apis/web-api/rate-limits):
Tier 2 about 20 a minute, Tier 3 about 50, Tier 4 about 100; chat.postMessage about one a
second per channel, plus a workspace-wide limit Slack does not publish. Work done for a
workspace (`acting_for`) waits for its turn in that workspace's buckets; when Slack answers
429 anyway, the bucket pauses for Retry-After, so every thread sending for that workspace
waits it out rather than hammering Slack — and other workspaces carry on.

Requests from people (no workspace named) are not paced: they are one call each, and a
429 there is waited out by the caller alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from slack_sdk import WebClient

TIER_PER_MINUTE = {2: 20, 3: 50, 4: 100}
# Tiers from java-slack-sdk MethodsRateLimits.java (SLACK-FACTS.md); unknown methods: Tier 3.
METHOD_TIERS = {
    "chat.update": 3,
    "chat.delete": 3,
    "chat.getPermalink": 4,
    "chat.postEphemeral": 4,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.members": 4,
    "conversations.open": 3,
    "conversations.replies": 3,
    "reactions.add": 3,
    "users.info": 4,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
POST_MESSAGE = "chat.postMessage"
PER_CHANNEL_PER_SECOND = 1.0
PER_CHANNEL_BURST = 3.0
BURST_SECONDS = 10.0  # a tiered method may spend this many seconds' worth at once


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float
    paused_until: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until a call may go (0: now)."""
        if self.per_second > 0:
            elapsed = now - self.updated
            self.tokens = min(self.capacity, self.tokens + elapsed * self.per_second)
        self.updated = now
        if now < self.paused_until:
            return self.paused_until - now
        if self.per_second == 0 or self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.per_second

    def take(self) -> None:
        if self.per_second > 0:
            self.tokens -= 1


class Budgets:
    """`scale` > 1 runs Slack's clock faster (benchmarks against a sped-up fake)."""

    def __init__(
        self,
        *,
        scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.scale = scale
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], _Bucket] = {}

    def wait_turn(self, team: str | None, method: str, channel: str | None) -> None:
        """Block until `method` may be called for `team` (at once when no team is named)."""
        if team is None:
            return
        while True:
            with self._lock:
                now = self._clock()
                buckets = self._buckets_for(team, method, channel, now)
                longest = max(bucket.wait(now) for bucket in buckets)
                if longest <= 0:
                    for bucket in buckets:
                        bucket.take()
                    return
            self._sleep(longest)

    def pause(self, team: str | None, method: str, seconds: float) -> None:
        """Slack said 429 with Retry-After `seconds`: nobody calls `method` for `team` until then."""
        if team is None:
            self._sleep(seconds)
            return
        with self._lock:
            now = self._clock()
            bucket = self._buckets_for(team, method, None, now)[0]  # the workspace's
            bucket.paused_until = max(bucket.paused_until, now + seconds)

    def _buckets_for(
        self, team: str, method: str, channel: str | None, now: float
    ) -> list[_Bucket]:
        if method == POST_MESSAGE:
            # The workspace-wide limit is unpublished: that bucket only ever pauses.
            buckets = [self._bucket((team, method), 0.0, 0.0, now)]
            if channel:
                rate = PER_CHANNEL_PER_SECOND * self.scale
                buckets.append(self._bucket((team, method, channel), PER_CHANNEL_BURST, rate, now))
            return buckets
        per_second = TIER_PER_MINUTE[METHOD_TIERS.get(method, 3)] / 60 * self.scale
        burst = max(1.0, per_second * BURST_SECONDS / self.scale)
        return [self._bucket((team, method), burst, per_second, now)]

    def _bucket(
        self, key: tuple[str, ...], capacity: float, per_second: float, now: float
    ) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, per_second, capacity, now)
        return bucket


_BY_CLIENT: WeakKeyDictionary[WebClient, Budgets] = WeakKeyDictionary()
_BY_CLIENT_LOCK = threading.Lock()


def budgets_for(client: WebClient, *, scale: float = 1.0) -> Budgets:
    """The budgets of everything sent through `client` in this process (made on first use)."""
    with _BY_CLIENT_LOCK:
        budgets = _BY_CLIENT.get(client)
        if budgets is None:
            budgets = _BY_CLIENT[client] = Budgets(scale=scale)
        return budgets
