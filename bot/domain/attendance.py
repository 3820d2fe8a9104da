"""Who came to week N's session: each member answers; the facilitator can correct anyone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.access import require_facilitator, require_member
from bot.domain.errors import NotFound
from bot.domain.groups import get_group
from bot.store.models import Attendance, Group


def answer(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    week: int,
    user_id: str,
    present: bool,
    by: str,
    now: datetime,
) -> tuple[Group, Attendance]:
    group = get_group(session, team_id=team_id, group_id=group_id)
    if group.week(week) is None:
        raise NotFound(f"*{group.topic}* has no week {week}.")
    if by == user_id:
        require_member(group, user_id, "answer the attendance check")
    else:
        require_facilitator(group, by)
    row = session.scalars(
        select(Attendance).where(
            Attendance.group_id == group.id, Attendance.week == week, Attendance.user_id == user_id
        )
    ).one_or_none()
    if row is None:
        row = Attendance(
            group_id=group.id, week=week, user_id=user_id, present=present, answered_by=by
        )
        session.add(row)
    row.present = present
    row.answered_by = by
    row.answered_at = now
    session.flush()
    return group, row


def correct(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    week: int,
    present: set[str],
    by: str,
    now: datetime,
) -> None:
    """The facilitator's account of who came: members left out missed it. Answers that
    already say the same stay as they are (and keep who gave them)."""
    group = get_group(session, team_id=team_id, group_id=group_id)
    require_facilitator(group, by)
    current = for_week(session, group_id, week)
    for member in group.members:
        was_there = member.user_id in present
        if member.user_id in current and current[member.user_id].present == was_there:
            continue
        answer(
            session,
            team_id=team_id,
            group_id=group_id,
            week=week,
            user_id=member.user_id,
            present=was_there,
            by=by,
            now=now,
        )


def for_week(session: Session, group_id: int, week: int) -> dict[str, Attendance]:
    rows = session.scalars(
        select(Attendance).where(Attendance.group_id == group_id, Attendance.week == week)
    )
    return {row.user_id: row for row in rows}


def for_group(session: Session, group_id: int) -> dict[int, dict[str, Attendance]]:
    """Every week's answers, by week number then member."""
    weeks: dict[int, dict[str, Attendance]] = {}
    for row in session.scalars(select(Attendance).where(Attendance.group_id == group_id)):
        weeks.setdefault(row.week, {})[row.user_id] = row
    return weeks
