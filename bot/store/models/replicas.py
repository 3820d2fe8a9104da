"""The processes running the scheduler, as each last said it was alive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base


class Replica(Base):
    __tablename__ = "scheduler_replicas"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime]
