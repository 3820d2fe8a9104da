"""Each workspace's rate budget with Slack: calls paced per method, paused on a 429.

Slack limits calls per method, per app, per workspace (docs.slack.dev/apis/web-api/rate-limits):
Tier 2 about 20 a minute, Tier 3 about 50, Tier 4 about 100; chat.postMessage about one a
second per channel, plus a workspace-wide limit Slack does not publish, which each process
learns from the 429s it gets (`_Learned`). Work done for a workspace (`acting_for`) waits
for its turn in that workspace's buckets, the most urgent caller first (`urgency`); when
Slack answers 429 anyway, the bucket pauses for Retry-After, so every thread sending for
that workspace waits it out rather than hammering Slack — and other workspaces carry on.

Requests from people (no workspace named) are not paced: they are one call each, and a
429 there is waited out by the caller alone.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
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
# Learning the workspace-wide chat.postMessage limit (see `_Learned`), in Slack-seconds:
LEARN_WINDOW = 3.0  # what went through over this long is the rate Slack allowed
BACKOFF = 0.1  # after a 429, pace this much under it
PROBE = 0.1  # then creep back up by this many calls a second, each second
MIN_RATE = 0.5  # never slower than this, whatever a burst of 429s suggests

_urgency: ContextVar[float] = ContextVar("p2p_budget_urgency", default=math.inf)


@contextmanager
def urgency(useful_until: datetime | None) -> Iterator[None]:
    """Calls made inside wait ahead of others for the same workspace when their work stops
    being useful sooner: a channel's prompt due now does not queue behind DMs good for days."""
    reset = _urgency.set(useful_until.timestamp() if useful_until else math.inf)
    try:
        yield
    finally:
        _urgency.reset(reset)


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
            elapsed = max(0.0, now - self.updated)
            self.tokens = min(self.capacity, self.tokens + elapsed * self.per_second)
        self.updated = now
        if now < self.paused_until:
            return self.paused_until - now
        if self.per_second == 0 or self.tokens >= 1 - 1e-9:  # (float rounding)
            return 0.0
        return (1 - self.tokens) / self.per_second

    def take(self) -> None:
        if self.per_second > 0:
            self.tokens -= 1


class _Learned(_Bucket):
    """A limit Slack does not publish (chat.postMessage per workspace), learned from its 429s.

    Unpaced until the first 429. Then, additive increase, multiplicative decrease (as TCP
    does): the first 429 sets the pace a little under what went through over the last few
    seconds, a later one lowers it by a tenth; every call that goes raises it a little, so
    the pace creeps back up to the limit, overshoots it, and is told again. Pausing only
    (the old way) wastes the rest of each whole second of Retry-After; pacing keeps the
    workspace at its limit. Each process learns alone, so two replicas sharing a workspace
    settle on a share each."""

    def __init__(self, now: float, scale: float) -> None:
        super().__init__(capacity=1.0, per_second=0.0, tokens=1.0, updated=now)
        self.scale = scale
        self.sent: deque[float] = deque()  # when each recent call went
        self.learned_at = -math.inf

    def take(self) -> None:
        super().take()
        self.sent.append(self.updated)
        self._forget(self.updated)
        if self.per_second > 0:
            # +PROBE calls/s for each Slack-second spent sending at this pace.
            slack_rate = self.per_second / self.scale
            self._set(slack_rate + PROBE / slack_rate)

    def refused(self, now: float, seconds: float) -> None:
        """Slack said 429: the call counted as sent did not go; pace under what did."""
        if self.sent:
            self.sent.pop()
        window = self._forget(now)
        # Calls in flight, and the catch-up right after a pause, come back 429 too: one
        # lesson per window, or each of them would cut the pace again (down to a crawl).
        if now >= self.learned_at + window and self.sent:
            self.learned_at = now
            if self.per_second > 0:
                slack_rate = self.per_second / self.scale * (1 - BACKOFF)
            else:  # the first lesson: what went through (burst included) is about the limit
                slack_rate = len(self.sent) / LEARN_WINDOW * (1 - BACKOFF)
            self._set(max(MIN_RATE, slack_rate))
            self.tokens = 0.0
        self.paused_until = max(self.paused_until, now + seconds)

    def _forget(self, now: float) -> float:
        """Drop calls older than the learning window; its length in seconds."""
        window = LEARN_WINDOW / self.scale
        while self.sent and self.sent[0] < now - window:
            self.sent.popleft()
        return window

    def _set(self, slack_rate: float) -> None:
        self.per_second = slack_rate * self.scale
        # Calls owed for a pause are made up after it (Slack's own bucket filled meanwhile),
        # up to one Slack-second's worth.
        self.capacity = max(1.0, slack_rate)


