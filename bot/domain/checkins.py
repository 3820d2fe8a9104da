"""Weekly check-ins: a DM the day after each session, at a sensible hour where each member
lives; one reminder; answers editable until the window closes; a digest for the group."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from statistics import mean

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import slots
from bot.domain.access import require_member
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.groups import get_group
from bot.domain.markup import typed
from bot.store.inserts import locked_row
from bot.store.models import CheckIn, Group, GroupState, Membership, Week

DM_HOUR = time(10, 0)  # the check-in arrives mid-morning, local time
REMINDER_HOUR = time(18, 0)  # the one reminder: the next evening
WINDOW = timedelta(hours=72)  # answers are taken (and editable) until then
MAX_HOURS = 80.0


@dataclass(frozen=True)
class Answers:
    learned: str
    hours: float | None
    went_well: str
    went_badly: str
    confidence: int | None
    blockers: str


def member_zone(group: Group, member: Membership) -> str:
    return member.timezone or group.timezone


def dm_at(group: Group, week: Week, zone: str) -> datetime:
    """The day after the session (or two, as the group set it), mid-morning, in the member's
    own calendar."""
    day = slots.local_date(week.ends_at, zone) + timedelta(days=group.checkin_delay_days)
    return slots.at_local(day, DM_HOUR, zone)


def reminder_at(group: Group, week: Week, zone: str) -> datetime:
    first = dm_at(group, week, zone)
    return slots.at_local(slots.local_date(first, zone) + timedelta(days=1), REMINDER_HOUR, zone)


def window_closes(group: Group, week: Week) -> datetime:
    closes = week.ends_at + WINDOW + timedelta(days=group.checkin_delay_days - 1)
    following = group.week(week.number + 1)
    if following is not None:
        next_prompt = slots.prompt_time(
            following.starts_at, group.prompt_lead_hours, group.timezone
        )
        closes = min(closes, next_prompt - timedelta(hours=1))
    return max(closes, week.ends_at + timedelta(hours=36))


def is_open(group: Group, week: Week, now: datetime) -> bool:
    return week.ends_at <= now < window_closes(group, week)


def validate(answers: Answers) -> None:
    errors = {}
    if answers.hours is not None and not 0 <= answers.hours <= MAX_HOURS:
        errors["hours"] = f"Between 0 and {MAX_HOURS:.0f} hours."
    if answers.confidence is not None and not 1 <= answers.confidence <= 5:
        errors["confidence"] = "Pick 1 to 5."
    if errors:
        raise InvalidInput(errors)


def save(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    week: int,
    user_id: str,
    answers: Answers,
    now: datetime,
) -> CheckIn:
    """Store (or replace) a member's check-in while its window is open."""
    group = get_group(session, team_id=team_id, group_id=group_id)
    require_member(group, user_id, "check in")
    target = _open_week(group, week, now)
    validate(answers)
    row = _row(session, group.id, target.number, user_id, now)
    row.learned = answers.learned.strip()
    row.hours = answers.hours
    row.went_well = answers.went_well.strip()
    row.went_badly = answers.went_badly.strip()
    row.confidence = answers.confidence
    row.blockers = answers.blockers.strip()
    row.updated_at = now
    session.flush()
    return row


def add_reply(
    session: Session, *, group: Group, week: int, user_id: str, text: str, now: datetime
) -> CheckIn:
    """A plain-text answer to the check-in DM: kept as (part of) the member's check-in.
    Only members: someone who left can still reply under their old check-in DM."""
    require_member(group, user_id, "check in")
    target = _open_week(group, week, now)
    row = _row(session, group.id, target.number, user_id, now)
    row.replies = f"{row.replies}\n{text.strip()}".strip()
    if not row.learned:
        row.learned = text.strip()
    row.updated_at = now
    session.flush()
    return row


