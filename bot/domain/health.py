"""Signs that a group is drifting, caught early enough for the facilitator to act.

Booking.com lost about one group in five, always to lack of structure, lack of time, or
incompatible expectations. These are the signs of the last two that show in the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.domain.checkins import average_confidence
from bot.store.models import Attendance, CheckIn, Group

STALL_WEEKS = 3  # no session with two people for this many weeks: the group has stalled
STALL_ATTENDEES = 2


def attendance_threshold(members: int) -> int:
    """A thin session has fewer than 4 people — in groups of four or fewer, fewer than two
    thirds of the members (rounded up)."""
    return min(4, math.ceil(2 * members / 3))


def present_count(answers: dict[str, Attendance]) -> int:
    return sum(1 for a in answers.values() if a.present)


@dataclass(frozen=True)
class LowAttendance:
    weeks: tuple[int, int]
    counts: tuple[int, int]
    threshold: int


@dataclass(frozen=True)
class SilentMember:
    user_id: str
    weeks: tuple[int, int]


@dataclass(frozen=True)
class FallingCheckins:
    weeks: tuple[int, int, int]
    rates: tuple[float, float, float]


@dataclass(frozen=True)
class FallingConfidence:
    weeks: tuple[int, int, int]
    averages: tuple[float, float, float]


Signal = LowAttendance | SilentMember | FallingCheckins | FallingConfidence


def signals(
    group: Group,
    week: int,
    attendance: dict[int, dict[str, Attendance]],
    checkins: dict[int, dict[str, CheckIn]],
) -> list[Signal]:
    """What the facilitator should hear about after week `week`."""
    found: list[Signal] = []
    members = [m.user_id for m in group.members]
    if week >= 2:
        counts = (
            present_count(attendance.get(week - 1, {})),
            present_count(attendance.get(week, {})),
        )
        threshold = attendance_threshold(len(members))
        if all(c < threshold for c in counts):
            found.append(LowAttendance((week - 1, week), counts, threshold))
        for user in members:
            missed = not any(_was_there(attendance, w, user) for w in (week - 1, week))
            silent = all(user not in checkins.get(w, {}) for w in (week - 1, week))
            if missed and silent:
                found.append(SilentMember(user, (week - 1, week)))
    if week >= 3 and members:
        weeks = (week - 2, week - 1, week)
        r0, r1, r2 = (
            sum(1 for u in members if u in checkins.get(w, {})) / len(members) for w in weeks
        )
        if r0 > r1 > r2:
            found.append(FallingCheckins(weeks, (r0, r1, r2)))
        c0, c1, c2 = (average_confidence(checkins.get(w, {})) for w in weeks)
        if c0 is not None and c1 is not None and c2 is not None and c0 > c1 > c2:
            found.append(FallingConfidence(weeks, (c0, c1, c2)))
    return found


def has_stalled(
    group: Group,
    week: int,
    attendance: dict[int, dict[str, Attendance]],
    checkins: dict[int, dict[str, CheckIn]],
) -> bool:
    """No session with two people for three weeks: fewer than two said they were there,
    and fewer than two checked in. The last week never counts: the cycle is complete."""
    if week < STALL_WEEKS or week >= len(group.weeks_planned):
        return False
    recent = range(week - STALL_WEEKS + 1, week + 1)
    return all(
        present_count(attendance.get(w, {})) < STALL_ATTENDEES
        and len(checkins.get(w, {})) < STALL_ATTENDEES
        for w in recent
    )


def _was_there(attendance: dict[int, dict[str, Attendance]], week: int, user: str) -> bool:
    answer = attendance.get(week, {}).get(user)
    return answer is not None and answer.present
