"""The work of one tick, waiting in one lane per workspace for a free hand.

- A free hand goes to the workspace with the fewest hands on it, and a workspace has at
  most `per_workspace`, so one stuck on Slack's rate limit (its hands waiting out its pace
  or a Retry-After) never holds up another's work.
- Within a workspace, the item that stops being useful soonest goes first (a prompt due
  now before check-in DMs that are good for two more days), then the oldest.
- A group's own items go one at a time in the order they fell due: the summary threads
  under the retro, the vote closes after it opened.
- Replicas rank items due at the same moment differently (`tiebreak`), so they spread
  over a fan-out instead of racing each other for the same claims.
"""

from __future__ import annotations

import heapq
import threading
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from bot.schedule.due import Due

_NEVER = datetime.max.replace(tzinfo=UTC)
Rank = tuple[datetime, datetime, int]


class Lanes:
    def __init__(self, *, per_workspace: int, tiebreak: str = "") -> None:
        self._per_workspace = per_workspace
        self._tiebreak = tiebreak.encode()
        self._cond = threading.Condition()
        self._seen: set[str] = set()
        self._waiting: dict[int, list[tuple[datetime, str, Due]]] = {}  # per group, by due_at
        self._team_of: dict[int, str] = {}
        self._ready: dict[str, list[tuple[Rank, int]]] = {}  # per team: groups free to go
        self._busy: set[int] = set()  # groups with an item in flight
        self._hands: Counter[str] = Counter()
        self._closed = False

    def put(self, team: str, item: Due) -> None:
        """Queue an item once, however often it is offered."""
        with self._cond:
            if item.key in self._seen:
                return
            self._seen.add(item.key)
            group = item.group_id
            self._team_of[group] = team
            heapq.heappush(self._waiting.setdefault(group, []), (item.due_at, item.key, item))
            if group not in self._busy:
                self._offer(group)
            self._cond.notify_all()

    def keep(self, sends_for: Callable[[str], bool]) -> None:
        """Drop what waits for workspaces this replica no longer sends for (another replica
        does now); what is in flight finishes. Dropped items may be put again later."""
        with self._cond:
            ours = {team: sends_for(team) for team in set(self._team_of.values())}
            for team in [team for team in self._ready if not ours.get(team, True)]:
                del self._ready[team]
            for group, waiting in self._waiting.items():
                if waiting and not ours[self._team_of[group]]:
                    self._seen.difference_update(key for _, key, _ in waiting)
                    waiting.clear()
            self._cond.notify_all()

    def take(self) -> Due | None:
        """The next item to send; waits for one; None once closed."""
        with self._cond:
            while True:
                team = self._next_team()
                if team is not None:
                    _, group = heapq.heappop(self._ready[team])
                    _, _, item = heapq.heappop(self._waiting[group])
                    self._busy.add(group)
                    self._hands[team] += 1
                    return item
                if self._closed:
                    return None
                self._cond.wait()

    def done(self, item: Due) -> bool:
        """Mark the item handled; True if its group has nothing left waiting."""
        with self._cond:
            group = item.group_id
            self._busy.discard(group)
            self._hands[self._team_of[group]] -= 1
            left = bool(self._waiting.get(group))
            if left:
                self._offer(group)
            self._cond.notify_all()
            return not left

    def groups(self) -> set[int]:
        """Groups with an item waiting or in flight."""
        with self._cond:
            return self._busy | {group for group, waiting in self._waiting.items() if waiting}

    def empty(self) -> bool:
        with self._cond:
            return not any(self._waiting.values())

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is waiting or in flight; False if `timeout` ran out first."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._busy and not any(self._waiting.values()), timeout
            )

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _offer(self, group: int) -> None:
        head = self._waiting[group][0][2]
        team = self._team_of[group]
        heapq.heappush(self._ready.setdefault(team, []), (self._rank(head), group))

    def _rank(self, item: Due) -> Rank:
        spread = zlib.crc32(self._tiebreak + item.key.encode())
        return (item.useful_until or _NEVER, item.due_at, spread)

    def _next_team(self) -> str | None:
        """The workspace with the fewest hands on it, then the most urgent: hands waiting
        out one workspace's pace or Retry-After leave the others theirs."""
        best: tuple[int, Rank, str] | None = None
        for team, ready in self._ready.items():
            hands = self._hands[team]
            if hands >= self._per_workspace:
                continue
            while ready and not self._is_current(ready[0]):
                heapq.heappop(ready)
            if ready and (best is None or (hands, ready[0][0]) < best[:2]):
                best = (hands, ready[0][0], team)
        return best[2] if best else None

    def _is_current(self, entry: tuple[Rank, int]) -> bool:
        """Offers go stale when the group is taken or a more urgent item joins it."""
        rank, group = entry
        waiting = self._waiting.get(group)
        if not waiting or group in self._busy:
            return False
        return self._rank(waiting[0][2]) == rank
