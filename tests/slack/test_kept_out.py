"""Input that used to crash a request or slip past a rule: a time zone that names a folder
of the tz database, a link too long to keep, a check-in reply from someone who left."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import reset_tzpath

from sqlalchemy import select

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import resources, slots
from bot.store.models import CheckIn, Group
from tests.slack.clock import Clock
from tests.slack.cycle_steps import group_of
from tests.slack.people import BEN, CHANNEL, CHEN, START_VALUES, run_cycle


def test_a_time_zone_that_is_not_one_is_refused_next_to_the_field(
    ws: SimulatedWorkspace,
) -> None:
    ws.command(BEN, "start", channel_id=CHANNEL)
    form = ws.fake.open_modal(BEN)

    for zone in ("Europe", "America/Argentina", "../etc", "Etc"):
        reply = ws.submit(BEN, form, {**START_VALUES, "timezone": zone})
        assert reply.status == 200
        assert set(reply.json["errors"]) == {"timezone"}, zone

    with ws.store.transaction() as session:
        assert session.scalars(select(Group)).all() == []


def test_a_folder_of_the_systems_tz_database_is_not_a_zone(tmp_path: Path) -> None:
    (tmp_path / "Europe").mkdir()  # where the system's files are read, ZoneInfo raises
    reset_tzpath([str(tmp_path)])  # IsADirectoryError for a folder, not "not found"
    try:
        assert slots.zone_or_none("Europe") is None
    finally:
        reset_tzpath()
    assert slots.zone_or_none("Europe/Amsterdam") is not None


def test_a_link_too_long_to_keep_is_left_out_and_the_others_kept(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    clock.run_until(group_of(ws).weeks_planned[0].starts_at - timedelta(hours=1))
    prompt = ws.fake.find_message(CHANNEL, "Week 1 of 6")
    huge = "https://example.com/" + "a" * 2100

    reply = ws.post(
        BEN, CHANNEL, f"Two reads: <{huge}> and <https://example.com/raft>", thread_ts=prompt.ts
    )

    assert reply is not None and reply.status == 200
    with ws.store.transaction() as session:
        kept = resources.for_group(session, group_of(ws).id)
    assert [r.url for r in kept] == ["https://example.com/raft"]


def test_someone_who_left_cannot_check_in_under_their_old_check_in_dm(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    clock.run_until(group_of(ws).weeks_planned[0].ends_at + timedelta(hours=44))
    checkin = next(m for m in ws.fake.dm(CHEN) if "check-in —" in m.plain)
    ws.command(CHEN, "leave", channel_id=CHANNEL)

    ws.post(CHEN, CHEN, "Learned about CRDTs", thread_ts=checkin.ts)

    with ws.store.transaction() as session:
        assert session.scalars(select(CheckIn)).all() == []
    answer = ws.fake.thread(ws.fake.dm_channel_id(CHEN), checkin.ts)[-1]
    assert "Only members of *Distributed systems* can check in" in answer.plain
