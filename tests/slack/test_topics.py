"""Topic proposals and the vote: no empty vote (the facilitator picks instead), clear answers
to proposals from the wrong place or person, links on the vote, and at most ten options."""

from __future__ import annotations

from sqlalchemy import select

from bot.devtools.fake_slack import Message
from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import topics
from bot.slack import ids
from bot.store.models import Poll, Proposal
from tests.slack.clock import Clock, utc
from tests.slack.cycle_steps import group_of, last_answer, weekly
from tests.slack.people import ANA, BEN, CHANNEL, CHEN, EVA, FAC, run_cycle

PROMPT_1, SESSION_1, VOTE_1 = utc(2026, 3, 18, 17), utc(2026, 3, 19, 17), utc(2026, 3, 19, 18)
VOTE_1_CLOSES, PROMPT_2 = utc(2026, 3, 24, 17), utc(2026, 3, 25, 17)


def proposals(ws: SimulatedWorkspace) -> list[tuple[str, str | None, int | None]]:
    with ws.store.transaction() as session:
        rows = session.scalars(select(Proposal).order_by(Proposal.id)).all()
        return [(p.text, p.link, p.chosen_for_week) for p in rows]


def hold_week_1(ws: SimulatedWorkspace, clock: Clock) -> list[str]:
    """The prompt, the session and its end; the keys of what went out at the end."""
    clock.at(PROMPT_1)
    clock.at(SESSION_1)
    return clock.at(VOTE_1)


def vote_message(ws: SimulatedWorkspace) -> Message:
    return ws.fake.find_message(CHANNEL, "Vote: week")


def has_buttons(message: Message) -> bool:
    return any(b["type"] == "actions" for b in message.blocks)


def buttons(message: Message, block_id: str) -> list[str]:
    block = next(b for b in message.blocks if b.get("block_id") == block_id)
    return [e["text"]["text"] for e in block["elements"]]


# --- nothing proposed -----------------------------------------------------------------------


