"""What the group studies next: proposals, the weekly vote, the material shared."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.base import Base
from bot.store.types import utcnow

URL_MAX = 2000  # the longest link kept as material


class Proposal(Base):
    """A sub-topic someone would like the group to study; the backlog."""

    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("group_id", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(2000))
    proposed_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    chosen_for_week: Mapped[int | None]


class Poll(Base):
    """The vote at the end of week N's session on week N+1's topic."""

    __tablename__ = "polls"
    __table_args__ = (UniqueConstraint("group_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    week: Mapped[int]
    closes_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(32))
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    tied: Mapped[bool] = mapped_column(default=False)

    options: Mapped[list[PollOption]] = relationship(
        lazy="selectin", order_by="PollOption.position", cascade="all, delete-orphan"
    )
    votes: Mapped[list[Vote]] = relationship(
        lazy="selectin", order_by="Vote.id", cascade="all, delete-orphan"
    )
    winner: Mapped[Proposal | None] = relationship(lazy="selectin")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PollOption(Base):
    __tablename__ = "poll_options"
    __table_args__ = (
        UniqueConstraint("poll_id", "position"),
        UniqueConstraint("poll_id", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    position: Mapped[int]

    proposal: Mapped[Proposal] = relationship(lazy="selectin")


class Vote(Base):
    """One member's current vote in a poll (moving it updates this row)."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Resource(Base):
    """A link a member shared in a week's thread."""

    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("group_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    week: Mapped[int | None]
    url: Mapped[str] = mapped_column(String(URL_MAX))
    shared_by: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
