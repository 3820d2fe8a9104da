"""Catch-up for whoever missed a session, so they catch up instead of dropping out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.access import require_member
from bot.domain.groups import get_group
from bot.store.inserts import insert_if_absent, locked_row
from bot.store.models import Attendance, CatchUp, Group, Week

AFTER_SESSION = timedelta(hours=1)  # time to answer the attendance check first
AWAKE_FROM, AWAKE_UNTIL = 8, 21  # local hours a DM nobody asked for may arrive


def dm_at(week: Week, zones: Iterable[str]) -> datetime:
    """An hour after the session, or later if that is night where members live: the first
    hour (within a day) at which the most of them are between 08:00 and 21:00."""
    places = [ZoneInfo(zone) for zone in set(zones)] or [ZoneInfo("UTC")]
    hours = [week.ends_at + AFTER_SESSION + timedelta(hours=n) for n in range(24)]

    def awake(moment: datetime) -> int:
        return sum(AWAKE_FROM <= moment.astimezone(p).hour < AWAKE_UNTIL for p in places)

    most = max(awake(moment) for moment in hours)
    return next(moment for moment in hours if awake(moment) == most)


def absentees(group: Group, answers: dict[str, Attendance]) -> list[str]:
    """Members marked absent, or who never answered the attendance check."""
    return [
        m.user_id
        for m in group.members
        if m.user_id not in answers or not answers[m.user_id].present
    ]


def record_sent(session: Session, *, group_id: int, week: int, user_id: str, now: datetime) -> None:
    insert_if_absent(
        session,
        CatchUp,
        {"group_id": group_id, "week": week, "user_id": user_id, "sent_at": now},
        unique=["group_id", "week", "user_id"],
    )


def sent_to(session: Session, *, group_id: int, week: int) -> set[str]:
    """Who already has week N's catch-up."""
    return set(
        session.scalars(
            select(CatchUp.user_id).where(CatchUp.group_id == group_id, CatchUp.week == week)
        )
    )


def mark_caught_up(
    session: Session, *, team_id: str, group_id: int, week: int, user_id: str, now: datetime
) -> tuple[Group, bool]:
    """Returns whether this is news (a second click changes nothing)."""
    group = get_group(session, team_id=team_id, group_id=group_id)
    require_member(group, user_id, "mark a catch-up")
    row = locked_row(
        session,
        CatchUp,
        {"group_id": group_id, "week": week, "user_id": user_id},
        {"sent_at": now},
    )
    if row.caught_up_at is not None:
        return group, False
    row.caught_up_at = now
    session.flush()
    return group, True


def _get(session: Session, group_id: int, week: int, user_id: str) -> CatchUp | None:
    return session.scalars(
        select(CatchUp).where(
            CatchUp.group_id == group_id, CatchUp.week == week, CatchUp.user_id == user_id
        )
    ).one_or_none()
