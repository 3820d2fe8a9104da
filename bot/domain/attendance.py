"""Who came to week N's session: each member answers; the facilitator can correct anyone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.access import require_facilitator, require_member
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.groups import get_group
from bot.domain.markup import typed
from bot.store.inserts import locked_row
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
    group = _group_with_week(session, team_id, group_id, week)
    if by == user_id:
        require_member(group, user_id, "answer the attendance check")
    else:
        require_facilitator(group, by)
    return group, _record(session, group, week, user_id, present, by, now)


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
    group = _group_with_week(session, team_id, group_id, week)
    require_facilitator(group, by)
    strangers = present - {m.user_id for m in group.members}
    if strangers:
        raise InvalidInput(
            {"present": f"{len(strangers)} of the people chosen aren't members; leave them out."}
        )
    current = for_week(session, group.id, week)
    for member in group.members:
        row = current.get(member.user_id)
        was_there = member.user_id in present
        if row is None or row.present != was_there:
            _record(session, group, week, member.user_id, was_there, by, now)


def _group_with_week(session: Session, team_id: str, group_id: int, week: int) -> Group:
    group = get_group(session, team_id=team_id, group_id=group_id)
    if group.week(week) is None:
        raise NotFound(f"*{typed(group.topic)}* has no week {week}.")
    return group


def _record(
    session: Session,
    group: Group,
    week: int,
    user_id: str,
    present: bool,
    by: str,
    now: datetime,
) -> Attendance:
    row = locked_row(
        session,
        Attendance,
        {"group_id": group.id, "week": week, "user_id": user_id},
        {"present": present, "answered_by": by, "answered_at": now},
    )
    row.present = present
    row.answered_by = by
    row.answered_at = now
    session.flush()
    return row


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
