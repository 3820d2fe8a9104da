"""A catch-up DM nobody asked for arrives at a sensible hour where its readers live."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups
from tests.slack.clock import Clock, utc
from tests.slack.people import ANA, BEN, CHANNEL, CHEN, FAC, PEOPLE, run_cycle

ZONES = {user: zone for user, _, zone in PEOPLE}


def catchups(ws: SimulatedWorkspace, user: str) -> list[str]:
    return [m.plain for m in ws.fake.dm(user) if "You missed week 1" in m.plain]


def test_the_catch_up_waits_for_a_waking_hour_for_every_member(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)  # Chen lives in Shanghai; the session ends 19:00 in Amsterdam
    with ws.store.transaction() as session:
        week = groups.live_group(session, team_id=ws.fake.team_id, channel_id=CHANNEL)
        assert week is not None
        ends = week.weeks_planned[0].ends_at
    assert ends == utc(2026, 3, 19, 18)

    clock.run_until(ends + timedelta(hours=13), step=timedelta(minutes=30))
    assert all(catchups(ws, user) == [] for user in (FAC, ANA, BEN, CHEN))  # 03:00 in Shanghai

    clock.run_until(ends + timedelta(hours=14, minutes=30), step=timedelta(minutes=30))
    arrived = clock.now
    for user in (FAC, ANA, BEN, CHEN):
        assert len(catchups(ws, user)) == 1, user
        assert 8 <= arrived.astimezone(ZoneInfo(ZONES[user])).hour < 21, user
