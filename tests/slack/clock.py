"""Moving the whole simulated workspace through time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.devtools.workspace import SimulatedWorkspace
from bot.schedule.runner import TickReport


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


START = datetime(2026, 3, 16, 9, tzinfo=UTC)  # a Monday


class Clock:
    """Moves the whole process (app, fake Slack, scheduler) to a moment and ticks there."""

    def __init__(self, ws: SimulatedWorkspace, traveller: time_machine.travel) -> None:
        self.ws = ws
        self.traveller = traveller
        self.now = START

    def to(self, moment: datetime) -> None:
        self.now = moment
        self.traveller.move_to(moment)

    def tick(self, moment: datetime) -> TickReport:
        self.to(moment)
        return self.ws.tick(moment)

    def run_until(self, end: datetime, step: timedelta = timedelta(hours=1)) -> list[str]:
        """Tick every `step` (as the bot's heartbeat would, only sparser) up to `end`."""
        sent: list[str] = []
        moment = self.now + step
        while moment <= end:
            sent += self.at(moment)
            moment += step
        if self.now < end:
            sent += self.at(end)
        return sent

    def at(self, moment: datetime) -> list[str]:
        """Tick at `moment`; the keys of what went out."""
        return self.tick(moment).sent


@pytest.fixture
def clock(ws: SimulatedWorkspace) -> Iterator[Clock]:
    with time_machine.travel(START, tick=True) as traveller:
        yield Clock(ws, traveller)
