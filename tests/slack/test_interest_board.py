"""The interest board end to end: people say what they want to learn and when they could
meet, the bot proposes a group to a facilitator, who starts it; the others are invited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import interest
from bot.slack import ids
from bot.store.models import Ambassador, CohortProposal, ProposalState
from tests.slack.clock import START, Clock
from tests.slack.people import ANA, BEN, CHANNEL, CHEN, EVA, FAC, GUS, recruitment

TUE_THU = ["1", "3"]


def want(
    ws: SimulatedWorkspace, user: str, topic: str, windows: list[str], **values: Any
) -> dict[str, Any]:
    """`/p2p want <topic>`, then the form: returns the fields it opened with."""
    reply = ws.command(user, f"want {topic}", channel_id=CHANNEL)
    assert reply.status == 200
    modal = ws.fake.open_modal(user)
    assert modal is not None and modal.callback_id == ids.WANT_VIEW
    opened = {b["block_id"]: b["element"] for b in modal.blocks if b["type"] == "input"}
    submitted = ws.submit(user, modal, {"weekdays": TUE_THU, "windows": windows, **values})
    assert not (submitted.json or {}).get("errors"), submitted.json
    return opened


def dm_text(ws: SimulatedWorkspace, user: str) -> str:
    return "\n".join(m.plain for m in ws.fake.dm(user))


IDA = "U_IDA"


def test_five_people_in_three_zones_become_a_group(ws: SimulatedWorkspace, clock: Clock) -> None:
    ws.fake.add_user(IDA, name="ida", real_name="Ida", tz="America/New_York")
    ws.fake.add_member(CHANNEL, IDA)
    with ws.store.transaction() as session:
        session.add(Ambassador(team_id=ws.fake.team_id, user_id=FAC))
    # 16:00 UTC on Tuesdays and Thursdays is noon in New York, 16:00 in Lisbon and 17:00 in
    # Amsterdam (an hour later in both after 29 March): inside everyone's hours throughout.
    opened = want(ws, ANA, "Kubernetes", ["afternoon", "evening"])
    assert opened["timezone"]["initial_value"] == "Europe/Lisbon"  # from the Slack profile
    assert "You want *Kubernetes*. You're the first." in dm_text(ws, ANA)
    want(ws, GUS, "kubernetes basics", ["lunch"])
    assert "it joined *Kubernetes*, the same topic written differently" in dm_text(ws, GUS)
    want(ws, EVA, "  KUBERNETES! ", ["afternoon", "evening"])
    want(ws, IDA, "Kubernets", ["lunch"])
    want(ws, FAC, "Kubernetes", ["evening"], why="We run three clusters")
    want(ws, CHEN, "Kubernetes", ["evening"])  # Shanghai evenings: nobody else then

    ws.command(CHEN, "want", channel_id=CHANNEL)
    board = ws.fake.ephemerals(CHEN)[-1].plain
    assert "Kubernetes" in board and "6 people want it · you do" in board

    clock.tick(START + timedelta(minutes=5))  # the heartbeat's pass over the board

    proposal = ws.fake.find_message(FAC, "Start it?")
    assert proposal.plain.startswith(
        "Five people want *Kubernetes*; Tuesdays 16:00 UTC works for all five "
        "(12:00 in New York, 16:00 in Lisbon, 17:00 in Amsterdam). Start it?"
    ), proposal.plain
    assert "Start this group" in proposal.plain and "Not me" in proposal.plain
    assert "not at an hour you gave" in dm_text(ws, CHEN)
    for other in (ANA, GUS, EVA, IDA):
        assert "Start it?" not in dm_text(ws, other)

    ws.click(FAC, proposal, ids.PROPOSAL_START)
    form = ws.fake.open_modal(FAC)
    assert form is not None and form.callback_id == ids.START_VIEW
    fields = {b["block_id"]: b["element"] for b in form.blocks if b["type"] == "input"}
    assert fields["topic"]["initial_value"] == "Kubernetes"
    assert fields["weekday"]["initial_option"]["value"] == "1"  # Tuesday
    assert fields["session_time"]["initial_time"] == "16:00"
    assert fields["timezone"]["initial_value"] == "UTC"
    assert fields[ids.START_CHANNEL]["type"] == "conversations_select"
    ws.fake.add_channel("C_QUIET", name="quiet", members=[FAC], bot_is_member=False)
    refused = ws.submit(FAC, form, {ids.START_CHANNEL: "C_QUIET", "why": "Three clusters"})
    assert "I'm not in that channel" in (refused.json or {}).get("errors", {})[ids.START_CHANNEL]
    reply = ws.submit(FAC, form, {ids.START_CHANNEL: CHANNEL, "why": "We run three clusters"})
    assert not (reply.json or {}).get("errors"), reply.json

    posted = recruitment(ws)
    assert "Kubernetes" in posted.plain and "Tuesdays, 16:00–17:00 (UTC)" in posted.plain
    assert "I've invited 4 people waiting on *Kubernetes* to join" in dm_text(ws, FAC)
    assert "can't make this hour" in dm_text(ws, FAC)
    for person in (ANA, GUS, EVA, IDA):
        invite = ws.fake.find_message(person, "Want in?")
        ws.click(person, invite, ids.JOIN)
        modal = ws.fake.open_modal(person)
        assert modal is not None
        ws.submit(person, modal, {"goal": "Run our clusters", "minutes_per_week": "120"})
    assert "Want in?" not in dm_text(ws, CHEN)
    members = recruitment(ws).plain
    assert "Members (5/6)" in members
    assert all(f"<@{u}>" in members for u in (FAC, ANA, GUS, EVA, IDA))

    # Chen is still on the board; the five are off it; the group counts as formed.
    ws.command(CHEN, "want", channel_id=CHANNEL)
    board = ws.fake.ephemerals(CHEN)[-1].plain
    assert "1 person want it · you do · 1 group formed" in board
    with ws.store.transaction() as session:
        [stored] = session.query(CohortProposal).all()
        assert stored.state is ProposalState.STARTED and stored.group_id is not None

    # Not any more: off the board; I want to learn…: the form, in their zone.
    ws.click(CHEN, ws.fake.ephemerals(CHEN)[-1], ids.WANT_DROP)
    assert any("You're off the board for *Kubernetes*" in r.plain for r in ws.fake.responses(CHEN))
    ws.command(CHEN, "want", channel_id=CHANNEL)
    emptied = ws.fake.ephemerals(CHEN)[-1]
    assert "Nobody has said what they want to learn yet" in emptied.plain
    ws.click(CHEN, emptied, ids.WANT_OPEN)
    form = ws.fake.open_modal(CHEN)
    assert form is not None and form.callback_id == ids.WANT_VIEW
    fields = {b["block_id"]: b["element"] for b in form.blocks if b["type"] == "input"}
    assert fields["timezone"]["initial_value"] == "Asia/Shanghai"  # from the Slack profile


def test_a_proposal_moves_on_when_declined_or_left_a_week(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    for user in (ANA, GUS, EVA):
        want(ws, user, "Rust", ["lunch", "afternoon", "evening"])
    ws.command(BEN, "want", channel_id=CHANNEL)  # the board: "I want this too"
    board = ws.fake.ephemerals(BEN)[-1]
    assert "*Rust*\n3 people want it" in board.plain
    ws.click(BEN, board, ids.WANT_TOO)
    form = ws.fake.open_modal(BEN)
    assert form is not None and form.callback_id == ids.WANT_VIEW
    fields = {b["block_id"]: b["element"] for b in form.blocks if b["type"] == "input"}
    assert fields["topic"]["initial_value"] == "Rust"
    ws.submit(BEN, form, {"weekdays": TUE_THU, "windows": ["lunch", "afternoon", "evening"]})
    assert "3 others want it too" in dm_text(ws, BEN)
    clock.tick(START + timedelta(minutes=5))
    first = ws.fake.find_message(ANA, "Start it?")  # nobody is an ambassador: the first asker
    assert "Four people want *Rust*" in first.plain

    ws.click(ANA, first, ids.PROPOSAL_DECLINE)
    assert "I'll ask someone else" in dm_text(ws, ANA) or any(
        "ask someone else" in r.plain for r in ws.fake.responses(ANA)
    )
    second = ws.fake.find_message(GUS, "Start it?")
    assert "Four people want *Rust*" in second.plain

    clock.tick(START + timedelta(days=8))  # a week without an answer
    assert "Start it?" in dm_text(ws, EVA)
    ws.click(GUS, second, ids.PROPOSAL_START)  # too late now
    assert any("moved on to someone else" in r.plain for r in ws.fake.responses(GUS))


def test_a_proposal_dm_goes_out_once_through_a_lost_answer_and_a_crash(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    for user in (ANA, GUS, EVA, BEN):
        want(ws, user, "Rust", ["lunch", "afternoon", "evening"])

    def proposals(user: str) -> int:
        return sum("Start it?" in m.plain for m in ws.fake.dm(user))

    # The pass that matched the board and took Ana's DM died before it posted.
    clock.to(START + timedelta(minutes=4))
    with ws.store.transaction() as session:
        interest.plan(session, now=START + timedelta(minutes=4))
        claim, _ = interest.claim_next_unsent(session) or (None, None)
        assert claim is not None and claim.facilitator_id == ANA
        assert interest.claim_next_unsent(session) is None  # one proposal, taken
    clock.tick(START + timedelta(minutes=5))
    assert proposals(ANA) == 0  # another pass leaves it to its owner while the lease runs
    lease_out = START + timedelta(minutes=5) + interest.DM_LEASE
    clock.tick(lease_out)  # the lease is out: looked for, not there, sent
    assert proposals(ANA) == 1

    # Ana says no. Slack takes Gus's DM but the answer never arrives, and the look for it
    # fails too: the claim is kept, neither dropped (a resend without looking) nor confirmed.
    ws.fake.drop_after("chat.postMessage", when=lambda args: "Start it?" in args.get("text", ""))
    ws.fake.fail("conversations.history", "internal_error")
    ws.click(ANA, ws.fake.find_message(ANA, "Start it?"), ids.PROPOSAL_DECLINE)
    assert proposals(GUS) == 1
    clock.tick(lease_out + timedelta(minutes=2))
    assert proposals(GUS) == 1
    clock.tick(lease_out + interest.DM_LEASE + timedelta(minutes=1))  # found, not sent again
    clock.tick(lease_out + interest.DM_LEASE + timedelta(minutes=10))
    assert proposals(GUS) == 1 and proposals(EVA) == 0
    with ws.store.transaction() as session:
        [stored] = session.query(CohortProposal).all()
        assert stored.dm_sent_at is not None and stored.facilitator_id == GUS


def test_a_notice_slack_did_not_take_is_said_at_the_next_pass(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    for user in (ANA, GUS, EVA, BEN):
        want(ws, user, "Rust", ["lunch", "afternoon", "evening"])
    want(ws, CHEN, "Rust", ["evening"])  # Shanghai evenings: nobody else then

    def told(user: str) -> int:
        return sum("not at an hour you gave" in m.plain for m in ws.fake.dm(user))

    ws.fake.fail(
        "chat.postMessage",
        "internal_error",
        when=lambda args: args.get("channel") == CHEN and "hour you gave" in args.get("text", ""),
    )
    clock.tick(START + timedelta(minutes=5))
    assert told(CHEN) == 0 and ws.fake.find_message(ANA, "Start it?")
    clock.tick(START + timedelta(minutes=6))
    assert told(CHEN) == 1
    clock.tick(START + timedelta(minutes=7))
    assert told(CHEN) == 1
    assert sum("Start it?" in m.plain for m in ws.fake.dm(ANA)) == 1
