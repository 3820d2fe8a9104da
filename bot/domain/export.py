"""The program export: one CSV per kind of record, for one workspace.

Rows stream from a few queries (no group is loaded with its members and weeks). Check-in
free text is personal: it is exported only for groups that chose to share answers with each
other (`share_checkins`); elsewhere those columns are empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.store.models import (
    Attendance,
    CheckIn,
    Feedback,
    Group,
    Membership,
    MemberStatus,
    TopicRequest,
    Week,
)

COLUMNS: dict[str, list[str]] = {
    "groups.csv": [
        "group_id",
        "topic",
        "channel_id",
        "state",
        "stall_reason",
        "stall_note",
        "format",
        "weekday",
        "session_time",
        "timezone",
        "place",
        "weeks",
        "seats",
        "min_members",
        "members",
        "waitlisted",
        "facilitator_id",
        "created_at",
        "cycle_started_at",
        "ended_at",
    ],
    "members.csv": [
        "group_id",
        "user_id",
        "status",
        "minutes_per_week",
        "goal",
        "joined_at",
        "left_at",
    ],
    "sessions.csv": ["group_id", "week", "starts_at", "topic", "user_id", "present"],
    "checkins.csv": [
        "group_id",
        "week",
        "user_id",
        "submitted_at",
        "hours",
        "confidence",
        "learned",
        "went_well",
        "went_badly",
        "blockers",
    ],
    "feedback.csv": [
        "group_id",
        "user_id",
        "rating",
        "learned_goal",
        "join_again",
        "facilitate",
        "topics_wanted",
        "submitted_at",
    ],
    "wanted_topics.csv": ["topic", "requests", "latest"],
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum
        return str(value.value)
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def export(session: Session, *, team_id: str, now: datetime) -> dict[str, bytes]:
    """filename -> CSV bytes, for every group of the workspace."""
    return {
        "groups.csv": _csv(COLUMNS["groups.csv"], _groups(session, team_id)),
        "members.csv": _csv(COLUMNS["members.csv"], _members(session, team_id)),
        "sessions.csv": _csv(COLUMNS["sessions.csv"], _sessions(session, team_id, now)),
        "checkins.csv": _csv(COLUMNS["checkins.csv"], _checkins(session, team_id)),
        "feedback.csv": _csv(COLUMNS["feedback.csv"], _feedback(session, team_id)),
        "wanted_topics.csv": _csv(COLUMNS["wanted_topics.csv"], _wanted(session, team_id)),
    }


def _count(status: MemberStatus) -> Any:
    return (
        select(Membership.group_id, func.count().label("n"))
        .where(Membership.status == status)
        .group_by(Membership.group_id)
        .subquery()
    )


def _groups(session: Session, team_id: str) -> Iterator[Sequence[Any]]:
    members = _count(MemberStatus.MEMBER)
    waiting = _count(MemberStatus.WAITLISTED)
    g = Group.__table__.c
    rows = session.execute(
        select(
            g.id,
            g.topic,
            g.channel_id,
            g.state,
            g.stall_reason,
            g.stall_note,
            g.format,
            g.weekday,
            g.session_time,
            g.timezone,
            g.place,
            g.weeks,
            g.seats,
            g.min_members,
            func.coalesce(members.c.n, 0),
            func.coalesce(waiting.c.n, 0),
            g.facilitator_id,
            Group.created_at,
            Group.cycle_started_at,
            Group.ended_at,
        )
        .outerjoin(members, members.c.group_id == g.id)
        .outerjoin(waiting, waiting.c.group_id == g.id)
        .where(g.team_id == team_id)
        .order_by(g.id)
    )
    for row in rows:
        yield [*row[:8], row[8].strftime("%H:%M"), *row[9:]]


def _members(session: Session, team_id: str) -> Iterator[Sequence[Any]]:
    yield from session.execute(
        select(
            Membership.group_id,
            Membership.user_id,
            Membership.status,
            Membership.minutes_per_week,
            Membership.goal,
            Membership.joined_at,
            Membership.left_at,
        )
        .join(Group, Group.id == Membership.group_id)
        .where(Group.team_id == team_id)
        .order_by(Membership.group_id, Membership.id)
    )


def _sessions(session: Session, team_id: str, now: datetime) -> Iterator[Sequence[Any]]:
    """Each member of each week whose session has begun: there (yes), not (no), or no answer."""
    yield from session.execute(
        select(
            Week.group_id,
            Week.number,
            Week.starts_at,
            Week.topic,
            Membership.user_id,
            Attendance.present,
        )
        .join(Group, Group.id == Week.group_id)
        .join(
            Membership,
            and_(Membership.group_id == Week.group_id, Membership.status == MemberStatus.MEMBER),
        )
        .outerjoin(
            Attendance,
            and_(
                Attendance.group_id == Week.group_id,
                Attendance.week == Week.number,
                Attendance.user_id == Membership.user_id,
            ),
        )
        .where(Group.team_id == team_id, Week.starts_at <= now)
        .order_by(Week.group_id, Week.number, Membership.id)
    )


def _checkins(session: Session, team_id: str) -> Iterator[Sequence[Any]]:
    rows = session.execute(
        select(
            CheckIn.group_id,
            CheckIn.week,
            CheckIn.user_id,
            CheckIn.submitted_at,
            CheckIn.hours,
            CheckIn.confidence,
            CheckIn.learned,
            CheckIn.went_well,
            CheckIn.went_badly,
            CheckIn.blockers,
            Group.share_checkins,
        )
        .join(Group, Group.id == CheckIn.group_id)
        .where(Group.team_id == team_id)
        .order_by(CheckIn.group_id, CheckIn.week, CheckIn.id)
    )
    for *row, shared in rows:
        if not shared:  # personal: the group did not choose to share answers
            row[6:10] = ["", "", "", ""]
        yield row


def _feedback(session: Session, team_id: str) -> Iterator[Sequence[Any]]:
    yield from session.execute(
        select(
            Feedback.group_id,
            Feedback.user_id,
            Feedback.rating,
            Feedback.learned_goal,
            Feedback.join_again,
            Feedback.facilitate,
            Feedback.topics_wanted,
            Feedback.submitted_at,
        )
        .join(Group, Group.id == Feedback.group_id)
        .where(Group.team_id == team_id)
        .order_by(Feedback.group_id, Feedback.id)
    )


def _wanted(session: Session, team_id: str) -> Iterator[Sequence[Any]]:
    key = func.lower(func.trim(TopicRequest.text))
    yield from session.execute(
        select(func.min(TopicRequest.text), func.count(), func.max(TopicRequest.created_at))
        .where(TopicRequest.team_id == team_id)
        .group_by(key)
        .order_by(func.count().desc(), key)
    )
