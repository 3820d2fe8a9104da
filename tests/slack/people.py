"""The simulated workspace's people and the steps most tests take."""

from __future__ import annotations

from typing import Any

from bot.devtools.fake_slack import Message
from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids

CHANNEL = "C_LEARN"
FAC, ANA, BEN, CHEN, DEV, EVA, FINN, GUS = (
    "U_FAC",
    "U_ANA",
    "U_BEN",
    "U_CHEN",
    "U_DEV",
    "U_EVA",
    "U_FINN",
    "U_GUS",
)
PEOPLE = [
    (FAC, "fran", "Europe/Amsterdam"),
    (ANA, "ana", "Europe/Lisbon"),
    (BEN, "ben", "Europe/Berlin"),
    (CHEN, "chen", "Asia/Shanghai"),
    (DEV, "dev", "Asia/Kolkata"),
    (EVA, "eva", "Europe/Amsterdam"),
    (FINN, "finn", "Europe/Helsinki"),
    (GUS, "gus", "America/New_York"),
]

START_VALUES: dict[str, Any] = {
    "topic": "Distributed systems",
    "why": "We run many of them and few of us know the theory.",
    "format": "study_present",
    "weekday": "3",
    "session_time": "18:00",
    "timezone": "Europe/Amsterdam",
    "weeks": "6",
    "seats": "6",
    "min_members": "4",
    "facilitator_minutes": "120",
}


def start_group(ws: SimulatedWorkspace, user: str = FAC, **values: Any) -> Message:
    """`/p2p start`, fill the form, submit: returns the recruitment message."""
    ws.command(user, f"start {values.get('topic', START_VALUES['topic'])}", channel_id=CHANNEL)
    modal = ws.fake.open_modal(user)
    assert modal is not None, "the start form did not open"
    reply = ws.submit(user, modal, {**START_VALUES, **values})
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body_text
    return recruitment(ws)


def recruitment(ws: SimulatedWorkspace) -> Message:
    return ws.fake.find_message(CHANNEL, "Join")


def join(
    ws: SimulatedWorkspace, user: str, goal: str = "Learn consensus", minutes: int = 120
) -> None:
    ws.click(user, recruitment(ws), ids.JOIN)
    modal = ws.fake.open_modal(user)
    assert modal is not None, f"the join form did not open for {user}"
    reply = ws.submit(user, modal, {"goal": goal, "minutes_per_week": str(minutes)})
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body_text


def recruit(ws: SimulatedWorkspace, **values: Any) -> None:
    """A group with the facilitator and three members (the minimum of four)."""
    start_group(ws, **values)
    join(ws, ANA, goal="Understand Raft well enough to review our etcd setup", minutes=30)
    join(ws, BEN, goal="Design a sharded queue for payments", minutes=120)
    join(ws, CHEN, goal="Learn how CRDTs work for our offline editor", minutes=90)


def schedule_kickoff(ws: SimulatedWorkspace, day: str, clock: str) -> None:
    nudge = ws.fake.find_message(FAC, "Schedule kick-off")
    ws.click(FAC, nudge, ids.KICKOFF_SCHEDULE)
    modal = ws.fake.open_modal(FAC)
    assert modal is not None
    reply = ws.submit(FAC, modal, {"kickoff_date": day, "kickoff_time": clock})
    assert not (reply.json or {}).get("errors"), reply.json


def kickoff_message(ws: SimulatedWorkspace) -> Message:
    return ws.fake.find_message(CHANNEL, "I'm aligned")


def run_cycle(ws: SimulatedWorkspace, clock: Any, **values: Any) -> None:
    """Recruit, hold the kick-off on Tuesday 17 March 2026 and start the cycle: week 1 is
    Thursday 19 March, 18:00 in Amsterdam (17:00 UTC)."""
    from datetime import UTC, datetime

    recruit(ws, **values)
    schedule_kickoff(ws, "2026-03-17", "18:00")
    clock.at(datetime(2026, 3, 17, 17, tzinfo=UTC))
    ws.click(FAC, kickoff_message(ws), ids.CYCLE_START)
