"""`p2p-bot demo` runs a whole cycle on the test bench and prints what people saw: a story
a newcomer can read, including the week where things go wrong."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from bot import clock
from bot.devtools import demo


def test_the_demo_tells_a_readable_story_of_a_whole_cycle() -> None:
    out = io.StringIO()

    assert demo.main(out) == 0

    transcript = out.getvalue()
    flat = " ".join(transcript.split())  # phrases may be wrapped over two lines
    for seen in (
        "👤 fran types /p2p start Distributed systems",
        "▌ 📚 Distributed systems",
        "[ Join ]  [ Leave ]",  # buttons look like buttons
        "[ Join the waitlist ]",
        "you're on the waitlist at place #1",
        "▌ 🚀 Kick-off: Distributed systems",
        "@ana can give 30 min a week and @fran 2 h — 4× apart",
        "[ I'm aligned ✅ ]  [ Start the cycle ]",
        "▌ 📖 Week 1 of 6: An overview of Distributed systems",
        "Who's here?",
        "👤 chen clicks Can't make it",
        "🚫 Can't make it: @chen",
        "👋 You missed week 2 of Distributed systems",
        "🗳️ Vote: week 2's topic",
        "It's a tie between CRDTs and Vector clocks (1 vote each)",
        "a tie goes to the topic proposed first",
        "👤 fran types /p2p skip",
        "No Distributed systems session this week",
        "@dev missed weeks 3 and 4 and didn't check in",
        "Saved as your week 1 check-in",
        "📊 Week 3 check-ins:",
        "▌ 🏁 Retro: Distributed systems",
        "📈 Cycle summary: Distributed systems",
        "Outcome: completed · ambassadors: ana · topics wanted next: Kafka internals, Observability",
    ):
        assert " ".join(seen.split()) in flat, seen

    # Headings in the right place: week 1's check-ins come before week 2 begins.
    week2 = flat.index("— Week 2 —")
    assert flat.index("Saved as your week 1 check-in") < week2
    assert flat.index("📊 Week 1 check-ins") < week2
    # Wrapped, never cut: no line runs past the width, no "more lines" elisions.
    assert max(len(line) for line in transcript.splitlines()) <= demo.WIDTH + 30
    assert "more lines" not in transcript
    # Slack markup made readable: names, dates, no raw mrkdwn.
    assert "<@U_" not in transcript and "<!date" not in transcript
    assert "```" not in transcript and not re.search(r"\*\w[^*\n]*\w\*", transcript)
    assert "Slack would have refused" not in transcript
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)  # real time is back
