"""The deliveries ledger: a post is claimed by its unique key before it is sent.

Claiming is an INSERT that does nothing when the key exists, so two processes ticking at
the same moment cannot both win. On PostgreSQL a key another replica is claiming right now
is passed over rather than waited for (a transaction-scoped advisory lock on the key). A
claim whose send was never confirmed (the process died in between) can be taken over once its lease runs out; the new owner first looks
for the post in Slack, so a post that did go out is not sent again.

A failed attempt is tried again after a backoff that doubles each time, up to
MAX_ATTEMPTS; then, or once the item is no longer useful, it is given up (FAILED, with
the reason), so nothing is retried for ever or sent when it is too late to matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    delete,
    func,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from bot.schedule.due import Due, Kind
from bot.store.inserts import insert_if_absent
from bot.store.models import Delivery, DeliveryState
from bot.store.types import utcnow

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, 8, 16 minutes..."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


@dataclass(frozen=True)
class Claim:
    due: Due
    recovering_since: datetime | None = None  # set when taking over an unconfirmed claim


@dataclass(frozen=True)
class Sent:
    channel_id: str | None
    ts: str | None


def _takeable(now: datetime) -> ColumnElement[bool]:
    """An unfinished claim whose lease (or backoff) is over."""
    return and_(
        Delivery.state == DeliveryState.CLAIMED,
        or_(
            Delivery.retry_at <= now,
            and_(Delivery.retry_at.is_(None), Delivery.claimed_at <= now - LEASE),
        ),
    )


def settled_keys(session: Session, group_ids: list[int]) -> set[str]:
    """Keys not to pick up: everything in the ledger but claims that may be taken over."""
    if not group_ids:
        return set()
    rows = session.execute(
        select(Delivery.key).where(Delivery.group_id.in_(group_ids), not_(_takeable(utcnow())))
    )
    return set(rows.scalars())


def unconfirmed(session: Session) -> list[Due]:
    """Claims to be finished: their lease ran out without a confirmation, or a failed
    attempt's backoff is over. Each is looked for in Slack before it is sent."""
    rows = session.scalars(select(Delivery).where(_takeable(utcnow())))
    return [
        Due(
            key=row.key,
            kind=Kind(row.kind),
            group_id=row.group_id or 0,
            due_at=row.due_at,
            useful_until=row.useful_until,
            week=row.week,
            user_id=row.user_id,
            ref_id=row.ref_id,
        )
        for row in rows
    ]


def given_up(session: Session, group_ids: list[int] | None = None) -> list[Delivery]:
    """What the scheduler gave up on, with why (`error`): for the operator."""
    query = select(Delivery).where(Delivery.state == DeliveryState.FAILED)
    if group_ids is not None:
        query = query.where(Delivery.group_id.in_(group_ids))
    return list(session.scalars(query.order_by(Delivery.due_at, Delivery.key)))


def state_of(session: Session, key: str) -> DeliveryState | None:
    return session.scalar(select(Delivery.state).where(Delivery.key == key))


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
        "useful_until": due.useful_until,
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
        "retry_at": now + LEASE,
    }
    if _insert_if_absent(session, values):
        return Claim(due)
    previous = session.scalars(select(Delivery).where(Delivery.key == due.key)).one()
    free_from = previous.retry_at or previous.claimed_at + LEASE
    if previous.state is not DeliveryState.CLAIMED or free_from > now:
        return None
    taken = session.execute(
        update(Delivery)
        .where(
            Delivery.key == due.key,
            Delivery.state == DeliveryState.CLAIMED,
            Delivery.claimed_at == previous.claimed_at,
        )
        .values(
            claimed_at=now,
            claimed_by=worker,
            attempts=Delivery.attempts + 1,
            retry_at=now + LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], taken).rowcount != 1:
        return None
    # Any attempt since the item fell due may have posted it: look from then on.
    return Claim(due, recovering_since=min(previous.claimed_at, due.due_at))


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
        .values(
            state=DeliveryState.SENT,
            sent_at=now,
            channel_id=sent.channel_id,
            ts=sent.ts,
            retry_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def fail(session: Session, key: str, error: str) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.key == key)
        .values(state=DeliveryState.FAILED, error=error, retry_at=None)
        .execution_options(synchronize_session=False)
    )


def retry_later(session: Session, key: str, error: str) -> str | None:
    """After a failed attempt: try again after the backoff; or, past MAX_ATTEMPTS or past
    the item's usefulness, give up. Returns the reason when it gave up."""
    now = utcnow()
    row = session.scalars(select(Delivery).where(Delivery.key == key)).one()
    if row.state is not DeliveryState.CLAIMED:
        return None
    if row.attempts >= MAX_ATTEMPTS:
        reason = f"gave up after {row.attempts} attempts: {error}"
    elif row.useful_until is not None and now + backoff(row.attempts) > row.useful_until:
        reason = f"no longer useful after {row.attempts} attempts: {error}"
    else:
        row.error = error
        row.retry_at = now + backoff(row.attempts)
        return None
    fail(session, key, reason)
    return reason


def not_ready(session: Session, claim: Claim) -> None:
    """The item cannot be built yet (what it depends on is still being sent): it was not
    due after all. A first claim is withdrawn; a later one is released for the next tick
    without counting as an attempt."""
    key = claim.due.key
    if claim.recovering_since is None:
        session.execute(
            delete(Delivery).where(Delivery.key == key, Delivery.state == DeliveryState.CLAIMED)
        )
        return
    session.execute(
        update(Delivery)
        .where(Delivery.key == key, Delivery.state == DeliveryState.CLAIMED)
        .values(attempts=Delivery.attempts - 1, retry_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def settle_stale(session: Session, due: Due, *, worker: str) -> DeliveryState | None:
    """An item past its usefulness: STALE if nobody had tried it (the bot was down), FAILED
    if an unfinished claim was still being retried. None if it was settled already."""
    if mark_stale(session, due, worker=worker):
        return DeliveryState.STALE
    now = utcnow()
    given_up = session.execute(
        update(Delivery)
        .where(Delivery.key == due.key, _takeable(now))
        .values(
            state=DeliveryState.FAILED,
            error=func.coalesce(Delivery.error, "unfinished") + " — no longer useful, not retried",
            retry_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], given_up).rowcount == 1:
        return DeliveryState.FAILED
    return None


def record_refused(session: Session, due: Due, *, part: str, error: str, worker: str) -> None:
    """One person's part of an item Slack refused for good (e.g. a deactivated member's
    catch-up DM): kept as its own FAILED row, so it is seen and not retried."""
    _insert_if_absent(
        session,
        {
            **_row(due),
            "key": f"{due.key}:{part}",
            "user_id": part,
            "state": DeliveryState.FAILED,
            "claimed_at": utcnow(),
            "claimed_by": worker,
            "attempts": 1,
            "error": error,
        },
    )


def refused_parts(session: Session, due: Due) -> set[str]:
    rows = session.scalars(
        select(Delivery.user_id).where(
            Delivery.key.startswith(f"{due.key}:"), Delivery.state == DeliveryState.FAILED
        )
    )
    return {user for user in rows if user}


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
