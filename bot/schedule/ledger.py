"""The deliveries ledger: a post is claimed by its unique key before it is sent.

Claiming is an INSERT that does nothing when the key exists, so two processes ticking at
the same moment cannot both win. On PostgreSQL a key another replica is claiming right now
is passed over rather than waited for (a transaction-scoped advisory lock on the key). A claim whose send was never confirmed (the process
died in between) can be taken over once its lease runs out; the new owner first looks
for the post in Slack, so a post that did go out is not sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, text, update
from sqlalchemy.orm import Session

from bot.schedule.due import Due, Kind
from bot.store.inserts import insert_if_absent
from bot.store.models import Delivery, DeliveryState
from bot.store.types import utcnow

LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Claim:
    due: Due
    recovering_since: datetime | None = None  # set when taking over an unconfirmed claim


@dataclass(frozen=True)
class Sent:
    channel_id: str | None
    ts: str | None


def settled_keys(session: Session, group_ids: list[int]) -> set[str]:
    """Keys not to pick up: everything in the ledger but claims whose lease ran out."""
    expired = utcnow() - LEASE
    if not group_ids:
        return set()
    rows = session.execute(
        select(Delivery.key, Delivery.state, Delivery.claimed_at).where(
            Delivery.group_id.in_(group_ids)
        )
    )
    return {
        key
        for key, state, claimed_at in rows
        if state is not DeliveryState.CLAIMED or claimed_at > expired
    }


def unconfirmed(session: Session) -> list[Due]:
    """Claims whose lease ran out without a confirmation: to be looked for, then finished."""
    rows = session.scalars(
        select(Delivery).where(
            Delivery.state == DeliveryState.CLAIMED, Delivery.claimed_at <= utcnow() - LEASE
        )
    )
    return [
        Due(
            key=row.key,
            kind=Kind(row.kind),
            group_id=row.group_id or 0,
            due_at=row.due_at,
            week=row.week,
            user_id=row.user_id,
            ref_id=row.ref_id,
        )
        for row in rows
    ]


def sent_at_ts(session: Session, *, channel_id: str, ts: str) -> Delivery | None:
    """The delivery that posted message `ts` in `channel_id` (e.g. the DM someone replied to)."""
    return session.scalars(
        select(Delivery).where(Delivery.channel_id == channel_id, Delivery.ts == ts)
    ).first()


def _row(due: Due) -> dict[str, object]:
    return {
        "key": due.key,
        "group_id": due.group_id,
        "kind": due.kind.value,
        "week": due.week,
        "user_id": due.user_id,
        "ref_id": due.ref_id,
        "due_at": due.due_at,
    }


def claim(session: Session, due: Due, *, worker: str) -> Claim | None:
    """Leases run on the wall clock, whatever instant the tick is about (`p2p-bot tick
    --at` in the past must not make a claim look abandoned to a running bot)."""
    now = utcnow()
    if not _nobody_else_claiming(session, due.key):
        return None
    values = {
        **_row(due),
        "state": DeliveryState.CLAIMED,
        "claimed_at": now,
        "claimed_by": worker,
        "attempts": 1,
    }
    if _insert_if_absent(session, values):
        return Claim(due)
    previous = session.scalars(select(Delivery).where(Delivery.key == due.key)).one()
    if previous.state is not DeliveryState.CLAIMED or previous.claimed_at > now - LEASE:
        return None
    taken = session.execute(
        update(Delivery)
        .where(
            Delivery.key == due.key,
            Delivery.state == DeliveryState.CLAIMED,
            Delivery.claimed_at == previous.claimed_at,
        )
        .values(claimed_at=now, claimed_by=worker, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], taken).rowcount != 1:
        return None
    return Claim(due, recovering_since=previous.claimed_at)


CLAIM_LOCKS = 9  # the advisory lock space of claims (the two-key form; see migrate.py's)


def _nobody_else_claiming(session: Session, key: str) -> bool:
    """PostgreSQL: False if another transaction holds this key's claim lock (it is
    claiming it now). Passed over, the item is found again by a later look if need be."""
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: writers take turns anyway
    locked = text("SELECT pg_try_advisory_xact_lock(:space, hashtext(:key))")
    return bool(session.scalar(locked, {"space": CLAIM_LOCKS, "key": key}))


def confirm(session: Session, key: str, sent: Sent) -> None:
    now = utcnow()
    session.execute(
        update(Delivery)
        .where(Delivery.key == key)
        .values(state=DeliveryState.SENT, sent_at=now, channel_id=sent.channel_id, ts=sent.ts)
        .execution_options(synchronize_session=False)
    )


def fail(session: Session, key: str, error: str) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.key == key)
        .values(state=DeliveryState.FAILED, error=error)
        .execution_options(synchronize_session=False)
    )


def mark_stale(session: Session, due: Due, *, worker: str) -> bool:
    return _insert_if_absent(
        session,
        {
            **_row(due),
            "state": DeliveryState.STALE,
            "claimed_at": utcnow(),
            "claimed_by": worker,
            "attempts": 0,
        },
    )


def _insert_if_absent(session: Session, values: dict[str, object]) -> bool:
    return insert_if_absent(session, Delivery, values, unique=["key"])
