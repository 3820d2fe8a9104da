"""`p2p-bot demo` runs a whole cycle on the test bench and prints what people saw."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from bot import clock
from bot.devtools import demo


def test_the_demo_runs_a_whole_cycle_and_prints_a_readable_transcript() -> None:
    out = io.StringIO()

    assert demo.main(out) == 0

    transcript = out.getvalue()
    for seen in (
        "👤 fran types /p2p start Distributed systems",
        "🤖 [#learning]\n      📚 Distributed systems",
        "🚀 Kick-off: Distributed systems",
        "@ana can give 30 min a week and @fran 2 h — 4× apart",
        "📖 Week 1 of 6: An overview of Distributed systems",
        "Who's here?",
        "🗳️ *Vote: week 2's topic",
        "🤖 [DM to ana]\n      📝 *Week 1 check-in",
        "Saved as your week 1 check-in",
        "👋 You missed week 2",
        "📊 *Week 3 check-ins:*",
        "🏁 Retro: Distributed systems",
        "📈 *Cycle summary: Distributed systems*",
        "Outcome: completed · ambassadors: ana · topics wanted next: Kafka internals, Observability",
    ):
        assert seen in transcript, seen
    assert "<@U_" not in transcript and "<!date" not in transcript  # Slack markup made readable
    assert "Slack would have refused" not in transcript
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)  # real time is back
