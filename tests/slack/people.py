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
