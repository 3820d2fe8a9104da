"""The cohort matcher: people who want the same topic, and an hour of the week they share.

Pure: people (each with a time zone and the weekdays and hours they could meet, in their
own time zone) in; cohorts with a weekly slot (a weekday and time in UTC) and the people
nobody could be matched with, each with the reason, out. No database, no Slack.

How it works. A week is 672 quarter-hours (Monday 00:00 UTC first). Each person's free
time becomes a 672-bit mask per week of the horizon — their local weekdays and hours
rotated by their UTC offset that week, so daylight-saving changes in any zone move it —
and the quarters where a whole session fits, in *every* week of the horizon, are the
person's possible starts. A topic's cohort is formed at the start most of the remaining
people share (earliest in the week on a tie, whole hours before half hours); more people
than one group's seats become several cohorts at that hour; then the rest are tried again.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

QUARTER = timedelta(minutes=15)
QUARTERS_PER_DAY = 96
QUARTERS_PER_WEEK = 7 * QUARTERS_PER_DAY
FULL = (1 << QUARTERS_PER_WEEK) - 1
# Sessions start on the hour or the half hour: "Thursdays 16:00 UTC", never 16:15.
HALF_HOURS = sum(1 << q for q in range(0, QUARTERS_PER_WEEK, 2))

DEFAULT_MIN_SIZE = 4
DEFAULT_MAX_SIZE = 6
DEFAULT_HORIZON_WEEKS = 8  # six weekly sessions, and two weeks to get going
DEFAULT_SESSION_MINUTES = 60


@dataclass(frozen=True)
class Availability:
    """When someone could meet, on their own clock: weekdays (0 = Monday) and the hours of
    the day that are free (hour h means h:00 to h+1:00)."""

    timezone: str
    weekdays: frozenset[int]
    hours: frozenset[int]

    def is_free(self, local: datetime) -> bool:
        return local.weekday() in self.weekdays and local.hour in self.hours


@dataclass(frozen=True)
class Wanter:
    """A person who wants a topic; `order` ranks who asked first (smaller is earlier)."""

    user_id: str
    availability: Availability
    order: int = 0


@dataclass(frozen=True, order=True)
class Slot:
    """A weekly session start in UTC."""

    weekday: int
    start: time

    @property
    def quarter(self) -> int:
        return self.weekday * QUARTERS_PER_DAY + self.start.hour * 4 + self.start.minute // 15

    @classmethod
    def from_quarter(cls, quarter: int) -> Slot:
        day, rest = divmod(quarter, QUARTERS_PER_DAY)
        return cls(day, time(rest // 4, (rest % 4) * 15))

    def instant(self, week_of: date) -> datetime:
        """The slot's moment in the week (Monday to Sunday) that contains `week_of`."""
        monday = week_of - timedelta(days=week_of.weekday())
        return datetime.combine(monday + timedelta(days=self.weekday), self.start, tzinfo=UTC)


@dataclass(frozen=True)
class Cohort:
    slot: Slot
    members: tuple[str, ...]  # in the order they asked


class Reason(enum.StrEnum):
    TOO_FEW = "too_few"  # fewer people want the topic than a group needs
    NO_SHARED_HOUR = "no_shared_hour"  # enough people, but not enough free at their hours
    NO_ROOM = "no_room"  # enough people at their hour, but the cohorts there are full
    NO_TIMES = "no_times"  # no hour that stays free through the weeks ahead


@dataclass(frozen=True)
class LeftOut:
    user_id: str
    reason: Reason
    best_slot: Slot | None = None  # the hour of theirs that most people share
    others_then: int = 0  # how many others are free at best_slot
    short_by: int = 0  # how many more people would make a group there


