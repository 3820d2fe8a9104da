"""Schedules live in the group's time zone: an 18:00 session stays at 18:00 local when summer
time ends, and a zone without daylight saving keeps one UTC time all year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine

from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from tests.slack.clock import Clock, utc
from tests.slack.cycle_steps import group_of, weekly
from tests.slack.people import CHANNEL, FAC, kickoff_message, recruit, schedule_kickoff


@pytest.fixture
def october(ws: SimulatedWorkspace) -> Iterator[Clock]:
    """Monday 12 October 2026. Summer time in Europe ends on Sunday 25 October."""
    start = utc(2026, 10, 12, 9)
    with time_machine.travel(start, tick=True) as traveller:
        clock = Clock(ws, traveller)
        clock.to(start)
        yield clock


def start_on_thursdays_at_six(
    ws: SimulatedWorkspace, clock: Clock, timezone: str, *, kickoff_utc: datetime
) -> None:
    """A group meeting on Thursdays at 18:00 in `timezone`, kicked off on Tuesday 13 October
    at 18:00 there (`kickoff_utc`); week 1 is Thursday 15 October."""
    recruit(ws, timezone=timezone)
    schedule_kickoff(ws, "2026-10-13", "18:00")
    assert weekly(clock.at(kickoff_utc - timedelta(minutes=1))) == []
    assert weekly(clock.at(kickoff_utc)) == ["kickoff"]
    ws.click(FAC, kickoff_message(ws), ids.CYCLE_START)


def run_through(clock: Clock, timeline: list[tuple[datetime, list[str]]]) -> None:
    for moment, expected in timeline:
        assert weekly(clock.at(moment)) == expected, f"at {moment:%a %d %b %H:%M} UTC"


def test_an_amsterdam_group_keeps_its_1800_session_when_summer_time_ends(
    ws: SimulatedWorkspace, october: Clock
) -> None:
    start_on_thursdays_at_six(ws, october, "Europe/Amsterdam", kickoff_utc=utc(2026, 10, 13, 16))

    # 18:00 in Amsterdam is 16:00 UTC in summer time, 17:00 UTC after 25 October.
    assert [w.starts_at for w in group_of(ws).weeks_planned] == [
        utc(2026, 10, 15, 16),
        utc(2026, 10, 22, 16),
        utc(2026, 10, 29, 17),
        utc(2026, 11, 5, 17),
        utc(2026, 11, 12, 17),
        utc(2026, 11, 19, 17),
    ]
    run_through(
        october,
        [
            (utc(2026, 10, 14, 15, 59), []),
            (utc(2026, 10, 14, 16), ["prompt"]),
            (utc(2026, 10, 15, 16), ["attendance"]),
            (utc(2026, 10, 15, 17), ["vote"]),
            (utc(2026, 10, 21, 15, 59), []),
            (utc(2026, 10, 21, 16), ["prompt"]),
            (utc(2026, 10, 22, 16), ["attendance"]),
            (utc(2026, 10, 22, 17), ["vote"]),
            # After the clocks go back: the old UTC time passes quietly, 18:00 local posts.
            (utc(2026, 10, 28, 16), []),
            (utc(2026, 10, 28, 17), ["prompt"]),
            (utc(2026, 10, 29, 16), []),
            (utc(2026, 10, 29, 17), ["attendance"]),
            (utc(2026, 10, 29, 18), ["vote"]),
        ],
    )
    prompt = ws.fake.find_message(CHANNEL, "Week 3 of 6")
    assert "Thursday 29 October, 18:00 (Europe/Amsterdam)" in prompt.plain
    assert f"<!date^{int(utc(2026, 10, 29, 17).timestamp())}^" in prompt.plain
    assert "Moved:" not in prompt.plain
    assert "Week 3" in ws.fake.find_message(CHANNEL, "Who's here?").plain


def test_a_kolkata_group_meets_at_the_same_utc_time_all_year(
    ws: SimulatedWorkspace, october: Clock
) -> None:
    start_on_thursdays_at_six(ws, october, "Asia/Kolkata", kickoff_utc=utc(2026, 10, 13, 12, 30))

    # India keeps UTC+05:30 all year: 18:00 there is 12:30 UTC, before and after Europe's change.
    assert [w.starts_at for w in group_of(ws).weeks_planned] == [
        utc(2026, 10, 15, 12, 30),
        utc(2026, 10, 22, 12, 30),
        utc(2026, 10, 29, 12, 30),
        utc(2026, 11, 5, 12, 30),
        utc(2026, 11, 12, 12, 30),
        utc(2026, 11, 19, 12, 30),
    ]
    run_through(
        october,
        [
            (utc(2026, 10, 14, 12, 29), []),
            (utc(2026, 10, 14, 12, 30), ["prompt"]),
            (utc(2026, 10, 15, 12, 30), ["attendance"]),
            (utc(2026, 10, 15, 13, 30), ["vote"]),
            (utc(2026, 10, 21, 12, 30), ["prompt"]),
            (utc(2026, 10, 22, 12, 30), ["attendance"]),
            (utc(2026, 10, 22, 13, 30), ["vote"]),
            (utc(2026, 10, 28, 12, 29), []),
            (utc(2026, 10, 28, 12, 30), ["prompt"]),
            (utc(2026, 10, 29, 12, 30), ["attendance"]),
        ],
    )
    prompt = ws.fake.find_message(CHANNEL, "Week 3 of 6")
    assert "Thursday 29 October, 18:00 (Asia/Kolkata)" in prompt.plain
