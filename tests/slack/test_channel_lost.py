"""A group whose channel is gone — deleted, or the bot removed — pauses, the facilitator
is told once, and what could not be posted goes out after `/p2p resume`."""

from __future__ import annotations

from bot.devtools.workspace import SimulatedWorkspace
from tests.slack.clock import Clock, utc
from tests.slack.people import CHANNEL, FAC, run_cycle

PROMPT_1 = utc(2026, 3, 18, 17)  # a day before week 1's session


def test_a_deleted_channel_pauses_the_group_and_tells_the_facilitator_once(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    told_before = len(ws.fake.dm(FAC))
    ws.fake.delete_channel(CHANNEL)

    report = clock.tick(PROMPT_1)

    assert [k.split(":")[0] for k in report.failed] == ["prompt"]
    told = ws.fake.dm(FAC)[told_before:]
    assert len(told) == 1 and "/invite @p2p" in told[0].plain
    assert clock.tick(utc(2026, 3, 19, 17)).sent == []  # paused: nothing more fails
    assert len(ws.fake.dm(FAC)) == told_before + 1