def test_with_nothing_proposed_the_facilitator_sets_the_topic_instead_of_an_empty_vote(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    before = len(ws.fake.messages(CHANNEL))

    keys = hold_week_1(ws, clock)

    assert weekly(keys) == ["vote"]
    with ws.store.transaction() as session:
        assert session.scalars(select(Poll)).all() == []
    # The channel is told once, and gets no vote to click on.
    prompt, check, notice = ws.fake.messages(CHANNEL)[before:]
    assert "Week 1 of 6" in prompt.plain and "Who's here?" in check.plain
    assert "No topics were proposed for week 2, so there's no vote this time" in notice.plain
    assert f"<@{FAC}> will pick one" in notice.plain and not has_buttons(notice)
    assert weekly(clock.at(VOTE_1.replace(minute=5))) == []

    # The facilitator is asked in a DM, with a button that opens a form.
    ask = ws.fake.find_message(FAC, "Set week 2's topic")
    assert "Nobody has proposed a topic for week 2 of *Distributed systems*" in ask.plain
    ws.click(FAC, ask, ids.SET_TOPIC)
    form = ws.fake.open_modal(FAC)
    assert form is not None and form.title == "Week 2's topic"
    reply = ws.submit(FAC, form, {"proposal": "Paxos made   simple"})
    assert not (reply.json or {}).get("errors"), reply.json

    assert ws.fake.dm(FAC)[-1].plain == "Week 2's topic is *Paxos made simple*."
    assert group_of(ws).week(2).topic == "Paxos made simple"  # type: ignore[union-attr]
    assert proposals(ws) == [("Paxos made simple", None, 2)]
    assert len(ws.fake.messages(CHANNEL)) == before + 3  # nothing more in the channel
    assert weekly(clock.at(VOTE_1_CLOSES)) == []  # no vote to close
    assert weekly(clock.at(PROMPT_2)) == ["prompt"]
    assert "Week 2 of 6: Paxos made simple" in ws.fake.find_message(CHANNEL, "Week 2 of 6").plain


def test_only_the_facilitator_can_set_the_topic(ws: SimulatedWorkspace, clock: Clock) -> None:
    run_cycle(ws, clock)
    hold_week_1(ws, clock)
    ask = ws.fake.find_message(FAC, "Set week 2's topic")

    ws.click(ANA, ask, ids.SET_TOPIC)

    assert "Only the facilitator" in last_answer(ws, ANA)
    assert ws.fake.open_modal(ANA) is None
    assert group_of(ws).week(2).topic is None  # type: ignore[union-attr]


def test_setting_the_topic_again_replaces_it_and_puts_the_first_back_in_the_backlog(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    hold_week_1(ws, clock)
    ask = ws.fake.find_message(FAC, "Set week 2's topic")
    for topic in ("Paxos", "Raft"):  # the facilitator changes their mind
        ws.click(FAC, ask, ids.SET_TOPIC)
        form = ws.fake.open_modal(FAC)
        assert form is not None
        reply = ws.submit(FAC, form, {"proposal": topic})
        assert not (reply.json or {}).get("errors"), reply.json

    assert group_of(ws).week(2).topic == "Raft"  # type: ignore[union-attr]
    assert proposals(ws) == [("Paxos", None, None), ("Raft", None, 2)]
    # Paxos is still a candidate for later weeks.
    for moment in (PROMPT_2, utc(2026, 3, 26, 17), utc(2026, 3, 26, 18)):
        clock.at(moment)
    assert "Week 2 of 6: Raft" in ws.fake.find_message(CHANNEL, "Week 2 of 6").plain
    assert "1️⃣ *Paxos*" in ws.fake.find_message(CHANNEL, "Vote: week 3").plain


# --- proposing from the wrong place ---------------------------------------------------------


def test_propose_outside_a_groups_channel_says_where_to_run_it(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.fake.add_channel("C_RANDOM", name="random", members=[ANA])

    reply = ws.command(ANA, "propose Raft consensus", channel_id="C_RANDOM")

    assert reply.status == 200
    answer = ws.fake.responses(user=ANA)[-1]
    assert answer.response_type == "ephemeral" and answer.channel == "C_RANDOM"
    assert "There's no running peer group in this channel" in answer.text
    assert "run this in the group's channel" in answer.text
    assert proposals(ws) == []


def test_propose_by_someone_outside_the_group_asks_them_to_join(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)

    ws.command(EVA, "propose Raft consensus", channel_id=CHANNEL)

    assert last_answer(ws, EVA).startswith(
        "Only members of *Distributed systems* can propose topics. Its cycle has started; ask "
        "<@U_FAC> about the next one"
    )
    assert proposals(ws) == []


def test_propose_with_no_topic_says_how_to_write_one(ws: SimulatedWorkspace, clock: Clock) -> None:
    run_cycle(ws, clock)

    ws.command(ANA, "propose   ", channel_id=CHANNEL)

    assert "Write the topic, e.g. `/p2p propose Raft consensus`" in last_answer(ws, ANA)
    assert proposals(ws) == []


# --- links ----------------------------------------------------------------------------------


def test_a_proposals_link_shows_on_the_vote(ws: SimulatedWorkspace, clock: Clock) -> None:
    run_cycle(ws, clock)
    # As Slack sends it with links escaped, and as typed.
    ws.command(
        ANA, "propose Raft consensus <https://raft.github.io|raft.github.io>", channel_id=CHANNEL
    )
    ws.command(BEN, "propose CRDTs https://crdt.tech/papers", channel_id=CHANNEL)
    assert last_answer(ws, BEN) == "Added *CRDTs* to the group's topics."
    hold_week_1(ws, clock)

    # A topic added from the vote, with its link.
    ws.click(CHEN, vote_message(ws), ids.PROPOSE)
    form = ws.fake.open_modal(CHEN)
    assert form is not None
    ws.submit(CHEN, form, {"proposal": "Vector clocks", "link": "https://example.org/vc"})

    vote = vote_message(ws)
    assert "1️⃣ *<https://raft.github.io|Raft consensus>*" in vote.plain
    assert "2️⃣ *<https://crdt.tech/papers|CRDTs>*" in vote.plain
    assert "3️⃣ *<https://example.org/vc|Vector clocks>*" in vote.plain
    assert proposals(ws) == [
        ("Raft consensus", "https://raft.github.io", None),
        ("CRDTs", "https://crdt.tech/papers", None),
        ("Vector clocks", "https://example.org/vc", None),
    ]


def test_a_link_in_the_add_a_topic_form_must_be_a_web_address(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "propose Raft", channel_id=CHANNEL)
    hold_week_1(ws, clock)
    ws.click(BEN, vote_message(ws), ids.PROPOSE)
    form = ws.fake.open_modal(BEN)
    assert form is not None

    reply = ws.submit(BEN, form, {"proposal": "CRDTs", "link": "crdt.tech"})

    assert (reply.json or {}).get("errors") == {"link": "Start the link with https://"}
    assert [p[0] for p in proposals(ws)] == ["Raft"]


# --- at most ten options --------------------------------------------------------------------


def test_a_vote_offers_at_most_ten_options_even_with_twelve_proposals(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    proposers = [ANA, BEN, CHEN, FAC]
    for n in range(1, 13):
        ws.command(proposers[n % 4], f"propose Topic {n}", channel_id=CHANNEL)

    hold_week_1(ws, clock)

    vote = vote_message(ws)
    assert buttons(vote, "vote_options") == [
        "1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"
    ]  # fmt: skip
    assert "🔟 *Topic 10*" in vote.plain
    assert "Topic 11" not in vote.plain and "Topic 12" not in vote.plain
    # One more, from the vote: it is kept for later, not squeezed in.
    ws.click(ANA, vote, ids.PROPOSE)
    form = ws.fake.open_modal(ANA)
    assert form is not None
    ws.submit(ANA, form, {"proposal": "Topic 13", "link": ""})
    assert len(buttons(vote_message(ws), "vote_options")) == 10
    group_id = group_of(ws).id
    with ws.store.transaction() as session:
        [poll] = session.scalars(select(Poll)).all()
        assert len(poll.options) == 10
        waiting = [p.text for p in topics.backlog(session, group_id)]
    assert waiting[10:] == ["Topic 11", "Topic 12", "Topic 13"]

    # The next vote takes the ten oldest left: Topic 11 gets on, 12 and 13 still wait.
    ws.click(ANA, vote_message(ws), f"{ids.VOTE_OPTION}_3")
    clock.at(VOTE_1_CLOSES)
    assert "*Topic 3* wins with 1 vote" in ws.fake.find_message(CHANNEL, "Week 2's topic").plain
    for moment in (PROMPT_2, utc(2026, 3, 26, 17), utc(2026, 3, 26, 18)):
        clock.at(moment)
    next_vote = ws.fake.find_message(CHANNEL, "Vote: week 3")
    assert "1️⃣ *Topic 1*" in next_vote.plain and "Topic 3*" not in next_vote.plain
    assert "🔟 *Topic 11*" in next_vote.plain and "Topic 12" not in next_vote.plain
