"""The .ics of a group (pure, no database): a moved session, a skipped week, a DST change,
and the provisional series of a group still recruiting — read back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import icalendar

from bot.domain import slots
from bot.domain.calendar import group_calendar
from bot.store.models import Group, GroupFormat, GroupState, Week
from tests.ics import expand

ZONE = "America/New_York"  # summer time starts on 8 March 2026


def a_group(state: GroupState) -> Group:
    return Group(
        id=7,
        team_id="T1",
        channel_id="C1",
        topic="Compilers",
        format=GroupFormat.COURSE,
        weekday=1,  # Tuesdays
        session_time=time(12, 30),
        session_minutes=90,
        timezone=ZONE,
        weeks=4,
        state=state,
        place="Room 12",
    )


def test_a_moved_session_and_a_skipped_week_across_dst() -> None:
    group = a_group(GroupState.RUNNING)
    first = slots.at_local(datetime(2026, 3, 3).date(), time(12, 30), ZONE)  # Tue 3 March
    starts = [
        first,  # week 1, winter time
        slots.weeks_later(first, 2, ZONE),  # week 2: 17 March (10 March skipped)
        slots.at_local(datetime(2026, 3, 26).date(), time(17), ZONE),  # week 3 moved: Thu 17:00
        slots.weeks_later(first, 4, ZONE),  # week 4: 31 March
    ]
    group.weeks_planned = [
        Week(number=n, starts_at=s, ends_at=s + timedelta(minutes=90), revision=2 if n == 3 else 1)
        for n, s in enumerate(starts, 1)
    ]
    ics = group_calendar(group, now=datetime(2026, 3, 12, tzinfo=UTC))
    found, series = expand(ics)
    assert found == starts
    assert found[0].hour == 17 and found[1].hour == 16  # 12:30 local on both sides of DST
    assert series["SEQUENCE"] == 2  # one move, one skip: calendars take the update
    events = list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))
    [moved] = [e for e in events if "RECURRENCE-ID" in e]
    assert moved["LOCATION"] == "Room 12" and "(moved)" in str(moved["SUMMARY"])


def test_a_recruiting_group_offers_its_advertised_slots_as_provisional() -> None:
    group = a_group(GroupState.RECRUITING)
    group.weeks_planned = []
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)  # a Monday
    found, series = expand(group_calendar(group, now=now))
    first = slots.next_slot(now, 1, time(12, 30), ZONE)
    assert found == slots.weekly(first, 4, ZONE)
    assert "provisional" in str(series["DESCRIPTION"])
