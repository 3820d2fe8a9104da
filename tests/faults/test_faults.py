"""The fault-injection suite, small: a whole (one-week) cycle under every fault in turn,
on PostgreSQL. `python -m tests.faults --trials 50` runs many more."""

from __future__ import annotations

import pytest

from tests.faults.cycle import FAULTS, calm_run, trial


@pytest.fixture(scope="module")
def calm(postgres_template: str | None) -> tuple[str, set[str], list]:
    if postgres_template is None:
        pytest.skip("PostgreSQL is not reachable (required when CI=true)")
    due, ticks = calm_run(postgres_template, weeks=1)
    return postgres_template, due, ticks


@pytest.mark.parametrize("seed", [1, 2])
def test_a_cycle_under_fire_posts_everything_due_exactly_once(
    calm: tuple[str, set[str], list], seed: int
) -> None:
    url, due, ticks = calm
    outcome = trial(url, due, ticks, seed=seed, faults=FAULTS, weeks=1)

    assert len(due) > 15  # prompt, attendance, catch-ups, check-ins, reminders, retro...
    assert sorted({fault.split("@")[0] for fault in outcome.faults}) == sorted(FAULTS)
    assert outcome.duplicates == []
    assert outcome.missing == []
    assert outcome.unexpected == []
    assert outcome.given_up == []
