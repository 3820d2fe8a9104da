"""Nothing of workspace A can be seen or changed from workspace B.

A runs a group into its first week. Then B — installed on the same deployment — sends
every command, clicks every button, submits every form and posts every kind of message
the app handles, aimed at A's group, votes, check-ins and views (ids copied from A's
messages and forms). Each is refused or ignored: every table reads the same afterwards,
A's people see nothing new, and B's token never writes where A lives (the fake fails the
test on that).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.devtools.block_walk import interactive_elements
from bot.devtools.driver import _state
from bot.devtools.fake_slack import Message, OpenedView
from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from bot.slack.render.help import COMMANDS
from bot.store.base import Base
from tests.tenancy.teams import Team

# slack_events holds the ids of deliveries already handled (so a retry is not handled
# twice), not anything about a workspace; an ignored delivery may leave its id there.
NOT_WORKSPACE_DATA = {"slack_events"}

ACTION_IDS = {
    ids.JOIN,
    ids.LEAVE,
    ids.KICKOFF_SCHEDULE,
    ids.KICKOFF_ALIGNED,
    ids.KICKOFF_AGAIN,
    ids.CYCLE_START,
    ids.ATTEND_HERE,
    ids.ATTEND_AWAY,
    ids.ATTEND_CORRECT,
    ids.VOTE_OPTION,
    ids.VOTE_CLOSE,
    ids.PROPOSE,
    ids.SET_TOPIC,
    ids.CHECKIN,
    ids.CAUGHT_UP,
    ids.FEEDBACK,
    ids.WANT_OPEN,
    ids.WANT_TOO,
    ids.WANT_DROP,
    ids.PROPOSAL_START,
    ids.PROPOSAL_DECLINE,
    ids.HOME_JOIN,
    ids.HOME_CHECKIN,
    ids.HOME_START,
    ids.CALENDAR,
    ids.PROGRAM_EXPORT,
}
# Fields inside a form (read with the form's submission), not actions of their own.
FORM_FIELDS = {ids.START_CHANNEL}
CALLBACK_IDS = {
    ids.START_VIEW,
    ids.JOIN_VIEW,
    ids.KICKOFF_SCHEDULE,
    ids.ATTEND_CORRECT,
    ids.SESSION_MOVE,
    ids.PROPOSE,
    ids.SET_TOPIC,
    ids.CHECKIN,
    ids.FEEDBACK,
    ids.END_GROUP,
    ids.SETTINGS,
    ids.WANT_VIEW,
}


def test_every_id_the_app_uses_is_in_the_matrix() -> None:
    declared = {
        value
        for name, value in vars(ids).items()
        if name.isupper() and isinstance(value, str) and name != "COMMAND"
    }
    assert declared == ACTION_IDS | CALLBACK_IDS | FORM_FIELDS


A_TOPIC = "Category theory for engineers"  # no placeholder says this


def what_b_was_told(ws: SimulatedWorkspace, b: Team) -> list[str]:
    told: list[str] = []
    for person in b.people:
        told += [r.text for r in ws.fake.responses(user=person)]
        told += [m.plain for m in ws.fake.ephemerals(user=person)]
        told += [m.plain for m in ws.fake.dm(person)]
        told += [json.dumps(v.payload) for v in ws.fake.views(person)]
    return told


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def fingerprint(ws: SimulatedWorkspace) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    tables: dict[str, list[str]] = {}
    with ws.store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_WORKSPACE_DATA:
                continue
            rows = connection.execute(select(table)).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


def what_a_sees(
    ws: SimulatedWorkspace, a: Team, intruders: list[str]
) -> list[tuple[str, str, str, int]]:
    """What A's people see from the app (B's own words in a shared channel aside)."""
    seen: list[tuple[str, str, str, int]] = []
    for where in [a.channel, *a.people]:
        for message in ws.fake.messages(where):
            thread = [message, *ws.fake.thread(where, message.ts)]
            seen += [(where, m.ts, m.plain, m.edits) for m in thread if m.user not in intruders]
    for person in a.people:
        seen += [(person, "ephemeral", m.plain, 0) for m in ws.fake.ephemerals(user=person)]
        seen += [(person, "view", json.dumps(v.payload), v.updates) for v in ws.fake.views(person)]
    return seen


def a_messages(ws: SimulatedWorkspace, a: Team) -> list[Message]:
    found: list[Message] = []
    for where in [a.channel, *a.people]:
        for message in ws.fake.messages(where):
            found.append(message)
            found += ws.fake.thread(where, message.ts)
    return found


def run_a_into_week_one(ws: SimulatedWorkspace, a: Team, traveller: time_machine.Traveller) -> None:
    a.recruit(A_TOPIC)
    a.schedule_kickoff("2026-03-17", "18:00")
    for moment in (utc(2026, 3, 17, 17),):
        traveller.move_to(moment)
        ws.tick(moment)
    a.click(a.fac, ws.fake.find_message(a.channel, "I'm aligned"), ids.KICKOFF_ALIGNED)
    a.click(a.fac, ws.fake.find_message(a.channel, "I'm aligned"), ids.CYCLE_START)
    a.command(a.people[1], "propose Raft https://raft.github.io")
    a.command(a.people[2], "propose Paxos made simple")
    for moment in (utc(2026, 3, 18, 17), utc(2026, 3, 19, 17), utc(2026, 3, 19, 19)):
        traveller.move_to(moment)
        ws.tick(moment)
    for moment in (utc(2026, 3, 20, 19),):  # check-ins out, week 2's vote still open
        traveller.move_to(moment)
        ws.tick(moment)
    # A's person wants a topic on A's board (B's board clicks aim at its id).
    a.command(a.people[1], "want Rust for embedded devices")
    wanted = ws.fake.open_modal(a.people[1])
    assert wanted is not None
    a.submit(a.people[1], wanted, {"weekdays": ["1", "3"], "windows": ["evening"]})
    # Forms A's people have open (their ids are what B copies).
    for text in ("settings", "end", "move"):
        a.command(a.fac, text)
    fake = ws.fake
    a.click(a.people[1], fake.find_message(a.people[1], "Week 1 check-in"), ids.CHECKIN)
    a.click(a.fac, fake.find_message(a.channel, "who's here"), ids.ATTEND_CORRECT)
    a.click(a.people[2], fake.find_message(a.channel, "Vote on week 2"), ids.PROPOSE)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_workspace_b_can_neither_see_nor_change_workspace_a(
    ws: SimulatedWorkspace, a: Team, b: Team, traveller: time_machine.Traveller
) -> None:
    ws.install("TA")
    ws.install("TB")
    run_a_into_week_one(ws, a, traveller)
    assert ws.tokens is not None
    ws.tokens.token_for("TA"), ws.tokens.token_for("TB")  # refreshed now, not mid-matrix

    before, seen_before = fingerprint(ws), what_a_sees(ws, a, b.people)
    group_id = _a_group_id(ws)
    intruder, other = b.people[0], b.people[1]

    # Every command, typed by B's people in A's channel (as in a shared channel).
    for usage, _what in COMMANDS:
        word = usage.removeprefix("/p2p ").split(" ")[0]
        for args in ("", " Raft https://raft.github.io"):
            reply = b.command(intruder, f"{word}{args}", channel=a.channel)
            assert reply.status == 200, (word, reply.body_text)

    # Every button, in A's own messages where A has one, else on a copy of A's message.
    messages = a_messages(ws, a)
    buttons_found = set()
    for message in messages:
        for found in interactive_elements(message.blocks):
            action = _known_action(found.action_id)
            if action is not None:
                buttons_found.add(action)
                reply = b.click(intruder, message, found.action_id, _value_of(found.element))
                assert reply.status == 200, (found.action_id, reply.body_text)
    for action_id in sorted(ACTION_IDS - buttons_found):
        # A vote's buttons are numbered: vote_option_1, vote_option_2...
        sent_id = f"{action_id}_1" if action_id == ids.VOTE_OPTION else action_id
        forged = _forged_button(messages[0], sent_id, group_id)
        reply = b.click(intruder, forged, sent_id, None)
        assert reply.status == 200, (action_id, reply.body_text)

    # Every form: A's own views submitted by B (copies where A has none open).
    views = [v for person in a.people for v in ws.fake.views(person)]
    forms_found = set()
    for view in views:
        callback = str(view.payload.get("callback_id"))
        if callback in CALLBACK_IDS:
            forms_found.add(callback)
            _submit_as(b, intruder, view)
    template = next(v for v in views if "group_id" in str(v.payload.get("private_metadata")))
    for callback in sorted(CALLBACK_IDS - forms_found):
        forged = copy.deepcopy(template)
        forged.payload["callback_id"] = callback
        _submit_as(b, intruder, forged)

    # Every kind of message the app reads: in A's week thread and retro thread, in A's
    # channel, and as a check-in reply under A's check-in DM.
    for message in ws.fake.messages(a.channel):
        b.post(other, a.channel, "my notes https://example.com/b", thread_ts=message.ts)
    for message in ws.fake.dm(a.people[1]):
        b.post(other, other, "my check-in answer", thread_ts=message.ts)
    b.post(other, other, "a check-in written straight into the DM")

    # Nothing changed that A (or the database) holds.
    ws.settle()
    # Nor did B's people see anything of A's: not its topic, not its people.
    told_b = what_b_was_told(ws, b)
    assert told_b, "B's people were told nothing: the requests did not reach the app"
    leaks = [t for t in told_b if A_TOPIC in t or "Rust for embedded" in t or "UA_" in t]
    assert leaks == []
    assert fingerprint(ws) == before
    assert what_a_sees(ws, a, b.people) == seen_before
    print(
        f"buttons in A's messages: {sorted(buttons_found)}; forged: {sorted(ACTION_IDS - buttons_found)}"
    )
    print(f"forms A had open: {sorted(forms_found)}; forged: {sorted(CALLBACK_IDS - forms_found)}")
    assert buttons_found >= {
        ids.ATTEND_HERE,
        ids.CHECKIN,
        ids.KICKOFF_ALIGNED,
        ids.VOTE_OPTION,
        ids.VOTE_CLOSE,
    }, buttons_found
    assert len(forms_found) >= 9, forms_found

    # B's uninstall events take B's installation away and leave everything of A's as it was.
    b.driver.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}})
    b.driver.event({"type": "app_uninstalled"})
    ws.settle()
    assert _without(fingerprint(ws), "TB") == _without(before, "TB")
    assert fingerprint(ws) != before  # B's own rows did go

    # The same request from A's own people does change things: the matrix can see a change.
    settled = fingerprint(ws)
    a.command(a.people[3], "leave")
    assert fingerprint(ws) != settled


def _without(tables: dict[str, list[str]], team: str) -> dict[str, list[str]]:
    return {name: [row for row in rows if repr(team) not in row] for name, rows in tables.items()}


def _a_group_id(ws: SimulatedWorkspace) -> int:
    from bot.store.models import Group

    with ws.store.transaction() as session:
        return session.scalars(select(Group.id).where(Group.team_id == "TA")).one()


def _known_action(action_id: str | None) -> str | None:
    for known in ACTION_IDS:
        if action_id == known or (action_id or "").removeprefix(known + "_").isdigit():
            return known
    return None


def _value_of(element: dict[str, Any]) -> Any:
    if element.get("type") == "button":
        return element.get("value")
    options = element.get("options") or []
    return options[0]["value"] if options else None


def _forged_button(message: Message, action_id: str, group_id: int) -> Message:
    forged = copy.deepcopy(message)
    forged.blocks = [
        {
            "type": "actions",
            "block_id": "forged",
            "elements": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "text": {"type": "plain_text", "text": "Go"},
                    "value": str(group_id),
                }
            ],
        }
    ]
    return forged


def _submit_as(team: Team, user: str, view: OpenedView) -> None:
    driver = team.driver
    payload = driver._interaction("view_submission", user)
    payload |= {
        "view": driver._view_payload(view, _state(view, {}, strict=False)),
        "response_urls": [],
    }
    reply = driver._post_payload(payload)
    team.ws.settle()
    assert reply.status == 200, (view.payload.get("callback_id"), reply.body_text)
