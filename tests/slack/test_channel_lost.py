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


def test_a_retro_that_failed_while_the_channel_was_lost_goes_out_after_resume(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock, weeks="1")  # week 1, the last, ends Thursday 19 March 19:00 CET
    clock.run_until(utc(2026, 3, 19, 17, 30))
    ws.fake.remove_bot(CHANNEL)

    clock.run_until(utc(2026, 3, 19, 19))

    assert not any("Retro" in m.plain for m in ws.fake.messages(CHANNEL))
    assert "/p2p resume" in ws.fake.dm(FAC)[-1].plain
    ws.fake.add_member(CHANNEL, ws.fake.bot_user_id)
    ws.command(FAC, "resume", channel_id=CHANNEL)

    clock.run_until(utc(2026, 3, 19, 21))

    retros = [m for m in ws.fake.messages(CHANNEL) if "🏁 Retro" in m.plain]
    assert len(retros) == 1
