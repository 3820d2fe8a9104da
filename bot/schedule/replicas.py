"""Which replica sends for which workspace.

Slack's limits are per workspace, and a replica learns a workspace's pace from the 429s it
gets itself (`bot.slack.ratelimit`). Two replicas sending for one workspace would each
learn a share of it and overshoot twice as often, so a workspace's posts go from one
replica at a time: of the replicas alive, the one that ranks highest for it (rendezvous
hashing). Workspaces spread evenly over replicas, and when one comes or goes only its
share of the workspaces moves.

A replica is alive while it keeps saying so (`here`, on each look for due work). While the
set changes, two replicas may briefly both send for a workspace (each post is still
claimed once) or neither may (until the next look).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.store.inserts import insert_if_absent
from bot.store.models import Replica

ALIVE_FOR = timedelta(minutes=1)  # four heartbeats missed (see heartbeat.py): gone
FORGET_AFTER = timedelta(days=1)


def here(session: Session, name: str, now: datetime) -> None:
    """`name` is alive at `now`."""
    seen = session.execute(update(Replica).where(Replica.name == name).values(seen_at=now))
    if seen.rowcount:  # type: ignore[attr-defined]
        return
    # A replica starting: forget those long gone while at it.
    session.execute(delete(Replica).where(Replica.seen_at < now - FORGET_AFTER))
    if not insert_if_absent(session, Replica, {"name": name, "seen_at": now}, unique=["name"]):
        session.execute(update(Replica).where(Replica.name == name).values(seen_at=now))


def leave(session: Session, name: str) -> None:
    """`name` stops (a deploy, a scale-down): the others take its workspaces at their next
    look instead of a minute later."""
    session.execute(delete(Replica).where(Replica.name == name))


def alive(session: Session, now: datetime) -> list[str]:
    return list(session.scalars(select(Replica.name).where(Replica.seen_at >= now - ALIVE_FOR)))


def sender_of(team: str, replicas: Iterable[str]) -> str:
    """The replica that sends for workspace `team`."""
    return max(replicas, key=lambda name: (_weight(name, team), name))


def _weight(name: str, team: str) -> bytes:
    return hashlib.blake2b(f"{name}|{team}".encode(), digest_size=8).digest()


def mine(name: str, replicas: Iterable[str]) -> Callable[[str], bool]:
    """Whether `name` sends for a workspace, given the replicas alive (itself among them)."""
    everyone = frozenset(replicas) | {name}
    if everyone == {name}:
        return lambda team: True
    known: dict[str, bool] = {}

    def sends_for(team: str) -> bool:
        if team not in known:
            known[team] = sender_of(team, everyone) == name
        return known[team]

    return sends_for