@dataclass(order=True)
class Turn:
    """A caller's place in a workspace's line for one method: the most urgent first, then
    the earliest to arrive."""

    urgency: float
    arrival: int
    team: str = field(compare=False)
    method: str = field(compare=False)
    channel: str | None = field(compare=False)


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
        self._lines: dict[tuple[str, str], list[Turn]] = {}
        self._arrivals = itertools.count()

    def wait_turn(self, team: str | None, method: str, channel: str | None) -> None:
        """Block until `method` may be called for `team` (at once when no team is named).
        Callers waiting for the same workspace and method go most urgent first (see
        `urgency`), then in the order they came."""
        if team is None:
            return
        turn = self.line_up(team, method, channel, urgency=_urgency.get())
        try:
            while (wait := self.try_go(turn)) > 0:
                self._sleep(wait)
        finally:
            self.leave(turn)

    def line_up(
        self, team: str, method: str, channel: str | None, *, urgency: float = math.inf
    ) -> Turn:
        with self._lock:
            turn = Turn(urgency, next(self._arrivals), team, method, channel)
            self._lines.setdefault((team, method), []).append(turn)
            return turn

    def try_go(self, turn: Turn) -> float:
        """0 if `turn` may call now (its place in line is then spent), else the seconds to
        wait before asking again."""
        with self._lock:
            now = self._clock()
            buckets = self._buckets_for(turn.team, turn.method, turn.channel, now)
            longest = max(bucket.wait(now) for bucket in buckets)
            if longest > 0:
                return longest
            line = self._lines[(turn.team, turn.method)]
            if any(other < turn and self._could_go(other, now) for other in line):
                # Someone more urgent is ready too (and about to wake): leave it the token.
                method_wide = buckets[0]
                return (1 / method_wide.per_second if method_wide.per_second else 0.01) / 4
            for bucket in buckets:
                bucket.take()
            line.remove(turn)
            return 0.0

    def leave(self, turn: Turn) -> None:
        with self._lock:
            line = self._lines.get((turn.team, turn.method), [])
            if turn in line:
                line.remove(turn)

    def pause(self, team: str | None, method: str, seconds: float) -> None:
        """Slack said 429 with Retry-After `seconds`: nobody calls `method` for `team` until then."""
        if team is None:
            self._sleep(seconds)
            return
        with self._lock:
            now = self._clock()
            bucket = self._buckets_for(team, method, None, now)[0]  # the workspace's
            if isinstance(bucket, _Learned):
                bucket.refused(now, seconds)
            else:
                bucket.paused_until = max(bucket.paused_until, now + seconds)

    def pace(self, team: str, method: str) -> float:
        """Calls a Slack-second `method` is paced at for `team` (0: not paced)."""
        with self._lock:
            bucket = self._buckets_for(team, method, None, self._clock())[0]
            return bucket.per_second / self.scale

    def _could_go(self, turn: Turn, now: float) -> bool:
        return all(
            b.wait(now) <= 0 for b in self._buckets_for(turn.team, turn.method, turn.channel, now)
        )

    def _buckets_for(
        self, team: str, method: str, channel: str | None, now: float
    ) -> list[_Bucket]:
        if method == POST_MESSAGE:
            workspace = self._buckets.get((team, method))
            if workspace is None:
                workspace = self._buckets[(team, method)] = _Learned(now, self.scale)
            buckets = [workspace]
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
