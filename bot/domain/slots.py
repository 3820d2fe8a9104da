"""Session times: a weekday and a wall-clock time in the group's zone, kept across DST.

Everything is computed on the local calendar and converted to UTC last, so a session at
18:00 in Amsterdam stays at 18:00 local when the clocks change (its UTC time moves).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The zone named `name`, or None when there is none by that name. ZoneInfo raises
    more than ZoneInfoNotFoundError: `Europe` is a folder of the tz database
    (IsADirectoryError where the system's files are used), `../x` is a ValueError."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, OSError, ValueError):
        return None


def is_zone(name: str | None) -> bool:
    return zone_or_none(name) is not None


def at_local(day: date, clock: time, timezone: str) -> datetime:
    """The UTC instant of `clock` on `day` in `timezone`.

    A time that does not exist (the hour skipped in spring) lands just after the jump;
    a time that happens twice (autumn) is the first of the two.
    """
    # fold=0 gives both behaviours: a gap time is read with the offset before the jump.
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_date(instant: datetime, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()


def local_time(instant: datetime, timezone: str) -> time:
    return instant.astimezone(ZoneInfo(timezone)).time().replace(tzinfo=None)


def next_slot(after: datetime, weekday: int, clock: time, timezone: str) -> datetime:
    """The first session start strictly after `after`."""
    day = local_date(after, timezone)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    slot = at_local(day, clock, timezone)
    while slot <= after:
        day += timedelta(days=7)
        slot = at_local(day, clock, timezone)
    return slot


def weeks_later(start: datetime, weeks: int, timezone: str) -> datetime:
    """The same local weekday and time, `weeks` weeks on."""
    return at_local(
        local_date(start, timezone) + timedelta(weeks=weeks), local_time(start, timezone), timezone
    )


def weekly(first: datetime, count: int, timezone: str) -> list[datetime]:
    return [weeks_later(first, k, timezone) for k in range(count)]


def hours_before(instant: datetime, hours: int, timezone: str) -> datetime:
    """`hours` earlier on the wall clock where the group lives: "24 hours before Monday's
    18:00" is Sunday 18:00 local even when the clocks changed in between."""
    zone = ZoneInfo(timezone)
    local = instant.astimezone(zone).replace(tzinfo=None) - timedelta(hours=hours)
    return local.replace(tzinfo=zone).astimezone(UTC)


def prompt_time(session_start: datetime, lead_hours: int, timezone: str) -> datetime:
    """When a week's prompt goes out."""
    return hours_before(session_start, lead_hours, timezone)
