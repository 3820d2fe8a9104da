"""The end of a cycle: the retro, members' feedback, the summary, and the group's outcome."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import attendance, checkins, interest, resources
from bot.domain.access import require_facilitator, require_member
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.groups import get_group
from bot.domain.health import present_count
from bot.domain.markup import typed
from bot.store.inserts import insert_if_absent, locked_row
from bot.store.models import (
    Ambassador,
    Feedback,
    Group,
    GroupState,
    LearnedGoal,
    Resource,
    RetroReply,
    StallReason,
    TopicRequest,
)

RETRO_WINDOW = timedelta(days=3)  # feedback is taken for this long before the summary
TOPICS_MAX = 1000


@dataclass(frozen=True)
class FeedbackAnswers:
    rating: int
    learned_goal: LearnedGoal
    join_again: bool
    facilitate: bool
    topics_wanted: str


def save_feedback(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    user_id: str,
    answers: FeedbackAnswers,
    now: datetime,
) -> Feedback:
    group = get_group(session, team_id=team_id, group_id=group_id)
    require_feedback_open(group, user_id)
    if not 1 <= answers.rating <= 5:
        raise InvalidInput({"rating": "Pick 1 to 5."})
    if len(answers.topics_wanted) > TOPICS_MAX:
        raise InvalidInput({"topics_wanted": f"Keep this under {TOPICS_MAX} characters."})
    row = locked_row(
        session,
        Feedback,
        {"group_id": group.id, "user_id": user_id},
        {
            "rating": answers.rating,
            "learned_goal": answers.learned_goal,
            "join_again": answers.join_again,
            "facilitate": answers.facilitate,
        },
    )
    row.rating = answers.rating
    row.learned_goal = answers.learned_goal
    row.join_again = answers.join_again
    row.facilitate = answers.facilitate
    row.topics_wanted = answers.topics_wanted.strip()
    row.submitted_at = now
    session.flush()
    return row


def require_feedback_open(group: Group, user_id: str) -> None:
    """Members give feedback from the retro until the summary (a pause doesn't close it)."""
    require_member(group, user_id, "give feedback")
    if group.retro_ts is None or group.state not in {GroupState.RUNNING, GroupState.PAUSED}:
        raise Conflict(f"*{typed(group.topic)}*'s feedback is closed: its summary is out.")


def keep_reply(session: Session, *, group: Group, user_id: str, text: str, message_ts: str) -> bool:
    """A message in the retro thread; a re-delivered event adds nothing."""
    return insert_if_absent(
        session,
        RetroReply,
        {"group_id": group.id, "user_id": user_id, "text": text, "message_ts": message_ts},
        unique=["group_id", "message_ts"],
    )


# --- the summary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekLine:
    number: int
    topic: str
    present: int
    members: int
    checked_in: int
    hours: float


@dataclass(frozen=True)
class Summary:
    group: Group
    weeks: list[WeekLine]
    material: list[Resource]
    feedback: list[Feedback]
    retro_replies: int

    @property
    def checkin_rate(self) -> float:
        possible = sum(w.members for w in self.weeks)
        return sum(w.checked_in for w in self.weeks) / possible if possible else 0.0

    @property
    def total_hours(self) -> float:
        return sum(w.hours for w in self.weeks)

    @property
    def average_rating(self) -> float | None:
        return round(mean(f.rating for f in self.feedback), 1) if self.feedback else None

    def count(self, goal: LearnedGoal) -> int:
        return sum(1 for f in self.feedback if f.learned_goal is goal)

    @property
    def would_join_again(self) -> int:
        return sum(1 for f in self.feedback if f.join_again)

    @property
    def would_facilitate(self) -> list[str]:
        return [f.user_id for f in self.feedback if f.facilitate]


def summary(session: Session, group: Group, now: datetime) -> Summary:
    present = attendance.for_group(session, group.id)
    answers = checkins.for_group(session, group.id)
    members = len(group.members)
    weeks = [
        WeekLine(
            number=w.number,
            topic=w.topic or "open topic",
            present=present_count(present.get(w.number, {})),
            members=members,
            checked_in=len(answers.get(w.number, {})),
            hours=sum(c.hours or 0.0 for c in answers.get(w.number, {}).values()),
        )
        for w in group.weeks_planned
        if w.starts_at <= now
    ]
    feedback = list(
        session.scalars(select(Feedback).where(Feedback.group_id == group.id).order_by(Feedback.id))
    )
    replies = session.scalars(select(RetroReply.id).where(RetroReply.group_id == group.id)).all()
    return Summary(group, weeks, resources.for_group(session, group.id), feedback, len(replies))


# --- outcomes -------------------------------------------------------------------------------


def complete(session: Session, *, group: Group, now: datetime) -> None:
    """The cycle is done: record it, and keep the ambassadors and topic requests."""
    if group.is_ended:
        return
    group.state = GroupState.COMPLETED
    group.ended_at = now
    _harvest(session, group, now)
    session.flush()


def end_early(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    user_id: str,
    reason: StallReason,
    note: str,
    now: datetime,
) -> Group:
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    require_facilitator(group, user_id)
    if group.is_ended:
        raise Conflict(f"*{typed(group.topic)}* has already ended.")
    _stall(group, reason, note, now)
    if group.cycle_started_at is None:
        group.state = GroupState.CANCELLED  # it never started: closed, not stalled
    _harvest(session, group, now)
    session.flush()
    return group


def stall(session: Session, *, group: Group, note: str, now: datetime) -> None:
    """The bot ends a group that stopped meeting."""
    if not group.is_ended:
        _stall(group, StallReason.OTHER, note, now)
        _harvest(session, group, now)
        session.flush()


def _stall(group: Group, reason: StallReason, note: str, now: datetime) -> None:
    group.state = GroupState.STALLED
    group.stall_reason = reason
    group.stall_note = note.strip() or None
    group.ended_at = now


def _harvest(session: Session, group: Group, now: datetime) -> None:
    for row in session.scalars(select(Feedback).where(Feedback.group_id == group.id)):
        if row.facilitate:
            known = session.scalars(
                select(Ambassador).where(
                    Ambassador.team_id == group.team_id, Ambassador.user_id == row.user_id
                )
            ).first()
            if known is None:
                session.add(
                    Ambassador(
                        team_id=group.team_id, user_id=row.user_id, group_id=group.id, since=now
                    )
                )
        named = _topics(row.topics_wanted)
        for text in named:
            session.add(
                TopicRequest(
                    team_id=group.team_id, group_id=group.id, user_id=row.user_id, text=text
                )
            )
        interest.from_retro(session, group=group, user_id=row.user_id, texts=named)


def _topics(text: str) -> list[str]:
    parts = (p.strip(" -•*\t") for p in re.split(r"[\n,;]+", text))
    return [p[:300] for p in parts if p]
