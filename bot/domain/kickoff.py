"""The kick-off: lay everyone's expectations side by side, align, then start the cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import slots
from bot.domain.access import require_facilitator, require_member
from bot.domain.errors import Conflict, InvalidInput, NotFound
from bot.domain.groups import get_group
from bot.domain.markup import typed
from bot.store.inserts import insert_if_absent
from bot.store.models import Alignment, Group, GroupState, Kickoff, Membership, Week

COMMITMENT_GAP = 3  # "more than 3x apart" is a mismatch worth naming
SOCIABLE_HOURS = (8, 21)  # a session outside 08:00-21:00 local is hard to keep up


def schedule_kickoff(
    session: Session, *, team_id: str, group_id: int, user_id: str, at: datetime, now: datetime
) -> Kickoff:
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    require_facilitator(group, user_id)
    _require_recruiting(group)
    if at <= now:
        raise InvalidInput({"kickoff_date": "Pick a moment in the future."})
    if at > now + timedelta(days=60):
        raise InvalidInput({"kickoff_date": "Pick a date within the next two months."})
    rounds = session.scalars(select(Kickoff.round).where(Kickoff.group_id == group.id)).all()
    kickoff = Kickoff(
        group_id=group.id, round=max(rounds, default=0) + 1, scheduled_at=at, scheduled_by=user_id
    )
    session.add(kickoff)
    session.flush()
    return kickoff


def latest_kickoff(session: Session, group_id: int) -> Kickoff | None:
    return session.scalars(
        select(Kickoff).where(Kickoff.group_id == group_id).order_by(Kickoff.round.desc())
    ).first()


def get_kickoff(session: Session, *, team_id: str, kickoff_id: int) -> tuple[Group, Kickoff]:
    kickoff = session.get(Kickoff, kickoff_id)
    if kickoff is None:
        raise NotFound("That kick-off no longer exists.")
    return get_group(session, team_id=team_id, group_id=kickoff.group_id), kickoff


def align(session: Session, *, team_id: str, kickoff_id: int, user_id: str) -> tuple[Kickoff, bool]:
    """Record that a member agrees with what was laid out. Returns whether it is new."""
    group, kickoff = get_kickoff(session, team_id=team_id, kickoff_id=kickoff_id)
    require_member(group, user_id, "confirm the kick-off")
    new = insert_if_absent(
        session,
        Alignment,
        {"kickoff_id": kickoff.id, "user_id": user_id},
        unique=["kickoff_id", "user_id"],
    )
    session.refresh(kickoff, ["alignments"])
    return kickoff, new


def start_cycle(
    session: Session, *, team_id: str, group_id: int, user_id: str, now: datetime
) -> Group:
    """Plan every week: week 1 is the next session slot."""
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    require_facilitator(group, user_id)
    _require_recruiting(group)
    if len(group.members) < group.min_members:
        raise Conflict(
            f"*{typed(group.topic)}* has {len(group.members)} members and needs {group.min_members} "
            "to start. Invite a few more people, or lower the minimum."
        )
    first = slots.next_slot(now, group.weekday, group.session_time, group.timezone)
    for number, starts_at in enumerate(slots.weekly(first, group.weeks, group.timezone), 1):
        group.weeks_planned.append(
            Week(
                number=number,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=group.session_minutes),
            )
        )
    group.weeks_planned[0].topic = f"An overview of {group.topic}"
    group.state = GroupState.RUNNING
    group.cycle_started_at = now
    session.flush()
    return group


def _require_recruiting(group: Group) -> None:
    if group.state is not GroupState.RECRUITING:
        raise Conflict(f"*{typed(group.topic)}* has already started its cycle.")


# --- expectations side by side ----------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentGap:
    low: Membership
    high: Membership

    @property
    def ratio(self) -> float:
        return self.high.minutes_per_week / self.low.minutes_per_week


@dataclass(frozen=True)
class AwkwardHour:
    member: Membership
    local: datetime


@dataclass(frozen=True)
class Expectations:
    members: list[Membership]
    gap: CommitmentGap | None
    awkward_hours: list[AwkwardHour]


def expectations(group: Group, now: datetime) -> Expectations:
    members = group.members
    gap = None
    if len(members) >= 2:
        low = min(members, key=lambda m: m.minutes_per_week)
        high = max(members, key=lambda m: m.minutes_per_week)
        if high.minutes_per_week > COMMITMENT_GAP * low.minutes_per_week:
            gap = CommitmentGap(low, high)
    session_start = slots.next_slot(now, group.weekday, group.session_time, group.timezone)
    awkward = []
    for member in members:
        if not member.timezone or member.timezone == group.timezone:
            continue
        local = session_start.astimezone(ZoneInfo(member.timezone))
        if not SOCIABLE_HOURS[0] <= local.hour < SOCIABLE_HOURS[1]:
            awkward.append(AwkwardHour(member, local))
    return Expectations(members, gap, awkward)
