"""The weekly cycle: the kick-off, each week's session, who came."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.base import Base
from bot.store.types import utcnow

if TYPE_CHECKING:
    from bot.store.models.groups import Group


class Kickoff(Base):
    """One kick-off meeting; a group that did not align runs another round."""

    __tablename__ = "kickoffs"
    __table_args__ = (UniqueConstraint("group_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    scheduled_at: Mapped[datetime]
    scheduled_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))

    alignments: Mapped[list[Alignment]] = relationship(
        lazy="selectin", order_by="Alignment.id", cascade="all, delete-orphan"
    )

    @property
    def aligned(self) -> set[str]:
        return {a.user_id for a in self.alignments}


class Alignment(Base):
    __tablename__ = "alignments"
    __table_args__ = (UniqueConstraint("kickoff_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kickoff_id: Mapped[int] = mapped_column(ForeignKey("kickoffs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    aligned_at: Mapped[datetime] = mapped_column(default=utcnow)


class Week(Base):
    """Week N of a group's cycle: when its session is and what it is about.

    `revision` goes up each time the session is moved, so the prompt for the new time is
    a new post while everything already sent stays sent.
    """

    __tablename__ = "weeks"
    __table_args__ = (UniqueConstraint("group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    number: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    topic: Mapped[str | None] = mapped_column(String(300))
    revision: Mapped[int] = mapped_column(default=1)
    prompt_ts: Mapped[str | None] = mapped_column(String(32))
    attendance_ts: Mapped[str | None] = mapped_column(String(32))

    group: Mapped[Group] = relationship(back_populates="weeks_planned")


class Attendance(Base):
    """Whether a member was at week N's session: their own answer or the facilitator's."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("group_id", "week", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    week: Mapped[int]
    user_id: Mapped[str] = mapped_column(String(32))
    present: Mapped[bool]
    answered_by: Mapped[str] = mapped_column(String(32))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
