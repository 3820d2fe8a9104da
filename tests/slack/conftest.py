"""End-to-end fixtures: fake Slack, the real Bolt app over HTTP, a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.workspace import SimulatedWorkspace
from bot.store import Store
from tests.slack.clock import clock  # noqa: F401  (a fixture)
from tests.slack.people import CHANNEL, PEOPLE


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    for user_id, name, tz in PEOPLE:
        fake.add_user(user_id, name=name, real_name=name.title(), tz=tz)
    fake.add_channel(CHANNEL, name="learning", members=[p[0] for p in PEOPLE])
    yield fake
    fake.stop()
    assert fake.take_violations() == [], "the app made calls Slack would refuse"


@pytest.fixture
def ws(store: Store, fake: FakeSlack) -> Iterator[SimulatedWorkspace]:
    with SimulatedWorkspace(store, fake) as workspace:
        yield workspace
