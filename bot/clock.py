"""The one place the bot asks what time it is.

Everything time-dependent takes its "now" from here, so a simulation (`p2p-bot demo`)
can run weeks in seconds by setting the clock; tests move it with time-machine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _source()


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (None restores the real one)."""
    global _source
    _source = source or (lambda: datetime.now(UTC))
