"""`/p2p settings`: the facilitator tunes the group's rhythm, and the scheduler follows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import group_settings, groups
from bot.domain.errors import InvalidInput
from bot.domain.group_settings import GroupSettings
from tests.slack.clock import Clock, utc
from tests.slack.people import ANA, CHANNEL, FAC, run_cycle


def the_group(ws: SimulatedWorkspace):  # type: ignore[no-untyped-def]
    with ws.store.transaction() as session:
        return groups.live_group(session, team_id=ws.fake.team_id, channel_id=CHANNEL)


def test_new_settings_move_the_prompt_the_session_end_and_the_check_in(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "settings", channel_id=CHANNEL)
    assert "Only the facilitator" in ws.fake.responses(user=ANA)[-1].text

    ws.command(FAC, "settings", channel_id=CHANNEL)
    modal = ws.fake.open_modal(FAC)
    assert modal is not None and modal.callback_id == "group_settings"
    ws.submit(
        FAC,
        modal,
        {
            "session_minutes": "90",
            "prompt_lead_hours": "48",
            "checkin_delay_days": "2",
            "share_checkins": ["share"],
        },
    )

    group = the_group(ws)
    first = group.weeks_planned[0]
    assert (group.prompt_lead_hours, group.checkin_delay_days, group.share_checkins) == (
        48,
        2,
        True,
    )
    assert first.ends_at - first.starts_at == timedelta(minutes=90)
    # The prompt now goes out two days ahead (Tuesday 17:00 UTC for Thursday's session).
    assert clock.at(utc(2026, 3, 17, 16, 59)) == []
    assert [k.split(":")[0] for k in clock.at(utc(2026, 3, 17, 17, 0))] == ["prompt"]
    # The check-in comes two days after the session, at 10:00 Amsterdam (09:00 UTC).
    sent = clock.run_until(utc(2026, 3, 21, 9, 0))
    assert f"checkin:{group.id}:1:{FAC}" in sent
    assert f"checkin:{group.id}:1:{FAC}" not in clock.run_until(utc(2026, 3, 21, 12, 0))
    dm = [m for m in ws.fake.dm(FAC) if "check-in —" in m.plain][-1]
    assert "Your answers are shared with the group" in dm.plain


def test_settings_outside_their_range_are_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        group_settings.validate(GroupSettings(10, 200, 24, 5, False))
    assert set(raised.value.fields) == {
        "session_minutes",
        "prompt_lead_hours",
        "checkin_delay_days",
    }