@dataclass
class Match:
    cohorts: list[Cohort] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    start: date  # the horizon starts in the week of this day
    weeks: int = DEFAULT_HORIZON_WEEKS
    min_size: int = DEFAULT_MIN_SIZE
    max_size: int = DEFAULT_MAX_SIZE
    session_minutes: int = DEFAULT_SESSION_MINUTES

    def __post_init__(self) -> None:
        if not 2 <= self.min_size <= self.max_size:
            raise ValueError("need 2 <= min_size <= max_size")
        if self.weeks < 1 or not 15 <= self.session_minutes <= 24 * 60:
            raise ValueError("need at least one week and a session of 15 min to 24 h")

    @cached_property
    def mondays(self) -> tuple[date, ...]:
        first = self.start - timedelta(days=self.start.weekday())
        return tuple(first + timedelta(weeks=k) for k in range(self.weeks))

    @property
    def session_quarters(self) -> int:
        return -(-self.session_minutes // 15)


# --- the matcher ----------------------------------------------------------------------------


def match(topics: Mapping[str, Sequence[Wanter]], rules: Rules) -> dict[str, Match]:
    """Every topic's cohorts and left-out people."""
    return {topic: match_topic(wanters, rules) for topic, wanters in topics.items()}


def match_topic(wanters: Sequence[Wanter], rules: Rules) -> Match:
    result = Match()
    people = _unique(wanters)
    if not people:
        return result
    starts = {w.user_id: possible_starts(w.availability, rules) & HALF_HOURS for w in people}
    bits = {user: _bits(mask) for user, mask in starts.items()}
    everyone = _counts(bits.values())
    if len(people) < rules.min_size:
        short = rules.min_size - len(people)
        result.left_out = [
            _left(w.user_id, Reason.TOO_FEW, bits[w.user_id], everyone, short_by=short)
            for w in people
        ]
        return result
    remaining = [w for w in people if starts[w.user_id]]
    counts = everyone
    while remaining:
        best = _best(counts)
        if best is None or counts[best] < rules.min_size:
            break
        bit = 1 << best
        there = [w for w in remaining if starts[w.user_id] & bit]
        for size in _sizes(len(there), rules):
            taken, there = there[:size], there[size:]
            result.cohorts.append(Cohort(Slot.from_quarter(best), tuple(w.user_id for w in taken)))
        placed = {u for c in result.cohorts for u in c.members}
        remaining = [w for w in remaining if w.user_id not in placed]
        counts = _counts(bits[w.user_id] for w in remaining)
    placed = {u for c in result.cohorts for u in c.members}
    for w in people:
        if w.user_id in placed:
            continue
        mine = starts[w.user_id]
        if not mine:
            result.left_out.append(LeftOut(w.user_id, Reason.NO_TIMES, short_by=rules.min_size))
            continue
        left = _left(w.user_id, Reason.NO_SHARED_HOUR, bits[w.user_id], everyone, short_by=0)
        if left.others_then + 1 >= rules.min_size:
            left = LeftOut(w.user_id, Reason.NO_ROOM, left.best_slot, left.others_then, 0)
        else:
            left = LeftOut(
                w.user_id,
                Reason.NO_SHARED_HOUR,
                left.best_slot,
                left.others_then,
                rules.min_size - left.others_then - 1,
            )
        result.left_out.append(left)
    return result


def _unique(wanters: Sequence[Wanter]) -> list[Wanter]:
    seen: dict[str, Wanter] = {}
    for w in sorted(wanters, key=lambda w: (w.order, w.user_id)):
        seen.setdefault(w.user_id, w)
    return list(seen.values())


def _sizes(count: int, rules: Rules) -> list[int]:
    """How `count` people free at one hour split into groups: as few as fit the seats, as
    even as possible, none under the minimum (then some wait for the next one)."""
    groups = -(-count // rules.max_size)
    while groups > 1 and count // groups < rules.min_size:
        groups -= 1
    usable = min(count, groups * rules.max_size)
    base, extra = divmod(usable, groups)
    return [base + (1 if i < extra else 0) for i in range(groups)]


def _counts(positions: Iterable[list[int]]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for mine in positions:
        counts.update(mine)
    return counts


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _best(counts: Counter[int]) -> int | None:
    if not counts:
        return None
    # Most people; then on the hour before half past; then earliest in the week.
    return max(counts, key=lambda q: (counts[q], q % 4 == 0, -q))


def _left(
    user_id: str, reason: Reason, bits: list[int], everyone: Counter[int], short_by: int
) -> LeftOut:
    if not bits:
        return LeftOut(user_id, reason, None, 0, short_by)
    best = max(bits, key=lambda q: (everyone[q], q % 4 == 0, -q))
    return LeftOut(user_id, reason, Slot.from_quarter(best), everyone[best] - 1, short_by)


# --- masks ----------------------------------------------------------------------------------


def possible_starts(availability: Availability, rules: Rules) -> int:
    """The UTC quarter-hours of the week at which a session fits this person in every week
    of the horizon."""
    return _starts(availability, rules.mondays, rules.session_quarters)


@lru_cache(maxsize=65536)
def _starts(availability: Availability, mondays: tuple[date, ...], length: int) -> int:
    starts = FULL
    following = week_mask(availability, mondays[0])
    for monday in mondays:
        free = following
        following = week_mask(availability, monday + timedelta(weeks=1))
        both = free | following << QUARTERS_PER_WEEK  # a late-Sunday session ends on Monday
        fits = free
        for i in range(1, length):
            fits &= both >> i
        starts &= fits
        if not starts:
            break
    return starts


def week_mask(availability: Availability, monday: date) -> int:
    """Bit q is set when the person is free in the q-th quarter-hour (UTC) of that week."""
    local = _local_mask(availability.weekdays, availability.hours)
    if not local:
        return 0
    mask = 0
    for first, end, offset in _offsets(availability.timezone, monday):
        span = (1 << end) - (1 << first)  # quarters first..end-1 of the UTC week
        mask |= _rotate(local, offset) & span
    return mask


def _rotate(mask: int, by: int) -> int:
    """Bit q of the result is bit (q + by) mod 672 of `mask`."""
    by %= QUARTERS_PER_WEEK
    return ((mask >> by) | (mask << (QUARTERS_PER_WEEK - by))) & FULL


@lru_cache(maxsize=4096)
def _local_mask(weekdays: frozenset[int], hours: frozenset[int]) -> int:
    day = 0
    for hour in hours:
        if 0 <= hour < 24:
            day |= 0b1111 << (hour * 4)
    mask = 0
    for weekday in weekdays:
        if 0 <= weekday < 7:
            mask |= day << (weekday * QUARTERS_PER_DAY)
    return mask


@lru_cache(maxsize=4096)
def _offsets(timezone: str, monday: date) -> tuple[tuple[int, int, int], ...]:
    """The zone's UTC offset (in quarter-hours) over the UTC week, as runs of
    (first quarter, end quarter, offset): one run, or two in a week the clocks change."""
    zone = ZoneInfo(timezone)
    begin = datetime.combine(monday, time(), tzinfo=UTC)
    hourly = [_offset(begin + timedelta(hours=h), zone) for h in range(0, 7 * 24)]
    runs: list[tuple[int, int, int]] = []
    for hour, offset in enumerate(hourly):
        if runs and runs[-1][2] == offset:
            runs[-1] = (runs[-1][0], (hour + 1) * 4, offset)
        else:
            runs.append((hour * 4, (hour + 1) * 4, offset))
    return tuple(runs)


def _offset(instant: datetime, zone: ZoneInfo) -> int:
    delta = instant.astimezone(zone).utcoffset() or timedelta()
    return int(delta / QUARTER)


# --- checks against a real schedule -----------------------------------------------------------


def fits(
    availability: Availability,
    *,
    weekday: int,
    clock: time,
    timezone: str,
    rules: Rules,
) -> bool:
    """Whether a weekly session (weekday and time in `timezone`) falls inside this person's
    free hours in every week of the horizon, checked instant by instant on both clocks."""
    group_zone, person_zone = ZoneInfo(timezone), ZoneInfo(availability.timezone)
    for monday in rules.mondays:
        day = monday + timedelta(days=weekday)
        begin = datetime.combine(day, clock, tzinfo=group_zone).astimezone(UTC)
        for q in range(rules.session_quarters):
            if not availability.is_free((begin + q * QUARTER).astimezone(person_zone)):
                return False
    return True
