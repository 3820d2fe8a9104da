"""A group's sessions as an iCalendar file: one weekly series in the group's time zone.

The series is the group's regular slot (same weekday and local time, so daylight saving
never shifts it), repeated as many slots as the cycle spans. A skipped week is an EXDATE
(the sessions after it already moved a week later, which the longer series covers); a moved
session is an override of its slot (RECURRENCE-ID). The UID stays the same and SEQUENCE goes
up with every change, so importing the new file updates the calendar entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.domain import slots
from bot.store.models import Group, GroupState

PRODID = "-//p2p//peer-learning groups//EN"


@dataclass(frozen=True)
class PlannedSession:
    number: int
    starts_at: datetime
    topic: str | None
    revision: int


def planned_sessions(group: Group, now: datetime) -> list[PlannedSession]:
    """The weeks planned; before the kick-off, the slots the group advertises."""
    if group.weeks_planned:
        return [
            PlannedSession(w.number, w.starts_at, w.topic, w.revision) for w in group.weeks_planned
        ]
    first = slots.next_slot(now, group.weekday, group.session_time, group.timezone)
    return [
        PlannedSession(k + 1, start, None, 1)
        for k, start in enumerate(slots.weekly(first, group.weeks, group.timezone))
    ]


def _regular_slot_near(group: Group, start: datetime) -> datetime:
    """The group's regular weekday and time in the week of `start` (week 1 may have moved)."""
    day = slots.local_date(start, group.timezone)
    shift = (group.weekday - day.weekday() + 3) % 7 - 3  # the nearest such weekday
    return slots.at_local(day + timedelta(days=shift), group.session_time, group.timezone)


def _slot_index(first: datetime, start: datetime, timezone: str) -> int:
    days = (slots.local_date(start, timezone) - slots.local_date(first, timezone)).days
    return round(days / 7)


def group_calendar(group: Group, *, now: datetime, team_domain: str = "") -> bytes:
    zone = ZoneInfo(group.timezone)
    sessions = planned_sessions(group, now)
    first = _regular_slot_near(group, sessions[0].starts_at)
    length = timedelta(minutes=group.session_minutes)
    by_slot: dict[int, PlannedSession] = {}
    for session in sessions:
        index = _slot_index(first, session.starts_at, group.timezone)
        while index in by_slot:  # two sessions moved into one week: keep both
            index += 1
        by_slot[index] = session
    span = max(by_slot) + 1
    regular = slots.weekly(first, span, group.timezone)
    skipped = [regular[i] for i in range(span) if i not in by_slot]
    moved = {i: s for i, s in by_slot.items() if s.starts_at != regular[i]}
    sequence = sum(s.revision - 1 for s in sessions) + len(skipped)
    provisional = group.state is GroupState.RECRUITING and not group.weeks_planned

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"P2P: {group.topic}")
    uid = f"p2p-group-{group.id}-{group.team_id}@p2p"
    description = _description(group, provisional)

    series = Event()
    series.add("uid", uid)
    series.add("sequence", sequence)
    series.add("dtstamp", now)
    series.add("summary", f"P2P: {group.topic}")
    series.add("dtstart", first.astimezone(zone))
    series.add("dtend", (first + length).astimezone(zone))
    series.add("rrule", {"freq": "weekly", "count": span})
    if skipped:
        series.add("exdate", [s.astimezone(zone) for s in skipped])
    if group.place:
        series.add("location", group.place)
    series.add("description", description)
    calendar.add_component(series)

    for index, session in sorted(moved.items()):
        override = Event()
        override.add("uid", uid)
        override.add("sequence", sequence)
        override.add("dtstamp", now)
        override.add("recurrence-id", regular[index].astimezone(zone))
        override.add("summary", f"P2P: {group.topic} (moved)")
        override.add("dtstart", session.starts_at.astimezone(zone))
        override.add("dtend", (session.starts_at + length).astimezone(zone))
        if group.place:
            override.add("location", group.place)
        override.add("description", description)
        calendar.add_component(override)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _description(group: Group, provisional: bool) -> str:
    text = f"Peer-learning group: {group.topic}. One session a week"
    text += f" for {group.weeks} weeks." if group.weeks != 1 else "."
    if group.place:
        text += f"\nWhere: {group.place}"
    if provisional:
        text += "\nDates are provisional until the kick-off; get the file again after it."
    text += "\nSkipped or moved sessions: get the file again from the group or App Home."
    return text
