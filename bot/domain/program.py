"""The program view: how peer learning goes across a workspace, from aggregate queries.

Nothing here loads a group with its members and weeks: every figure is one grouped query
over the workspace's rows, so a workspace with thousands of groups answers as fast as one
with ten. Every query is scoped to the workspace (`team_id`).

Honest numbers: the completion rate comes from the outcome each group recorded (completed
or stalled), never from who answered the feedback form; every figure from that form comes
with its response rate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from bot.domain.errors import Conflict, NotAllowed
from bot.domain.health import attendance_threshold
from bot.store.models import (
    Ambassador,
    Attendance,
    CheckIn,
    Feedback,
    Group,
    GroupState,
    InterestTopic,
    LearnedGoal,
    Membership,
    MemberStatus,
    ProgramOwner,
    StallReason,
    TopicRequest,
    Want,
    Week,
)

# What Booking.com saw: about four in five groups finished their cycle.
BENCHMARK_COMPLETION = 0.8
# A recruiting group this old that has not reached its minimum needs a nudge.
RECRUITING_TOO_LONG = timedelta(weeks=3)
ATTENTION_LIMIT = 10
TOP_TOPICS = 10

# --- who sees the program -----------------------------------------------------------------


def named_owners(session: Session, *, team_id: str) -> list[ProgramOwner]:
    return list(
        session.scalars(
            select(ProgramOwner)
            .where(ProgramOwner.team_id == team_id)
            .order_by(ProgramOwner.added_at, ProgramOwner.id)
        )
    )


def is_owner(session: Session, *, team_id: str, user_id: str, is_admin: bool) -> bool:
    """Workspace owners and admins (as Slack says), and the people they named."""
    if is_admin:
        return True
    return (
        session.scalar(
            select(ProgramOwner.id).where(
                ProgramOwner.team_id == team_id, ProgramOwner.user_id == user_id
            )
        )
        is not None
    )


def require_owner(session: Session, *, team_id: str, user_id: str, is_admin: bool) -> None:
    if not is_owner(session, team_id=team_id, user_id=user_id, is_admin=is_admin):
        raise NotAllowed(
            "Only program owners can do that: workspace owners and admins, and the people "
            "they name with `/p2p owners add @person`."
        )


def add_owner(
    session: Session, *, team_id: str, user_id: str, by: str, by_admin: bool, now: datetime
) -> ProgramOwner:
    require_owner(session, team_id=team_id, user_id=by, is_admin=by_admin)
    existing = session.scalar(
        select(ProgramOwner).where(ProgramOwner.team_id == team_id, ProgramOwner.user_id == user_id)
    )
    if existing is not None:
        raise Conflict(f"<@{user_id}> is already a program owner.")
    owner = ProgramOwner(team_id=team_id, user_id=user_id, added_by=by, added_at=now)
    session.add(owner)
    session.flush()
    return owner


def remove_owner(session: Session, *, team_id: str, user_id: str, by: str, by_admin: bool) -> None:
    require_owner(session, team_id=team_id, user_id=by, is_admin=by_admin)
    existing = session.scalar(
        select(ProgramOwner).where(ProgramOwner.team_id == team_id, ProgramOwner.user_id == user_id)
    )
    if existing is None:
        raise Conflict(
            f"<@{user_id}> isn't a named program owner (workspace admins are owners anyway)."
        )
    session.delete(existing)
    session.flush()


# --- the numbers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """`part` of `whole`; None when there is nothing to count."""

    part: float
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class FeedbackNumbers:
    responses: int
    asked: int  # members of groups that reached their end
    average_rating: float | None
    learned_goal: Rate  # said "yes"
    learned_partly: Rate
    join_again: Rate

    @property
    def response_rate(self) -> Rate:
        return Rate(self.responses, self.asked)


@dataclass(frozen=True)
class Attention:
    group_id: int
    topic: str
    channel_id: str
    reason: str


@dataclass(frozen=True)
class ProgramStats:
    team_id: str
    by_state: dict[GroupState, int]
    stall_reasons: dict[StallReason, int]
    attendance: Rate
    week_one_attendance: Rate
    checkins: Rate
    hours_studied: float
    committed_minutes: float | None  # the average weekly commitment members stated
    given_minutes: float | None  # the average time members reported per check-in
    # Members who checked in, and of them those whose check-ins report under half the weekly
    # time they said they would give: the early warning on commitment.
    under_commitment: Rate
    feedback: FeedbackNumbers
    attention: list[Attention]
    attention_total: int
    wanted_topics: list[tuple[str, int]]
    ambassadors: list[str]
    members: int  # distinct people who have been in a group
    attendance_by_week: list[tuple[int, Rate]] = field(default_factory=list)
    board_groups_formed: int = 0  # groups started from the interest board's proposals

    def count(self, *states: GroupState) -> int:
        return sum(self.by_state.get(s, 0) for s in states)

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def finished(self) -> int:
        return self.count(GroupState.COMPLETED, GroupState.STALLED)

    @property
    def completion(self) -> Rate:
        return Rate(self.count(GroupState.COMPLETED), self.finished)


def _team_groups(team_id: str) -> Select[Any]:
    return select(Group.id).where(Group.team_id == team_id)


def stats(session: Session, *, team_id: str, now: datetime) -> ProgramStats:
    by_state = {
        GroupState(state): int(n)
        for state, n in session.execute(
            select(Group.state, func.count()).where(Group.team_id == team_id).group_by(Group.state)
        )
    }
    reasons = {
        StallReason(reason or StallReason.OTHER): int(n)
        for reason, n in session.execute(
            select(Group.stall_reason, func.count())
            .where(Group.team_id == team_id, Group.state == GroupState.STALLED)
            .group_by(Group.stall_reason)
        )
    }
    team_groups = _team_groups(team_id).scalar_subquery()
    present = func.sum(case((Attendance.present, 1), else_=0))
    # One pass over the attendance answers, by week of the cycle; the totals add up from it.
    by_week = [
        (int(week), Rate(float(p or 0), int(n)))
        for week, n, p in session.execute(
            select(Attendance.week, func.count(), present)
            .where(Attendance.group_id.in_(team_groups))
            .group_by(Attendance.week)
            .order_by(Attendance.week)
        )
    ]
    answered = sum(r.whole for _, r in by_week)
    there = sum(r.part for _, r in by_week)
    week_one = next((r for w, r in by_week if w == 1), Rate(0, 0))
    # Check-ins owed: each current member, for each week whose session is over.
    owed = session.scalar(
        select(func.count())
        .select_from(Week)
        .join(Group, Group.id == Week.group_id)
        .join(
            Membership,
            and_(Membership.group_id == Week.group_id, Membership.status == MemberStatus.MEMBER),
        )
        .where(Group.team_id == team_id, Week.ends_at <= now)
    )
    committed = session.scalar(
        select(func.avg(Membership.minutes_per_week))
        .join(Group, Group.id == Membership.group_id)
        .where(
            Group.team_id == team_id,
            Membership.status == MemberStatus.MEMBER,
            Group.cycle_started_at.is_not(None),
        )
    )
    # One pass over the check-ins, by member: the totals, and who reports under half the
    # weekly time they said they would give.
    per_member = (
        select(
            CheckIn.group_id,
            CheckIn.user_id,
            func.count().label("n"),
            func.count(CheckIn.hours).label("with_hours"),
            func.coalesce(func.sum(CheckIn.hours), 0).label("hours"),
        )
        .where(CheckIn.group_id.in_(team_groups))
        .group_by(CheckIn.group_id, CheckIn.user_id)
        .subquery()
    )
    stated = func.coalesce(Membership.minutes_per_week, 0)
    given, hours, with_hours, reported, under = session.execute(
        select(
            func.sum(per_member.c.n),
            func.sum(per_member.c.hours),
            func.sum(per_member.c.with_hours),
            func.count(),
            func.sum(case((per_member.c.hours * 60 < per_member.c.n * stated * 0.5, 1), else_=0)),
        )
        .select_from(per_member)
        .outerjoin(
            Membership,
            and_(
                Membership.group_id == per_member.c.group_id,
                Membership.user_id == per_member.c.user_id,
            ),
        )
    ).one()
    avg_hours = float(hours) / int(with_hours) if with_hours else None
    members = session.scalar(
        select(func.count(func.distinct(Membership.user_id)))
        .join(Group, Group.id == Membership.group_id)
        .where(Group.team_id == team_id, Membership.status != MemberStatus.WAITLISTED)
    )
    attention, attention_total = _attention(session, team_id=team_id, now=now)
    return ProgramStats(
        team_id=team_id,
        by_state=by_state,
        stall_reasons=reasons,
        attendance=Rate(there, answered),
        week_one_attendance=week_one,
        checkins=Rate(float(min(given or 0, owed or 0)), int(owed or 0)),
        hours_studied=float(hours or 0),
        committed_minutes=float(committed) if committed is not None else None,
        given_minutes=float(avg_hours) * 60 if avg_hours is not None else None,
        under_commitment=Rate(float(under or 0), int(reported or 0)),
        feedback=_feedback(session, team_id=team_id),
        attention=attention,
        attention_total=attention_total,
        wanted_topics=wanted_topics(session, team_id=team_id),
        board_groups_formed=int(
            session.scalar(
                select(func.coalesce(func.sum(InterestTopic.groups_formed), 0)).where(
                    InterestTopic.team_id == team_id
                )
            )
            or 0
        ),
        ambassadors=list(
            session.scalars(
                select(Ambassador.user_id)
                .where(Ambassador.team_id == team_id)
                .order_by(Ambassador.since, Ambassador.id)
            )
        ),
        members=int(members or 0),
        attendance_by_week=by_week,
    )


def _feedback(session: Session, *, team_id: str) -> FeedbackNumbers:
    ended = (GroupState.COMPLETED, GroupState.STALLED)
    asked = session.scalar(
        select(func.count())
        .select_from(Membership)
        .join(Group, Group.id == Membership.group_id)
        .where(
            Group.team_id == team_id,
            Group.state.in_(ended),
            Membership.status == MemberStatus.MEMBER,
        )
    )
    n, rating, yes, partly, again = session.execute(
        select(
            func.count(),
            func.avg(Feedback.rating),
            func.sum(case((Feedback.learned_goal == LearnedGoal.YES, 1), else_=0)),
            func.sum(case((Feedback.learned_goal == LearnedGoal.PARTLY, 1), else_=0)),
            func.sum(case((Feedback.join_again, 1), else_=0)),
        )
        .join(Group, Group.id == Feedback.group_id)
        .where(Group.team_id == team_id)
    ).one()
    n = int(n or 0)
    return FeedbackNumbers(
        responses=n,
        asked=max(int(asked or 0), n),
        average_rating=float(rating) if rating is not None else None,
        learned_goal=Rate(float(yes or 0), n),
        learned_partly=Rate(float(partly or 0), n),
        join_again=Rate(float(again or 0), n),
    )


def wanted_topics(
    session: Session, *, team_id: str, top: int = TOP_TOPICS
) -> list[tuple[str, int]]:
    """The topics most people wait for on the interest board (retro feedback topics join it
    too); before the board existed, the topics asked for in retro feedback."""
    waiting = func.count(Want.id)
    board = session.execute(
        select(InterestTopic.name, waiting)
        .join(Want, Want.topic_id == InterestTopic.id)
        .where(InterestTopic.team_id == team_id, Want.invited_group_id.is_(None))
        .group_by(InterestTopic.id, InterestTopic.name)
        .order_by(waiting.desc(), InterestTopic.name)
        .limit(top)
    ).all()
    if board:
        return [(str(name), int(n)) for name, n in board]
    key = func.lower(func.trim(TopicRequest.text))
    rows = session.execute(
        select(key, func.min(TopicRequest.text), func.count())
        .where(TopicRequest.team_id == team_id)
        .group_by(key)
        .order_by(func.count().desc(), key)
        .limit(top)
    )
    return [(str(label), int(n)) for _, label, n in rows]


def _attention(session: Session, *, team_id: str, now: datetime) -> tuple[list[Attention], int]:
    """Groups that need someone now: a health signal this week (attendance under the
    threshold), no facilitator among the members, or recruiting for weeks below the minimum."""
    found: dict[int, Attention] = {}
    member_count = (
        select(Membership.group_id, func.count().label("n"))
        .where(Membership.status == MemberStatus.MEMBER)
        .group_by(Membership.group_id)
        .subquery()
    )
    live = (GroupState.RECRUITING, GroupState.RUNNING, GroupState.PAUSED)
    facilitator_member = (
        select(Membership.id)
        .where(
            Membership.group_id == Group.id,
            Membership.user_id == Group.facilitator_id,
            Membership.status == MemberStatus.MEMBER,
        )
        .exists()
    )
    for gid, topic, channel in session.execute(
        select(Group.id, Group.topic, Group.channel_id)
        .where(Group.team_id == team_id, Group.state.in_(live), ~facilitator_member)
        .order_by(Group.id)
    ):
        found[gid] = Attention(gid, topic, channel, "no facilitator: nobody steers it")
    for gid, topic, channel, n, minimum in session.execute(
        select(
            Group.id,
            Group.topic,
            Group.channel_id,
            func.coalesce(member_count.c.n, 0),
            Group.min_members,
        )
        .outerjoin(member_count, member_count.c.group_id == Group.id)
        .where(
            Group.team_id == team_id,
            Group.state == GroupState.RECRUITING,
            Group.created_at <= now - RECRUITING_TOO_LONG,
            func.coalesce(member_count.c.n, 0) < Group.min_members,
        )
        .order_by(Group.created_at)
    ):
        found.setdefault(
            gid,
            Attention(
                gid, topic, channel, f"recruiting for 3+ weeks with {n} of the {minimum} it needs"
            ),
        )
    # Weeks that ended in the last seven days, in running groups: a handful, each counted
    # with a correlated subquery (never a pass over every answer in the workspace).
    came_count = (
        select(func.count())
        .where(
            Attendance.group_id == Week.group_id,
            Attendance.week == Week.number,
            Attendance.present.is_(True),
        )
        .scalar_subquery()
    )
    members_now = (
        select(func.count())
        .where(Membership.group_id == Week.group_id, Membership.status == MemberStatus.MEMBER)
        .scalar_subquery()
    )
    for gid, topic, channel, number, came, n in session.execute(
        select(Group.id, Group.topic, Group.channel_id, Week.number, came_count, members_now)
        .join(Week, Week.group_id == Group.id)
        .where(
            Group.team_id == team_id,
            Group.state == GroupState.RUNNING,
            Week.ends_at <= now,
            Week.ends_at > now - timedelta(days=7),
        )
        .order_by(Group.id)
    ):
        if int(came) < attendance_threshold(int(n)):
            found.setdefault(
                gid,
                Attention(gid, topic, channel, f"week {number}: {came} of {n} said they came"),
            )
    ordered = sorted(found.values(), key=lambda a: a.group_id)
    return ordered[:ATTENTION_LIMIT], len(ordered)


@dataclass(frozen=True)
class OutcomeMonth:
    month: str  # "2026-03"
    completed: int
    stalled: int
    closed: int


def outcomes_by_month(session: Session, *, team_id: str) -> list[OutcomeMonth]:
    """Ended groups by the month they ended (for the chart), from one grouped query."""
    counts: dict[str, Counter[GroupState]] = {}
    ended = (GroupState.COMPLETED, GroupState.STALLED, GroupState.CANCELLED)
    rows = session.execute(
        select(Group.ended_at, Group.state).where(
            Group.team_id == team_id, Group.state.in_(ended), Group.ended_at.is_not(None)
        )
    )
    for ended_at, state in rows:
        counts.setdefault(f"{ended_at:%Y-%m}", Counter())[GroupState(state)] += 1
    return [
        OutcomeMonth(
            month,
            c[GroupState.COMPLETED],
            c[GroupState.STALLED],
            c[GroupState.CANCELLED],
        )
        for month, c in sorted(counts.items())
    ]
