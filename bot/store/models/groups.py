"""A group and the people in it."""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.base import Base, str_enum
from bot.store.types import utcnow

if TYPE_CHECKING:
    from bot.store.models.cycle import Week


class GroupFormat(enum.StrEnum):
    STUDY_AND_PRESENT = "study_present"
    WEEKLY_PROBLEM = "weekly_problem"
    COURSE = "course"
    SIDE_PROJECT = "side_project"
    WRITING = "writing"


class GroupState(enum.StrEnum):
    RECRUITING = "recruiting"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    STALLED = "stalled"
    CANCELLED = "cancelled"


class StallReason(enum.StrEnum):
    """Why groups stop, as Booking.com found them: always one of the first three."""

    STRUCTURE = "structure"
    TIME = "time"
    EXPECTATIONS = "expectations"
    OTHER = "other"


class MemberStatus(enum.StrEnum):
    MEMBER = "member"
    WAITLISTED = "waitlisted"
    LEFT = "left"


# Ended groups (completed, stalled, cancelled) step aside: a channel holds one live group.
LIVE_STATES = "state IN ('recruiting', 'running', 'paused')"


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (
        Index(
            "uq_groups_one_live_per_channel",
            "team_id",
            "channel_id",
            unique=True,
            postgresql_where=text(LIVE_STATES),
            sqlite_where=text(LIVE_STATES),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    # Set when the app was installed org-wide (Enterprise Grid): that installation serves it.
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    topic: Mapped[str] = mapped_column(String(150))
    why: Mapped[str] = mapped_column(Text, default="")
    # Where the group meets: a call link or a room.
    place: Mapped[str | None] = mapped_column(String(300))
    # Recruiting in a private channel: not listed among App Home's open groups.
    private_channel: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    format: Mapped[GroupFormat] = mapped_column(str_enum(GroupFormat))
    weekday: Mapped[int]  # 0 = Monday, as in datetime.weekday()
    session_time: Mapped[time]
    session_minutes: Mapped[int] = mapped_column(default=60)
    timezone: Mapped[str] = mapped_column(String(64))
    weeks: Mapped[int] = mapped_column(default=6)
    seats: Mapped[int] = mapped_column(default=6)
    min_members: Mapped[int] = mapped_column(default=4)
    facilitator_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[GroupState] = mapped_column(
        str_enum(GroupState), default=GroupState.RECRUITING, index=True
    )
    recruitment_ts: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # The weekly cycle
    cycle_started_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    prompt_lead_hours: Mapped[int] = mapped_column(default=24, server_default=text("24"))
    # The topic vote closes this many hours before the next week's prompt.
    vote_close_hours: Mapped[int] = mapped_column(default=24, server_default=text("24"))
    # Check-ins and the end of the cycle
    share_checkins: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    checkin_delay_days: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    retro_ts: Mapped[str | None] = mapped_column(String(32))
    stall_reason: Mapped[StallReason | None] = mapped_column(str_enum(StallReason))
    stall_note: Mapped[str | None] = mapped_column(Text)
    # The scheduler's index: the earliest moment the group owes something not yet sent
    # (bot/schedule/index.py keeps it); None when it owes nothing.
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    # The app was uninstalled from the group's workspace (or its token revoked): the group
    # owes nothing until a reinstall clears this.
    uninstalled_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group",
        lazy="selectin",
        order_by="Membership.id",
        cascade="all, delete-orphan",
    )
    weeks_planned: Mapped[list[Week]] = relationship(
        back_populates="group",
        lazy="selectin",
        order_by="Week.number",
        cascade="all, delete-orphan",
    )

    @property
    def members(self) -> list[Membership]:
        """Members in the order they joined; the facilitator first."""
        current = [m for m in self.memberships if m.status is MemberStatus.MEMBER]
        current.sort(key=lambda m: (m.user_id != self.facilitator_id, m.joined_at, m.id))
        return current

    @property
    def waitlist(self) -> list[Membership]:
        queued = [m for m in self.memberships if m.status is MemberStatus.WAITLISTED]
        queued.sort(key=lambda m: (m.queued_at, m.id))
        return queued

    @property
    def seats_left(self) -> int:
        return max(self.seats - len(self.members), 0)

    @property
    def is_ended(self) -> bool:
        return self.state in {GroupState.COMPLETED, GroupState.STALLED, GroupState.CANCELLED}

    def membership(self, user_id: str) -> Membership | None:
        return next((m for m in self.memberships if m.user_id == user_id), None)

    def is_member(self, user_id: str) -> bool:
        membership = self.membership(user_id)
        return membership is not None and membership.status is MemberStatus.MEMBER

    def week(self, number: int) -> Week | None:
        return next((w for w in self.weeks_planned if w.number == number), None)


class Membership(Base):
    """A person's place in a group: member, on the waitlist, or gone."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[MemberStatus] = mapped_column(str_enum(MemberStatus))
    goal: Mapped[str] = mapped_column(Text, default="")
    minutes_per_week: Mapped[int] = mapped_column(default=60)
    joined_at: Mapped[datetime | None]
    queued_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    timezone: Mapped[str | None] = mapped_column(String(64))  # from Slack, for DMs at local hours

    group: Mapped[Group] = relationship(back_populates="memberships")
