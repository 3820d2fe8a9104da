"""Two workspaces, A and B, installed through Add to Slack on one deployment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.workspace import SimulatedWorkspace
from bot.store import Store
from tests.slack.clock import START
from tests.tenancy.teams import Team, add_team

A_PEOPLE = ["UA_FAC", "UA_ANA", "UA_BEN", "UA_CHEN", "UA_DEV"]
B_PEOPLE = ["UB_FAC", "UB_ANA", "UB_BEN", "UB_CHEN", "UB_DEV"]
TOKEN_TTL = 3 * 3600  # short, so the app refreshes tokens (it does so 2 hours ahead)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack(token_rotation=True, token_ttl=TOKEN_TTL).start()
    add_team(fake, "TA", "CA_LEARN", A_PEOPLE)
    add_team(fake, "TB", "CB_LEARN", B_PEOPLE)
    yield fake
    fake.stop()
    assert fake.take_violations() == [], "the app made calls Slack would refuse"


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def ws(
    store: Store, fake: FakeSlack, traveller: time_machine.Traveller
) -> Iterator[SimulatedWorkspace]:
    with SimulatedWorkspace(store, fake, oauth=True) as workspace:
        yield workspace


@pytest.fixture
def a(ws: SimulatedWorkspace) -> Team:
    return Team(ws, "TA", "CA_LEARN", A_PEOPLE)


@pytest.fixture
def b(ws: SimulatedWorkspace) -> Team:
    return Team(ws, "TB", "CB_LEARN", B_PEOPLE)
