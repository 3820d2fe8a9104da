"""Slack's rate limits, enforced as Slack enforces them (docs.slack.dev/apis/web-api/rate-limits):
per workspace, per method at its tier; chat.postMessage about one message a second per
channel with short bursts, and a workspace-wide cap; past them, HTTP 429 with Retry-After
in whole seconds.

Slack does not publish the workspace-wide chat.postMessage cap. The fake takes 4 a second:
a tool that sent 1,600 DMs saw them take about 7 minutes (bolt-js #1882).

`scale` runs Slack's clock faster, for benchmarks: every rate is `scale` times higher and
every Retry-After (still whole seconds of Slack's time) `scale` times shorter.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# Requests per minute by tier; method tiers from java-slack-sdk MethodsRateLimits.java, as
# listed in SLACK-FACTS.md.
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
POST_MESSAGE_PER_SECOND = 1.0  # per channel
POST_MESSAGE_BURST = 3
POST_MESSAGE_PER_WORKSPACE_PER_SECOND = 4.0
POST_MESSAGE_WORKSPACE_BURST = 10


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float = field(default_factory=time.monotonic)

    def wait(self, now: float) -> float:
        """0 if a token is there, else the seconds until there is one."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second


class RateLimits:
    def __init__(self, default_team: str, *, scale: float = 1.0) -> None:
        self.default_team = default_team
        self.scale = scale
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], Bucket] = {}
        self._team_of: dict[str, str] = {}

    def assign(self, team: str, *places: str) -> None:
        """Channels and people that belong to workspace `team` (others: the default one)."""
        with self._lock:
            self._team_of.update(dict.fromkeys(places, team))

    def team_of(self, args: dict[str, Any]) -> str:
        for name in ("channel", "user", "users"):
            place = args.get(name)
            if isinstance(place, str) and place in self._team_of:
                return self._team_of[place]
        return self.default_team

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def over(self, method: str, args: dict[str, Any]) -> str | None:
        """The Retry-After header for a call past the limit, else None (and counted)."""
        team = self.team_of(args)
        if method == "chat.postMessage":
            shapes = [
                (
                    (team, method),
                    POST_MESSAGE_WORKSPACE_BURST,
                    POST_MESSAGE_PER_WORKSPACE_PER_SECOND,
                ),
                (
                    (team, method, str(args.get("channel"))),
                    POST_MESSAGE_BURST,
                    POST_MESSAGE_PER_SECOND,
                ),
            ]
        elif method in METHOD_TIERS:
            per_minute = TIER_PER_MINUTE[METHOD_TIERS[method]]
            shapes = [((team, method), per_minute, per_minute / 60)]
        else:
            return None
        with self._lock:
            now = time.monotonic()
            buckets = [
                self._buckets.setdefault(key, Bucket(burst, rate * self.scale, burst, now))
                for key, burst, rate in shapes
            ]
            wait = max(bucket.wait(now) for bucket in buckets)
            if wait == 0:
                for bucket in buckets:
                    bucket.tokens -= 1
                return None
        slack_seconds = math.ceil(wait * self.scale)
        return f"{slack_seconds / self.scale:g}" if self.scale != 1 else str(slack_seconds)
