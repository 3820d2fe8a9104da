"""The scheduler's ledger: each post it owes, claimed once by a unique key."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, str_enum
from bot.store.types import utcnow


class DeliveryState(enum.StrEnum):
    CLAIMED = "claimed"  # a process is sending it, crashed while sending, or will retry
    SENT = "sent"
    STALE = "stale"  # its moment passed while the bot was down; skipped on purpose
    # Given up, with the reason in `error`: Slack refused it for good (bot removed, person
    # deactivated, a message Slack will never take), too many attempts failed, or it was
    # still failing when it stopped being useful.
    FAILED = "failed"


class Delivery(Base):
    __tablename__ = "deliveries"
    # Finds claims left unconfirmed without reading the whole ledger.
    __table_args__ = (Index("ix_deliveries_state_claimed_at", "state", "claimed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    week: Mapped[int | None]
    user_id: Mapped[str | None] = mapped_column(String(32))
    ref_id: Mapped[int | None]  # the kick-off, poll... it is about
    state: Mapped[DeliveryState] = mapped_column(str_enum(DeliveryState))
    due_at: Mapped[datetime]
    useful_until: Mapped[datetime | None]  # not sent after this, even by a retry
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=1)
    # An unfinished claim may be taken over from then on: the lease's end, or after a
    # failed attempt, the backoff's. None on rows from before retries were planned.
    retry_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)  # why the last attempt failed


class SlackEvent(Base):
    """An Events API delivery already acted on: Slack's retries of it change nothing."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
