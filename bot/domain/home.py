"""What a person's App Home shows: their groups, what waits for them, the open groups.

Loads only the groups the person is in (or waiting for), and a page of recruiting groups;
the rest is counted, never loaded. Scoped to the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import checkins
from bot.domain.cycle import next_week
from bot.store.models import (
    Attendance,
    CheckIn,
    Group,
    GroupState,
    HomeViewer,
    Membership,
    MemberStatus,
    Poll,
    Vote,
    Week,
)

OPEN_GROUPS_SHOWN = 8
MY_GROUPS_SHOWN = 8
RECENTLY_ENDED = timedelta(days=30)
ATTENDANCE_OPEN = timedelta(hours=36)  # the attendance check is worth a nudge this long


@dataclass(frozen=True)
class Waiting:
    """Something the person can do now, and what does it."""

    kind: str  # "checkin" | "vote" | "attendance"
    week: int
    channel_id: str | None = None
    message_ts: str | None = None


@dataclass(frozen=True)
class MyGroup:
    group: Group
    status: MemberStatus
    waitlist_place: int | None
    next_session: Week | None
    waiting: list[Waiting] = field(default_factory=list)


@dataclass(frozen=True)
class OpenGroup:
    group: Group
    members: int


@dataclass(frozen=True)
class HomeData:
    user_id: str
    timezone: str
    now: datetime
    mine: list[MyGroup]
    mine_total: int
    open_groups: list[OpenGroup]
    open_total: int


def home_for(
    session: Session, *, team_id: str, user_id: str, timezone: str, now: datetime
) -> HomeData:
    rows = session.scalars(
        select(Group)
        .join(Membership, Membership.group_id == Group.id)
        .where(
            Group.team_id == team_id,
            Membership.user_id == user_id,
            Membership.status.in_([MemberStatus.MEMBER, MemberStatus.WAITLISTED]),
            (Group.state.in_([GroupState.RECRUITING, GroupState.RUNNING, GroupState.PAUSED]))
            | (Group.ended_at >= now - RECENTLY_ENDED),
        )
    ).all()
    mine = [_mine(session, group, user_id, now) for group in rows]
    # The most relevant first: something waiting, then live groups, then by next session.
    mine.sort(
        key=lambda m: (
            not m.waiting,
            m.group.is_ended,
            m.next_session.starts_at if m.next_session else datetime.max.replace(tzinfo=now.tzinfo),
            -m.group.id,
        )
    )
    mine_ids = [m.group.id for m in mine]
    recruiting = (
        Group.team_id == team_id,
        Group.state == GroupState.RECRUITING,
        Group.recruitment_ts.is_not(None),
        Group.private_channel.is_(False),  # a private channel's group is not advertised
    )
    open_total = session.scalar(
        select(func.count()).select_from(Group).where(*recruiting, Group.id.not_in(mine_ids))
    )
    members = (
        select(Membership.group_id, func.count().label("n"))
        .where(Membership.status == MemberStatus.MEMBER)
        .group_by(Membership.group_id)
        .subquery()
    )
    open_rows = session.execute(
        select(Group, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.group_id == Group.id)
        .where(*recruiting, Group.id.not_in(mine_ids))
        # Those with seats left and closest to starting first, then the newest.
        .order_by(
            (func.coalesce(members.c.n, 0) >= Group.seats),
            (Group.min_members - func.coalesce(members.c.n, 0)),
            Group.created_at.desc(),
        )
        .limit(OPEN_GROUPS_SHOWN)
    ).all()
    return HomeData(
        user_id=user_id,
        timezone=timezone,
        now=now,
        mine=mine[:MY_GROUPS_SHOWN],
        mine_total=len(mine),
        open_groups=[OpenGroup(group, int(n)) for group, n in open_rows],
        open_total=int(open_total or 0),
    )


def _mine(session: Session, group: Group, user_id: str, now: datetime) -> MyGroup:
    membership = group.membership(user_id)
    assert membership is not None
    place = None
    if membership.status is MemberStatus.WAITLISTED:
        place = next(
            (i for i, m in enumerate(group.waitlist, start=1) if m.user_id == user_id), None
        )
    upcoming = next_week(group, now) if group.state is GroupState.RUNNING else None
    waiting: list[Waiting] = []
    if membership.status is MemberStatus.MEMBER and group.state in (
        GroupState.RUNNING,
        GroupState.PAUSED,
    ):
        waiting = _waiting(session, group, user_id, now)
    return MyGroup(group, membership.status, place, upcoming, waiting)


def _waiting(session: Session, group: Group, user_id: str, now: datetime) -> list[Waiting]:
    found: list[Waiting] = []
    answered_checkins = set(
        session.scalars(
            select(CheckIn.week).where(CheckIn.group_id == group.id, CheckIn.user_id == user_id)
        )
    )
    for week in group.weeks_planned:
        if checkins.is_open(group, week, now) and week.number not in answered_checkins:
            found.append(Waiting("checkin", week.number))
    poll = session.scalars(
        select(Poll).where(Poll.group_id == group.id, Poll.closed_at.is_(None))
    ).first()
    if poll is not None and poll.message_ts:
        voted = session.scalar(
            select(Vote.id).where(Vote.poll_id == poll.id, Vote.user_id == user_id)
        )
        if voted is None:
            found.append(Waiting("vote", poll.week, poll.channel_id, poll.message_ts))
    answered_attendance = set(
        session.scalars(
            select(Attendance.week).where(
                Attendance.group_id == group.id, Attendance.user_id == user_id
            )
        )
    )
    for week in group.weeks_planned:
        if (
            week.attendance_ts
            and week.starts_at <= now < week.ends_at + ATTENDANCE_OPEN
            and week.number not in answered_attendance
        ):
            found.append(Waiting("attendance", week.number, group.channel_id, week.attendance_ts))
    return found


def mark_private_channel(session: Session, *, group_id: int) -> None:
    group = session.get(Group, group_id)
    if group is not None:
        group.private_channel = True


def remember_opened(session: Session, *, team_id: str, user_id: str, now: datetime) -> None:
    """The person has a Home tab: the scheduler keeps it up to date from now on."""
    seen = session.scalar(
        select(HomeViewer).where(HomeViewer.team_id == team_id, HomeViewer.user_id == user_id)
    )
    if seen is not None:
        seen.opened_at = now
        return
    try:
        with session.begin_nested():  # two opens at once: the second finds the first's row
            session.add(HomeViewer(team_id=team_id, user_id=user_id, opened_at=now))
    except IntegrityError:
        pass


def home_viewers(session: Session, *, team_id: str, user_ids: list[str]) -> list[str]:
    if not user_ids:
        return []
    return list(
        session.scalars(
            select(HomeViewer.user_id)
            .where(HomeViewer.team_id == team_id, HomeViewer.user_id.in_(user_ids))
            .order_by(HomeViewer.user_id)
        )
    )
