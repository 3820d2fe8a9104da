"""Property: no request, however mangled, gets a 5xx or a traceback, and a refused one
changes nothing stored (tests/fuzz.py; `python -m tests.fuzz` runs many more)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzz import Bench, bench, run

EXAMPLES = 600  # `python -m tests.fuzz --examples N` runs more


@pytest.fixture(scope="module")
def shared_bench() -> Iterator[Bench]:
    with bench() as the_bench:
        yield the_bench


def test_every_kind_of_request_mangled_never_gets_a_5xx(shared_bench: Bench) -> None:
    kinds = {c.kind for c in shared_bench.captured}
    assert kinds == {"command", "interaction", "event"}
    assert {c.data.get("type") for c in shared_bench.captured} >= {
        "block_actions",
        "view_submission",
        "view_closed",
        "event_callback",
    }

    run(shared_bench, EXAMPLES, derandomize=True)

    tally = shared_bench.tally
    assert tally.tried >= EXAMPLES
    assert tally.server_errors == 0 and tally.tracebacks == []
    assert tally.statuses[200] > 0 and tally.statuses[400] > 0 and tally.statuses[401] > 0
