"""The program: who runs peer learning for the workspace, besides its admins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base
from bot.store.types import utcnow


class ProgramOwner(Base):
    """Someone a workspace owner or admin named to see the program view (`/p2p owners add`)."""

    __tablename__ = "program_owners"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class HomeViewer(Base):
    """Someone who has opened the app's Home tab: the scheduler republishes it when
    something it shows changes for them."""

    __tablename__ = "home_viewers"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
