"""`/p2p status` of a stalled group says why it stalled."""

from __future__ import annotations

from bot.devtools.workspace import SimulatedWorkspace
from tests.slack.clock import Clock
from tests.slack.people import ANA, CHANNEL, FAC, run_cycle
from tests.snapshot import stored


def test_status_of_a_stalled_group_gives_the_reason_and_the_facilitators_words(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(FAC, "end", channel_id=CHANNEL)
    ws.submit(FAC, ws.fake.open_modal(FAC), {"reason": "time", "note": "Quarter-end `crunch`"})
    before = stored(ws.store)

    reply = ws.command(ANA, "status", channel_id=CHANNEL)

    assert "🟠 stalled" in reply.json["text"]
    assert "Stalled: lack of time — “Quarter-end 'crunch'”" in reply.json["text"]
    assert stored(ws.store) == before
