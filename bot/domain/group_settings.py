"""What a facilitator can tune about a group's rhythm after starting it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain import cycle
from bot.domain.access import require_facilitator
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.groups import get_group
from bot.domain.markup import typed
from bot.store.models import Group

LIMITS = {
    "session_minutes": (30, 240, "minutes"),
    "prompt_lead_hours": (1, 72, "hours"),
    "vote_close_hours": (1, 96, "hours"),
    "checkin_delay_days": (1, 3, "days"),
}


@dataclass(frozen=True)
class GroupSettings:
    session_minutes: int
    prompt_lead_hours: int
    vote_close_hours: int
    checkin_delay_days: int
    share_checkins: bool

    @classmethod
    def of(cls, group: Group) -> GroupSettings:
        return cls(
            session_minutes=group.session_minutes,
            prompt_lead_hours=group.prompt_lead_hours,
            vote_close_hours=group.vote_close_hours,
            checkin_delay_days=group.checkin_delay_days,
            share_checkins=group.share_checkins,
        )


def validate(settings: GroupSettings) -> None:
    errors = {}
    for field, (low, high, unit) in LIMITS.items():
        if not low <= getattr(settings, field) <= high:
            errors[field] = f"Between {low} and {high} {unit}."
    if errors:
        raise InvalidInput(errors)


def update(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    user_id: str,
    settings: GroupSettings,
    now: datetime,
) -> Group:
    """Apply new settings; sessions already held keep the length they had."""
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    require_facilitator(group, user_id)
    if group.is_ended:
        raise Conflict(f"*{typed(group.topic)}* has ended.")
    validate(settings)
    group.session_minutes = settings.session_minutes
    group.prompt_lead_hours = settings.prompt_lead_hours
    group.vote_close_hours = settings.vote_close_hours
    group.checkin_delay_days = settings.checkin_delay_days
    group.share_checkins = settings.share_checkins
    for week in group.weeks_planned:
        if week.starts_at > now:
            week.ends_at = week.starts_at + timedelta(minutes=settings.session_minutes)
    cycle.follow_open_votes(session, group)  # the next prompt may have moved
    session.flush()
    return group
