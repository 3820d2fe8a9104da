"""Add to calendar (.ics read back by a real iCalendar library, across a DST change and a
skipped week), what waits in App Home during a cycle, and the program owner's export whose
CSV rows match what is stored — through real HTTP and the fake Slack."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from bot.store.models import Attendance, CheckIn, Group
from tests.ics import expand
from tests.slack.clock import Clock, utc
from tests.slack.cycle_steps import group_of
from tests.slack.people import ANA, BEN, CHANNEL, FAC, run_cycle

BOSS = "U_BOSS"


def home(ws: SimulatedWorkspace, user: str):  # type: ignore[no-untyped-def]
    ws.driver.open_home(user)
    ws.settle()
    view = ws.fake.home(user)
    assert view is not None
    return view


def test_the_calendar_file_follows_the_sessions_across_dst_and_a_skipped_week(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock, place="Room 4.12, Amsterdam office")
    week_1 = group_of(ws).weeks_planned[0]

    # Session day: the attendance check waits for Ana in her Home tab.
    clock.run_until(week_1.starts_at)
    assert "Room 4.12, Amsterdam office" in ws.fake.find_message(CHANNEL, "Week 1 of 6").plain
    assert "Were you there in week 1?" in home(ws, ANA).plain
    ws.click(ANA, ws.fake.find_message(CHANNEL, "Week 1 —"), ids.ATTEND_HERE)
    assert "Were you there in week 1?" not in ws.fake.home(ANA).plain  # type: ignore[union-attr]

    # The day after: her check-in waits — the scheduler republished her Home when the
    # check-in went out — she answers it from Home, and Home updates.
    clock.run_until(week_1.ends_at + timedelta(hours=33))
    view = ws.fake.home(ANA)
    assert view is not None and "Check in for week 1" in view.plain
    # Ben never opened his Home tab: the scheduler spends no calls on it (it still shows
    # what it showed when he joined).
    assert "Check in for week 1" not in ws.fake.home(BEN).plain  # type: ignore[union-attr]
    ws.driver.click_in_view(ANA, view, ids.HOME_CHECKIN)
    ws.settle()
    form = ws.fake.open_modal(ANA)
    assert form is not None and form.callback_id == ids.CHECKIN
    ws.submit(ANA, form, {"learned": "Leader election", "hours": "2", "confidence": "4"})
    assert "Check in for week 1" not in ws.fake.home(ANA).plain  # type: ignore[union-attr]

    # No session next week: week 2 and after move a week later (past the change to summer
    # time on 29 March: 18:00 in Amsterdam is 17:00 UTC before, 16:00 UTC after).
    ws.command(FAC, "skip", channel_id=CHANNEL)
    sessions = [w.starts_at for w in group_of(ws).weeks_planned]
    assert sessions[:3] == [utc(2026, 3, 19, 17), utc(2026, 4, 2, 16), utc(2026, 4, 9, 16)]

    view = home(ws, ANA)
    assert "Room 4.12, Amsterdam office" in view.plain
    ws.driver.click_in_view(ANA, view, ids.CALENDAR, value=str(group_of(ws).id))
    ws.settle()
    [sent] = ws.fake.files(ANA)
    assert sent.filename.endswith(".ics")
    starts, series = expand(sent.content or b"")
    assert starts == sessions
    assert series["LOCATION"] == "Room 4.12, Amsterdam office"
    assert str(series.decoded("DTSTART").tzinfo) == "Europe/Amsterdam"
    assert series.decoded("DTEND") - series.decoded("DTSTART") == timedelta(minutes=60)
    assert "sessions of *Distributed systems*" in ws.fake.messages(ANA)[-1].text


def rows(ws: SimulatedWorkspace, user: str, name: str) -> list[dict[str, str]]:
    [found] = [f for f in ws.fake.files(user) if f.filename == name]
    return list(csv.DictReader(io.StringIO(found.text)))


def test_the_owners_export_matches_what_is_stored_and_keeps_check_ins_private(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    ws.fake.add_user(BOSS, name="boss", tz="Europe/London", is_admin=True)
    run_cycle(ws, clock, place="https://meet.example.com/dist")
    week_1 = group_of(ws).weeks_planned[0]
    clock.run_until(week_1.starts_at)
    check = ws.fake.find_message(CHANNEL, "Week 1 —")
    ws.click(ANA, check, ids.ATTEND_HERE)
    ws.click(BEN, check, ids.ATTEND_AWAY)
    clock.run_until(week_1.ends_at + timedelta(hours=33))
    ws.driver.click_in_view(ANA, home(ws, ANA), ids.HOME_CHECKIN)
    ws.settle()
    ws.submit(
        ANA,
        ws.fake.open_modal(ANA),  # type: ignore[arg-type]
        {"learned": "My private notes on Raft", "hours": "2.5", "confidence": "4"},
    )

    ws.command(BOSS, "stats", channel_id=CHANNEL)
    stats = ws.fake.responses(BOSS)[-1].text  # acknowledged at once, answered right after
    assert "*Attendance*: 50% of 2 answers said they were there · week 1: 50%" in stats
    assert "*Check-ins*: 25% of 4 check-ins owed were sent · 2.5 h studied" in stats

    # Someone who is not a program owner cannot export, even with a forged click.
    ws.driver.click_in_view(ANA, home(ws, BOSS), ids.PROGRAM_EXPORT)
    ws.settle()
    assert ws.fake.files(ANA) == []
    assert "Only program owners can do that" in ws.fake.messages(ANA)[-1].text

    ws.driver.click_in_view(BOSS, home(ws, BOSS), ids.PROGRAM_EXPORT)
    ws.settle()
    names = sorted(f.filename for f in ws.fake.files(BOSS))
    assert names == sorted(
        [
            "groups.csv",
            "members.csv",
            "sessions.csv",
            "checkins.csv",
            "feedback.csv",
            "wanted_topics.csv",
            "program.png",
        ]
    )
    with ws.store.transaction() as session:
        group = session.scalars(select(Group)).one()
        attendance = {a.user_id: a.present for a in session.scalars(select(Attendance))}
        checkins = session.scalars(select(CheckIn)).all()
        members = [m.user_id for m in group.members]
        weeks_begun = [w for w in group.weeks_planned if w.starts_at <= datetime.now(UTC)]

        [g] = rows(ws, BOSS, "groups.csv")
        assert (g["group_id"], g["state"], g["members"], g["place"]) == (
            str(group.id),
            "running",
            "4",
            "https://meet.example.com/dist",
        )
        assert g["cycle_started_at"] == group.cycle_started_at.isoformat()  # type: ignore[union-attr]

        sessions = rows(ws, BOSS, "sessions.csv")
        assert len(sessions) == len(members) * len(weeks_begun) == 4
        assert {r["user_id"]: r["present"] for r in sessions} == {
            u: ("" if u not in attendance else "yes" if attendance[u] else "no") for u in members
        }
        assert {r["starts_at"] for r in sessions} == {week_1.starts_at.isoformat()}

        [c] = rows(ws, BOSS, "checkins.csv")
        assert (c["user_id"], c["week"], float(c["hours"]), c["confidence"]) == (
            checkins[0].user_id,
            "1",
            checkins[0].hours,
            "4",
        )
        # The group did not choose to share answers: the free text stays with her.
        assert c["learned"] == "" and "My private notes" not in str(ws.fake.files(BOSS)[3].text)

        assert [r["user_id"] for r in rows(ws, BOSS, "members.csv")] == [
            m.user_id for m in group.memberships
        ]
    [png] = [f for f in ws.fake.files(BOSS) if f.filename == "program.png"]
    assert (png.content or b"").startswith(b"\x89PNG")
    assert "The program export" in ws.fake.messages(BOSS)[0].text
