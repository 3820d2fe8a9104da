"""What members tell the group about their learning: weekly check-ins, catch-ups, the
retro at the end, and what the organisation keeps from a cycle."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, str_enum
from bot.store.types import utcnow


class CheckIn(Base):
    """A member's answer for week N, from the form or a reply to the check-in DM."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("group_id", "week", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    week: Mapped[int]
    user_id: Mapped[str] = mapped_column(String(32))
    learned: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[float | None]
    went_well: Mapped[str] = mapped_column(Text, default="")
    went_badly: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[int | None]  # 1-5
    blockers: Mapped[str] = mapped_column(Text, default="")
    replies: Mapped[str] = mapped_column(Text, default="")  # answers typed in the DM
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CatchUp(Base):
    """A member who missed week N's session, and whether they caught up."""

    __tablename__ = "catchups"
    __table_args__ = (UniqueConstraint("group_id", "week", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    week: Mapped[int]
    user_id: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    caught_up_at: Mapped[datetime | None]


class RetroReply(Base):
    """A message posted in the group's retro thread."""

    __tablename__ = "retro_replies"
    __table_args__ = (UniqueConstraint("group_id", "message_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    message_ts: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LearnedGoal(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class Feedback(Base):
    """A member's end-of-cycle feedback (editable until the summary is posted)."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    rating: Mapped[int]  # 1-5
    learned_goal: Mapped[LearnedGoal] = mapped_column(str_enum(LearnedGoal))
    join_again: Mapped[bool]
    facilitate: Mapped[bool]
    topics_wanted: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ambassador(Base):
    """Someone in the workspace who would facilitate a group next."""

    __tablename__ = "ambassadors"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    since: Mapped[datetime] = mapped_column(default=utcnow)


class TopicRequest(Base):
    """A topic someone would like a future group on."""

    __tablename__ = "topic_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
