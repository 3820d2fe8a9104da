"""Thousands of running groups, written in bulk, for the scheduler benchmarks.

One group per weekly slot is planned by the pure planner as the bot would plan it: what
fell due before `settled_before` is in the ledger as sent (steady state: the past is done),
and the index holds its next due moment, as `schedule.index` would have written it. The
other groups in that slot are copies under their own ids and names.
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
    templates: dict[Slot, _Template] = {}
    for chunk_start in range(0, count, CHUNK):
        rows: dict[Any, list[dict[str, Any]]] = {Group: [], Membership: [], Week: [], Delivery: []}
        for n in range(chunk_start, min(count, chunk_start + CHUNK)):
            slot = slot_of(n)
            if slot not in templates:
                templates[slot] = _plan(slot, start=start, settled_before=settled_before)
            number = first_id - 1 + n  # names follow ids: group 1 is C..00000
            templates[slot].copy_into(rows, first_id + n, number, teams[n % len(teams)])
        with store.transaction() as session:
            for model in (Group, Membership, Week, Delivery):
                if rows[model]:
                    session.execute(insert(model), rows[model])


@dataclass
class _Template:
    """One group per slot, planned by the planner; the others are copies with their own ids
    (a key is `kind:group[:…][:person]`)."""

    group: dict[str, Any]
    members: list[dict[str, Any]]
    weeks: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]

    def copy_into(
        self, rows: dict[Any, list[dict[str, Any]]], group_id: int, n: int, team: str
    ) -> None:
        users = people(team, n)
        rows[Group].append(
            {
                **self.group,
                "id": group_id,
                "team_id": team,
                "channel_id": f"C{team[-2:]}{n:05d}",
                "topic": f"Topic {n}",
                "facilitator_id": users[0],
                "created_by": users[0],
            }
        )
        rows[Membership].extend(
            {**m, "group_id": group_id, "user_id": users[i]} for i, m in enumerate(self.members)
        )
        rows[Week].extend({**w, "group_id": group_id} for w in self.weeks)
        for delivery in self.deliveries:
            parts = delivery["key"].split(":")
            parts[1] = str(group_id)
            user = delivery["user_id"]
            if user is not None:
                user = parts[-1] = users[int(user[-1])]
            rows[Delivery].append(
                {**delivery, "key": ":".join(parts), "group_id": group_id, "user_id": user}
            )


def _plan(slot: Slot, *, start: datetime, settled_before: datetime) -> _Template:
    members = people("T_00", 0)
    group_id = 0
    first = slots.next_slot(start, slot.weekday, slot.clock, ZONE)
    group = Group(
        id=group_id,
        team_id="T_00",
        channel_id="C0000000",
        topic="Topic 0",
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
    return _Template(
        group={
            **_columns(group),
            "next_due_at": next_due_at(group, kickoff=None, polls=[], settled=settled),
        },
        members=[_columns(m) for m in group.memberships],
        weeks=[_columns(w) for w in group.weeks_planned],
        deliveries=[
            {
                "key": item.key,
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
        ],
    )


def _columns(obj: Any) -> dict[str, Any]:
    return {
        column.key: getattr(obj, column.key)
        for column in obj.__table__.columns
        if getattr(obj, column.key, None) is not None
    }
