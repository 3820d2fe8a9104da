"""The interest board: topics people want a group on, when they could meet, and the
groups the bot proposed from them."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, str_enum
from bot.store.types import utcnow


class InterestTopic(Base):
    """One topic on a workspace's board; spellings of the same topic share its `key`."""

    __tablename__ = "interest_topics"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(150))
    key: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Something changed (a want, a group posted, a proposal turned down): match it again.
    needs_match: Mapped[bool] = mapped_column(default=True, index=True)
    groups_formed: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class Want(Base):
    """A person wants a group on a topic and could meet at these hours (their own zone)."""

    __tablename__ = "wants"
    __table_args__ = (
        UniqueConstraint("topic_id", "user_id"),
        # Finds the few notices to say again without reading the board.
        Index(
            "ix_wants_notice_unsent",
            "id",
            postgresql_where=text("notice_unsent IS NOT NULL"),
            sqlite_where=text("notice_unsent IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("interest_topics.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(32))
    why: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    weekdays: Mapped[str] = mapped_column(String(20))  # "0,3" = Monday and Thursday
    hours: Mapped[str] = mapped_column(String(100))  # "17,18" = 17:00 to 19:00
    source: Mapped[str] = mapped_column(String(16), default="form")  # form | retro
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Asked to join a group formed on this topic: off the board.
    invited_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="SET NULL")
    )
    # The last thing we told them about not fitting a cohort, so it is said once.
    notice: Mapped[str | None] = mapped_column(String(100))
    notice_unsent: Mapped[str | None] = mapped_column(Text)  # Slack did not take it: say again


class ProposalState(enum.StrEnum):
    OPEN = "open"
    STARTED = "started"
    WITHDRAWN = "withdrawn"  # nobody took it


class CohortProposal(Base):
    """A cohort the bot found, offered to one would-be facilitator at a time."""

    __tablename__ = "cohort_proposals"
    __table_args__ = (Index("ix_cohort_proposals_state_offered_at", "state", "offered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("interest_topics.id", ondelete="CASCADE"))
    weekday: Mapped[int]  # in UTC
    session_time: Mapped[time]  # in UTC
    members: Mapped[str] = mapped_column(Text)  # user ids, comma-separated, in asking order
    candidates: Mapped[str] = mapped_column(Text)  # who may facilitate, in the order asked
    facilitator_id: Mapped[str] = mapped_column(String(32))  # asked now
    state: Mapped[ProposalState] = mapped_column(
        str_enum(ProposalState), default=ProposalState.OPEN
    )
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The pass sending the DM to facilitator_id took it then; if it never confirmed (the
    # process died), another pass takes it over once the lease is out, looking first.
    dm_claimed_at: Mapped[datetime | None]
    dm_sent_at: Mapped[datetime | None]  # Slack took the DM
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def member_ids(self) -> list[str]:
        return [u for u in self.members.split(",") if u]

    @property
    def candidate_ids(self) -> list[str]:
        return [u for u in self.candidates.split(",") if u]
