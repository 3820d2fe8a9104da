"""Thousands of running groups, written in bulk, for the scheduler benchmarks.

Each group is planned by the pure planner as the bot would plan it: what fell due before
`settled_before` is in the ledger as sent (steady state: the past is done), and the index
holds the group's next due moment, as `schedule.index` would have written it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import insert

from bot.domain import slots
from bot.schedule.due import due_for_group, next_due_at
from bot.store import Store
from bot.store.models import (
    Delivery,
    DeliveryState,
    Group,
    GroupFormat,
    GroupState,
    Membership,
    MemberStatus,
    Week,
)

ZONE = "Europe/Amsterdam"
CHUNK = 1000


@dataclass(frozen=True)
class Slot:
    weekday: int
    clock: time


def spread(n: int) -> Slot:
    """84 weekly slots (every weekday, 08:00 to 19:00): about 1.2% of groups in each."""
    return Slot(n % 7, time(8 + (n // 7) % 12))


def people(team: str, n: int) -> list[str]:
    return [f"U{team[-2:]}{n:05d}{m}" for m in range(6)]


def seed(
    store: Store,
    count: int,
    *,
    start: datetime,
    settled_before: datetime,
    teams: list[str],
    slot_of: Any = spread,
    first_id: int = 1,
) -> None:
    for chunk_start in range(0, count, CHUNK):
        numbers = range(chunk_start, min(count, chunk_start + CHUNK))
        rows: dict[Any, list[dict[str, Any]]] = {Group: [], Membership: [], Week: [], Delivery: []}
        for n in numbers:
            number = first_id - 1 + n  # names follow ids: group 1 is C..00000
            _plan_group(
                rows,
                first_id + n,
                number,
                teams[n % len(teams)],
                slot_of(n),
                start=start,
                settled_before=settled_before,
            )
        with store.transaction() as session:
            for model in (Group, Membership, Week, Delivery):
                if rows[model]:
                    session.execute(insert(model), rows[model])


def _plan_group(
    rows: dict[Any, list[dict[str, Any]]],
    group_id: int,
    n: int,
    team: str,
    slot: Slot,
    *,
    start: datetime,
    settled_before: datetime,
) -> None:
    members = people(team, n)
    first = slots.next_slot(start, slot.weekday, slot.clock, ZONE)
    group = Group(
        id=group_id,
        team_id=team,
        channel_id=f"C{team[-2:]}{n:05d}",
        topic=f"Topic {n}",
        why="",
        format=GroupFormat.STUDY_AND_PRESENT,
        weekday=slot.weekday,
        session_time=slot.clock,
        session_minutes=60,
        timezone=ZONE,
        weeks=6,
        seats=6,
        min_members=4,
        facilitator_id=members[0],
        state=GroupState.RUNNING,
        created_by=members[0],
        created_at=start,
        cycle_started_at=start,
        prompt_lead_hours=24,
        vote_close_hours=24,
        share_checkins=False,
        checkin_delay_days=1,
    )
    group.memberships = [
        Membership(
            group_id=group_id,
            user_id=user,
            status=MemberStatus.MEMBER,
            goal="",
            minutes_per_week=60,
            joined_at=start,
            created_at=start,
            timezone=ZONE,
        )
        for user in members
    ]
    group.weeks_planned = [
        Week(
            group_id=group_id,
            number=k,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=60),
            revision=1,
        )
        for k, starts_at in enumerate(slots.weekly(first, 6, ZONE), 1)
    ]
    past = due_for_group(group, kickoff=None, polls=[], now=settled_before)
    settled = {item.key for item in past}
    rows[Group].append(
        {
            **_columns(group),
            "next_due_at": next_due_at(group, kickoff=None, polls=[], settled=settled),
        }
    )
    rows[Membership].extend(_columns(m) for m in group.memberships)
    rows[Week].extend(_columns(w) for w in group.weeks_planned)
    rows[Delivery].extend(
        {
            "key": item.key,
            "group_id": group_id,
            "kind": item.kind.value,
            "week": item.week,
            "user_id": item.user_id,
            "state": DeliveryState.SENT,
            "due_at": item.due_at,
            "claimed_at": settled_before,
            "claimed_by": "bench",
            "attempts": 1,
        }
        for item in past
    )


def _columns(obj: Any) -> dict[str, Any]:
    return {
        column.key: getattr(obj, column.key)
        for column in obj.__table__.columns
        if getattr(obj, column.key, None) is not None
    }
