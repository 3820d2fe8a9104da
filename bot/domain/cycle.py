"""A running cycle's calendar: which week is next, and the facilitator's changes to it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import slots, topics
from bot.domain.access import require_facilitator
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.groups import get_group
from bot.domain.markup import typed
from bot.store.models import Group, GroupState, Poll, Week


def next_week(group: Group, now: datetime) -> Week | None:
    """The first week whose session has not started yet."""
    return next((w for w in group.weeks_planned if w.starts_at > now), None)


def skip_week(
    session: Session, *, team_id: str, group_id: int, user_id: str, now: datetime
) -> Week:
    """Holiday: the next session and every one after it move a week later."""
    group = _running(session, team_id, group_id, user_id)
    upcoming = _upcoming(group, now)
    for week in upcoming:
        _reschedule(week, slots.weeks_later(week.starts_at, 1, group.timezone))
    follow_open_votes(session, group)
    session.flush()
    return upcoming[0]


def move_next_session(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    user_id: str,
    starts_at: datetime,
    now: datetime,
) -> Week:
    """Move only the next session, e.g. to another day of the same week."""
    group = _running(session, team_id, group_id, user_id)
    upcoming = _upcoming(group, now)
    week = upcoming[0]
    if starts_at <= now:
        raise InvalidInput({"move_date": "Pick a moment in the future."})
    following = upcoming[1] if len(upcoming) > 1 else None
    if following is not None and starts_at >= following.starts_at:
        raise InvalidInput(
            {
                "move_date": f"That's after week {following.number}'s session; use skip for a holiday."
            }
        )
    previous = group.week(week.number - 1)
    if previous is not None and starts_at <= previous.ends_at:
        raise InvalidInput({"move_date": f"That's before week {previous.number}'s session ends."})
    _reschedule(week, starts_at)
    follow_open_votes(session, group)
    session.flush()
    return week


def pause(session: Session, *, team_id: str, group_id: int, user_id: str, now: datetime) -> Group:
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    require_facilitator(group, user_id)
    if group.state is GroupState.PAUSED:
        raise Conflict(
            f"*{typed(group.topic)}* is already paused. `/p2p resume` picks it up again."
        )
    if group.state is not GroupState.RUNNING:
        raise Conflict(f"*{typed(group.topic)}* isn't running, so there is nothing to pause.")
    group.state = GroupState.PAUSED
    group.paused_at = now
    session.flush()
    return group


def suspend(session: Session, *, group_id: int, now: datetime) -> Group:
    """Pause a running group without its facilitator (the bot lost its channel)."""
    group = session.get_one(Group, group_id, with_for_update=True)
    if group.state is GroupState.RUNNING:
        group.state = GroupState.PAUSED
        group.paused_at = now
        session.flush()
    return group


def resume(session: Session, *, team_id: str, group_id: int, user_id: str, now: datetime) -> Group:
    """Back to running: the sessions not yet held restart from the next slot."""
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    require_facilitator(group, user_id)
    if group.state is not GroupState.PAUSED:
        raise Conflict(f"*{typed(group.topic)}* isn't paused.")
    # Sessions that fell in the pause were not held: they, and the rest, start again.
    paused_at = group.paused_at or now
    pending = [w for w in group.weeks_planned if w.starts_at > paused_at]
    if pending:
        first = slots.next_slot(now, group.weekday, group.session_time, group.timezone)
        for offset, week in enumerate(pending):
            _reschedule(week, slots.weeks_later(first, offset, group.timezone))
        follow_open_votes(session, group)
    final = group.weeks_planned[-1] if group.weeks_planned else None
    if final is not None and final.ends_at <= now and group.retro_ts is None:
        final.revision += 1  # the retro is owed afresh (it failed while the channel was lost)
    group.state = GroupState.RUNNING
    group.paused_at = None
    session.flush()
    return group


def next_to_move(group: Group, user_id: str, now: datetime) -> Week:
    """The session `/p2p move` would move, if this person may move it."""
    require_facilitator(group, user_id)
    _require_running(group)
    return _upcoming(group, now)[0]


def _running(session: Session, team_id: str, group_id: int, user_id: str) -> Group:
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    require_facilitator(group, user_id)
    _require_running(group)
    return group


def _require_running(group: Group) -> None:
    if group.state is not GroupState.RUNNING:
        raise Conflict(f"*{typed(group.topic)}* isn't running (it is {group.state.value}).")


def _upcoming(group: Group, now: datetime) -> list[Week]:
    upcoming = [w for w in group.weeks_planned if w.starts_at > now]
    if not upcoming:
        raise Conflict(f"*{typed(group.topic)}* has no sessions left to change.")
    return upcoming


def follow_open_votes(session: Session, group: Group) -> None:
    """An open vote closes a while before the next prompt: when that moves, so does it."""
    open_polls = session.scalars(
        select(Poll).where(Poll.group_id == group.id, Poll.closed_at.is_(None))
    )
    for poll in open_polls:
        deadline = topics.vote_deadline(group, poll.week)
        if deadline is not None:
            poll.closes_at = deadline


def _reschedule(week: Week, starts_at: datetime) -> None:
    if starts_at == week.starts_at:
        return  # not moved: what was already posted for it still holds
    length = week.ends_at - week.starts_at
    week.starts_at = starts_at
    week.ends_at = starts_at + (length or timedelta(hours=1))
    week.revision += 1
