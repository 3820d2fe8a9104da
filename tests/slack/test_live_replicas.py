"""Two replicas updating one live message: the last to write shows the latest state."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import live
from bot.store import Store
from tests import databases
from tests.slack.people import ANA, BEN, join, recruitment, start_group


@pytest.fixture
def replicas(
    postgres_template: str | None, fake: FakeSlack
) -> Iterator[tuple[SimulatedWorkspace, SimulatedWorkspace]]:
    if postgres_template is None:
        pytest.skip("replicas share PostgreSQL, which is not reachable (required when CI=true)")
    store = Store.from_url(postgres_template)
    databases.truncate_all(store.engine)
    with SimulatedWorkspace(store, fake) as first, SimulatedWorkspace(store, fake) as second:
        yield first, second
    store.dispose()


def test_an_update_rendered_earlier_never_lands_after_a_later_one(
    replicas: tuple[SimulatedWorkspace, SimulatedWorkspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = replicas
    start_group(a)
    b_updated = threading.Event()
    held: list[int] = []
    on_a = threading.local()
    send = live._update

    def a_runs(update: Any) -> Any:
        def marked() -> None:
            on_a.yes = True
            update()

        return marked

    def slow_on_a(*args: Any) -> None:
        if getattr(on_a, "yes", False):
            if not held:  # replica A's first update, already rendered, is slow to go out
                held.append(1)
                b_updated.wait(timeout=3)
            send(*args)
        else:
            send(*args)
            b_updated.set()

    request = a.refresher.request
    monkeypatch.setattr(a.refresher, "request", lambda key, update: request(key, a_runs(update)))
    monkeypatch.setattr(live, "_update", slow_on_a)

    ana_joins = threading.Thread(target=join, args=(a, ANA))
    ana_joins.start()
    a.fake.wait_until(lambda: held or None, timeout=10)  # A rendered "Ana joined" and is sending
    join(b, BEN)
    ana_joins.join(timeout=10)
    a.settle()

    shown = recruitment(a).plain
    assert "<@U_ANA>" in shown and "<@U_BEN>" in shown, shown
    assert "1 more to start" in shown
