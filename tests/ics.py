"""Reading an .ics back the way a calendar does: icalendar parses it, dateutil expands the
RRULE, EXDATEs are removed and RECURRENCE-ID overrides replace their slots."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
from dateutil.rrule import rrulestr


def expand(ics: bytes) -> tuple[list[datetime], icalendar.Event]:
    """Every session start the file holds, in UTC, and the series itself."""
    calendar = icalendar.Calendar.from_ical(ics)
    events = list(calendar.walk("VEVENT"))
    series = next(e for e in events if "RRULE" in e)
    start = series.decoded("DTSTART")
    rule = rrulestr(series["RRULE"].to_ical().decode(), dtstart=start)
    exdates = series.get("EXDATE", [])
    skipped = {
        d.dt for entry in (exdates if isinstance(exdates, list) else [exdates]) for d in entry.dts
    }
    moved = {
        e.decoded("RECURRENCE-ID"): e.decoded("DTSTART") for e in events if "RECURRENCE-ID" in e
    }
    starts = [moved.get(s, s) for s in rule if s not in skipped]
    return [s.astimezone(UTC) for s in starts], series
