"""Small readers shared by the calendar, topic, vote-burst and DST tests."""

from __future__ import annotations

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups
from bot.store.models import Group
from tests.slack.people import CHANNEL

# What issue 4's weekly cycle posts. Other scheduled items (check-ins, digests...) are left
# out, so these tests say only what they are about.
WEEKLY_CYCLE = ("kickoff", "prompt", "attendance", "vote", "vote_close")


def group_of(ws: SimulatedWorkspace, channel: str = CHANNEL) -> Group:
    with ws.store.transaction() as session:
        return groups.channel_groups(session, team_id=ws.fake.team_id, channel_id=channel)[0]


def weekly(keys: list[str]) -> list[str]:
    """The kinds of the weekly-cycle posts among ledger keys, e.g. ["prompt"]."""
    kinds = [key.split(":")[0] for key in keys]
    return [kind for kind in kinds if kind in WEEKLY_CYCLE]


def posts_containing(ws: SimulatedWorkspace, text: str, channel: str = CHANNEL) -> list[str]:
    """What people read in the channel's top-level posts that contain `text`."""
    return [m.plain for m in ws.fake.messages(channel) if text in m.plain]


def last_answer(ws: SimulatedWorkspace, user: str) -> str:
    """The latest ephemeral answer the user got to a command or a click."""
    return ws.fake.responses(user=user)[-1].text
