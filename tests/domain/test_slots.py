from __future__ import annotations

from datetime import UTC, datetime, time

from bot.domain import slots


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_an_amsterdam_evening_session_keeps_its_local_time_into_summer_time() -> None:
    # DST starts on Sunday 29 March 2026: 18:00 local is 17:00 UTC before, 16:00 UTC after.
    first = slots.next_slot(
        utc(2026, 3, 16), weekday=3, clock=time(18), timezone="Europe/Amsterdam"
    )
    starts = slots.weekly(first, 3, "Europe/Amsterdam")
    assert starts == [utc(2026, 3, 19, 17), utc(2026, 3, 26, 17), utc(2026, 4, 2, 16)]


def test_an_amsterdam_evening_session_keeps_its_local_time_into_winter_time() -> None:
    # DST ends on Sunday 25 October 2026.
    first = slots.next_slot(
        utc(2026, 10, 19), weekday=3, clock=time(18), timezone="Europe/Amsterdam"
    )
    assert slots.weekly(first, 2, "Europe/Amsterdam") == [
        utc(2026, 10, 22, 16),
        utc(2026, 10, 29, 17),
    ]


def test_a_zone_without_dst_is_a_fixed_offset_all_year() -> None:
    first = slots.next_slot(utc(2026, 3, 16), weekday=3, clock=time(18), timezone="Asia/Kolkata")
    starts = slots.weekly(first, 3, "Asia/Kolkata")
    assert [s.hour for s in starts] == [12, 12, 12]
    assert [s.minute for s in starts] == [30, 30, 30]


def test_the_next_slot_is_strictly_after_the_given_instant() -> None:
    exactly = utc(2026, 3, 19, 17)  # Thursday 18:00 Amsterdam
    assert slots.next_slot(exactly, 3, time(18), "Europe/Amsterdam") == utc(2026, 3, 26, 17)
    just_before = utc(2026, 3, 19, 16, 59)
    assert slots.next_slot(just_before, 3, time(18), "Europe/Amsterdam") == exactly


def test_a_time_skipped_by_the_spring_jump_happens_just_after_it() -> None:
    # 02:30 on 29 March 2026 does not exist in Amsterdam; the session starts at 03:30 local.
    start = slots.at_local(datetime(2026, 3, 29).date(), time(2, 30), "Europe/Amsterdam")
    assert start == utc(2026, 3, 29, 1, 30)


def test_a_day_before_is_on_the_local_clock_across_a_change() -> None:
    # Monday 30 March 2026 18:00 Amsterdam (16:00 UTC, summer time); the day before is
    # Sunday 18:00 local, which is 16:00 UTC too, not 23 hours earlier on the UTC clock.
    monday = utc(2026, 3, 30, 16)
    assert slots.prompt_time(monday, 24, "Europe/Amsterdam") == utc(2026, 3, 29, 16)
    assert slots.prompt_time(monday, 24, "Asia/Kolkata") == utc(2026, 3, 29, 16)