def open_windows(
    session: Session, *, team_id: str, user_id: str, now: datetime
) -> list[tuple[Group, Week]]:
    """The (group, week) check-ins this person can still answer, latest session first."""
    groups = session.scalars(
        select(Group)
        .join(Membership, Membership.group_id == Group.id)
        .where(
            Group.team_id == team_id,
            Group.state.in_([GroupState.RUNNING, GroupState.PAUSED]),
            Membership.user_id == user_id,
        )
    ).all()
    found = [
        (group, week)
        for group in groups
        if group.is_member(user_id)
        for week in group.weeks_planned
        if is_open(group, week, now)
    ]
    return sorted(found, key=lambda gw: gw[1].ends_at, reverse=True)


def get(session: Session, group_id: int, week: int, user_id: str) -> CheckIn | None:
    return session.scalars(
        select(CheckIn).where(
            CheckIn.group_id == group_id, CheckIn.week == week, CheckIn.user_id == user_id
        )
    ).one_or_none()


def for_week(session: Session, group_id: int, week: int) -> dict[str, CheckIn]:
    rows = session.scalars(
        select(CheckIn).where(CheckIn.group_id == group_id, CheckIn.week == week)
    )
    return {row.user_id: row for row in rows}


def for_group(session: Session, group_id: int) -> dict[int, dict[str, CheckIn]]:
    weeks: dict[int, dict[str, CheckIn]] = {}
    for row in session.scalars(select(CheckIn).where(CheckIn.group_id == group_id)):
        weeks.setdefault(row.week, {})[row.user_id] = row
    return weeks


def _open_week(group: Group, number: int, now: datetime) -> Week:
    week = group.week(number)
    if week is None:
        raise Conflict(f"*{typed(group.topic)}* has no week {number}.")
    if now < week.ends_at:
        raise Conflict(f"Week {number}'s check-in opens after the session.")
    if now >= window_closes(group, week):
        raise Conflict(
            f"Week {number}'s check-in has closed. The next one comes after the next session."
        )
    return week


def _row(session: Session, group_id: int, week: int, user_id: str, now: datetime) -> CheckIn:
    return locked_row(
        session,
        CheckIn,
        {"group_id": group_id, "week": week, "user_id": user_id},
        {
            "submitted_at": now,
            "updated_at": now,
            "learned": "",
            "went_well": "",
            "went_badly": "",
            "blockers": "",
            "replies": "",
        },
    )


# --- the digest ---------------------------------------------------------------------------

_STOPWORDS = frozenset(
    "a an and are as at be but by for from had has have i i'm in is it its just me my no "
    "not of on or our so that the this to too was we were with what which who will would "
    "you your very much more some any really bit get got enough week weeks".split()
)


@dataclass(frozen=True)
class Digest:
    week: int
    members: int
    answered: list[CheckIn]
    total_hours: float
    confidence: float | None
    previous_confidence: float | None
    common_blockers: list[tuple[str, int]]

    @property
    def rate(self) -> float:
        return len(self.answered) / self.members if self.members else 0.0


def digest(group: Group, week: int, rows: dict[int, dict[str, CheckIn]]) -> Digest:
    members = {m.user_id for m in group.members}
    answered = [row for user, row in rows.get(week, {}).items() if user in members]
    return Digest(
        week=week,
        members=len(members),
        answered=sorted(answered, key=lambda r: r.user_id),
        total_hours=sum(r.hours or 0.0 for r in answered),
        confidence=average_confidence(rows.get(week, {})),
        previous_confidence=average_confidence(rows.get(week - 1, {})),
        common_blockers=common_words([r.blockers for r in answered]),
    )


def average_confidence(rows: dict[str, CheckIn]) -> float | None:
    values = [r.confidence for r in rows.values() if r.confidence is not None]
    return round(mean(values), 1) if values else None


def common_words(texts: list[str], top: int = 3) -> list[tuple[str, int]]:
    """The words several people used (each person counted once per word)."""
    counts: Counter[str] = Counter()
    for text in texts:
        words = {w for w in re.findall(r"[a-zA-Z][a-zA-Z'-]{2,}", text.lower())}
        counts.update(w for w in words if w not in _STOPWORDS)
    return [(word, n) for word, n in counts.most_common(top) if n >= 2]
