"""Small builders for domain tests."""

from __future__ import annotations

from datetime import time

from bot.domain import groups
from bot.domain.groups import GroupDraft
from bot.store import Store
from bot.store.models import Group, GroupFormat

TEAM = "T0P2P"
CHANNEL = "C_LEARN"


def draft(**overrides: object) -> GroupDraft:
    values: dict[str, object] = {
        "topic": "Distributed systems",
        "why": "We run a lot of them and few of us know the theory.",
        "format": GroupFormat.STUDY_AND_PRESENT,
        "weekday": 3,
        "session_time": time(18, 0),
        "timezone": "Europe/Amsterdam",
    }
    values.update(overrides)
    return GroupDraft(**values)  # type: ignore[arg-type]


def start_group(store: Store, facilitator: str = "U_FAC", **overrides: object) -> Group:
    with store.transaction() as session:
        return groups.create_group(
            session, team_id=TEAM, channel_id=CHANNEL, user_id=facilitator, draft=draft(**overrides)
        )


def join(store: Store, group_id: int, user_id: str, minutes: int = 120) -> groups.JoinOutcome:
    with store.transaction() as session:
        return groups.join(
            session,
            team_id=TEAM,
            group_id=group_id,
            user_id=user_id,
            goal=f"{user_id} wants to learn consensus",
            minutes_per_week=minutes,
        )


def leave(store: Store, group_id: int, user_id: str) -> groups.LeaveOutcome:
    with store.transaction() as session:
        return groups.leave(session, team_id=TEAM, group_id=group_id, user_id=user_id)
