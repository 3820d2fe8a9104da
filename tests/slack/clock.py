"""Moving the whole simulated workspace through time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from bot.devtools.workspace import SimulatedWorkspace
from bot.schedule.runner import TickReport


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Clock:
    """Moves the whole process (app, fake Slack, scheduler) to a moment and ticks there."""

    def __init__(self, ws: SimulatedWorkspace, traveller: time_machine.travel) -> None:
        self.ws = ws
        self.traveller = traveller

    def to(self, moment: datetime) -> None:
        self.traveller.move_to(moment)

    def tick(self, moment: datetime) -> TickReport:
        self.to(moment)
        return self.ws.tick(moment)

    def at(self, moment: datetime) -> list[str]:
        """Tick at `moment`; the keys of what went out."""
        return self.tick(moment).sent


@pytest.fixture
def clock(ws: SimulatedWorkspace) -> Iterator[Clock]:
    with time_machine.travel(utc(2026, 3, 16, 9), tick=True) as traveller:
        yield Clock(ws, traveller)
