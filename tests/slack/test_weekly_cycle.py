"""A group's weeks, run by the scheduler with time moved forward: kick-off, prompts,
attendance, votes, and the winner becoming next week's topic."""

from __future__ import annotations

from sqlalchemy import select

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups, resources
from bot.slack import ids
from bot.store.models import Attendance, Delivery, DeliveryState, GroupState
from tests.slack.clock import Clock, utc
from tests.slack.people import (
    ANA,
    BEN,
    CHANNEL,
    CHEN,
    EVA,
    FAC,
    kickoff_message,
    recruit,
    schedule_kickoff,
)

CYCLE_KINDS = {"kickoff", "prompt", "attendance", "vote", "vote_close"}


def cycle_posts(keys: list[str]) -> list[str]:
    """The weekly-cycle posts among what a tick sent (check-ins and the like aside)."""
    return [k for k in keys if k.split(":")[0] in CYCLE_KINDS]


def group_of(ws: SimulatedWorkspace):  # type: ignore[no-untyped-def]
    with ws.store.transaction() as session:
        return groups.channel_groups(session, team_id=ws.fake.team_id, channel_id=CHANNEL)[0]


def vote_message(ws: SimulatedWorkspace):  # type: ignore[no-untyped-def]
    return ws.fake.find_message(CHANNEL, "Vote: week")


def test_kickoff_then_three_weeks_run_themselves(ws: SimulatedWorkspace, clock: Clock) -> None:
    recruit(ws)

    # The minimum is reached: the facilitator is asked to schedule the kick-off.
    nudge = ws.fake.find_message(FAC, "Schedule kick-off")
    assert "has 4 members — enough to start" in nudge.plain
    schedule_kickoff(ws, "2026-03-17", "18:00")
    assert "Kick-off round 1" in ws.fake.dm(FAC)[-1].plain

    assert cycle_posts(clock.at(utc(2026, 3, 17, 16, 59))) == []
    assert cycle_posts(clock.at(utc(2026, 3, 17, 17, 0))) == [f"kickoff:{group_of(ws).id}:1"]
    kickoff = kickoff_message(ws)
    assert "Understand Raft well enough" in kickoff.plain
    assert "30 min a week" in kickoff.plain and "2 h a week" in kickoff.plain
    assert f"<@{ANA}> can give 30 min a week and <@{FAC}> 2 h — 4× apart" in kickoff.plain
    assert "The session is at 01:00 for" in kickoff.plain  # Chen, in Shanghai
    assert "When someone misses a week" in kickoff.plain and "Ground rules" in kickoff.plain

    for person in (ANA, BEN, CHEN, FAC):
        ws.click(person, kickoff_message(ws), ids.KICKOFF_ALIGNED)
    assert "everyone is aligned" in kickoff_message(ws).plain
    ws.click(EVA, kickoff_message(ws), ids.KICKOFF_ALIGNED)
    assert "Only members" in ws.fake.responses(user=EVA)[-1].text
    ws.click(ANA, kickoff_message(ws), ids.CYCLE_START)
    assert "Only the facilitator" in ws.fake.responses(user=ANA)[-1].text

    ws.click(FAC, kickoff_message(ws), ids.CYCLE_START)
    started = ws.fake.find_message(CHANNEL, "has started")
    assert "6 weekly sessions" in started.plain and "Thursday 18:00" in started.plain
    group = group_of(ws)
    assert group.state is GroupState.RUNNING
    poster = ws.fake.message(CHANNEL, group.recruitment_ts)
    assert "no longer recruiting" in poster.plain and ids.JOIN not in str(poster.blocks)

    # Topics proposed along the way: duplicates merge.
    ws.command(ANA, "propose Raft consensus <https://raft.github.io>", channel_id=CHANNEL)
    ws.command(BEN, "propose raft   CONSENSUS", channel_id=CHANNEL)
    assert "already proposed" in ws.fake.responses(user=BEN)[-1].text
    ws.command(CHEN, "propose CRDTs", channel_id=CHANNEL)

    # Week 1: the prompt a day before, exactly once.
    assert cycle_posts(clock.at(utc(2026, 3, 18, 16, 59))) == []
    assert len(cycle_posts(clock.at(utc(2026, 3, 18, 17, 0)))) == 1
    assert cycle_posts(clock.at(utc(2026, 3, 18, 17, 5))) == []
    prompt = ws.fake.find_message(CHANNEL, "Week 1 of 6")
    assert "An overview of Distributed systems" in prompt.plain
    assert "publication, a talk or an open-source system" in prompt.plain
    ws.post(
        BEN,
        CHANNEL,
        "This paper is great <https://research.google/pubs/chubby>",
        thread_ts=prompt.ts,
    )
    with ws.store.transaction() as session:
        shared = resources.for_group(session, group_of(ws).id)
    assert [(r.url, r.week, r.shared_by) for r in shared] == [
        ("https://research.google/pubs/chubby", 1, BEN)
    ]

    # The session starts: who's here?
    clock.at(utc(2026, 3, 19, 17, 0))
    check = ws.fake.find_message(CHANNEL, "Who's here?")
    ws.click(ANA, check, ids.ATTEND_HERE)
    ws.click(BEN, check, ids.ATTEND_HERE)
    ws.click(CHEN, check, ids.ATTEND_AWAY)
    check = ws.fake.find_message(CHANNEL, "Who's here?")
    assert f"Here: <@{ANA}> and <@{BEN}>" in check.plain
    assert f"Can't make it: <@{CHEN}>" in check.plain
    assert f"No answer yet: <@{FAC}>" in check.plain
    # The facilitator corrects: Chen came after all, and so did the facilitator.
    ws.click(FAC, check, ids.ATTEND_CORRECT)
    ws.submit(FAC, ws.fake.open_modal(FAC), {"present": [ANA, BEN, CHEN, FAC]})
    with ws.store.transaction() as session:
        rows = session.scalars(select(Attendance).where(Attendance.week == 1)).all()
        assert {(r.user_id, r.present, r.answered_by) for r in rows} == {
            (ANA, True, ANA),
            (BEN, True, BEN),
            (CHEN, True, FAC),
            (FAC, True, FAC),
        }

    # The session ends: the vote on week 2's topic.
    clock.at(utc(2026, 3, 19, 18, 0))
    vote = vote_message(ws)
    assert "1️⃣ *<https://raft.github.io|Raft consensus>*" in vote.plain
    assert "2️⃣ *CRDTs*" in vote.plain
    assert "A tie goes to the topic proposed first" in vote.plain
    ws.click(ANA, vote, f"{ids.VOTE_OPTION}_1")
    ws.click(BEN, vote, f"{ids.VOTE_OPTION}_2")
    ws.click(CHEN, vote, f"{ids.VOTE_OPTION}_1")
    ws.click(BEN, vote, f"{ids.VOTE_OPTION}_1")  # Ben changes his mind
    ws.click(EVA, vote, f"{ids.VOTE_OPTION}_2")
    assert "Only members of *Distributed systems* can vote" in ws.fake.responses(user=EVA)[-1].text
    vote = vote_message(ws)
    assert "3 votes" in vote.plain and "0 votes" in vote.plain

    # The deadline: a day before next week's prompt. Then the prompt carries the winner.
    assert cycle_posts(clock.at(utc(2026, 3, 24, 16, 59))) == []
    clock.at(utc(2026, 3, 24, 17, 0))
    closed = vote_message(ws)
    assert "This vote is closed" in closed.plain and "1️⃣" not in _buttons(closed)
    announcement = ws.fake.find_message(CHANNEL, "Week 2's topic")
    assert "*Raft consensus* wins with 3 votes" in announcement.plain
    clock.at(utc(2026, 3, 25, 17, 0))
    assert "Week 2 of 6: Raft consensus" in ws.fake.find_message(CHANNEL, "Week 2 of 6").plain

    # Week 2: a topic added from the vote joins it; a tie is announced as a tie.
    clock.at(utc(2026, 3, 26, 17, 0))
    clock.at(utc(2026, 3, 26, 18, 0))
    vote = vote_message(ws)
    assert "CRDTs" in vote.plain and "Raft" not in vote.plain
    ws.click(BEN, vote, ids.PROPOSE)
    ws.submit(BEN, ws.fake.open_modal(BEN), {"proposal": "Vector clocks", "link": ""})
    vote = vote_message(ws)
    assert "2️⃣ *Vector clocks*" in vote.plain
    ws.click(ANA, vote, f"{ids.VOTE_OPTION}_2")
    ws.click(CHEN, vote, f"{ids.VOTE_OPTION}_1")
    ws.click(FAC, vote, ids.VOTE_CLOSE)  # the facilitator closes it early
    announcement = ws.fake.find_message(CHANNEL, "Week 3's topic")
    assert "It's a tie between *CRDTs* and *Vector clocks* (1 vote each)" in announcement.plain
    assert "*CRDTs* is next" in announcement.plain
    assert (
        cycle_posts(clock.at(utc(2026, 3, 31, 16, 0))) == []
    )  # closed by hand: nothing left to close

    # Week 3 is after the switch to summer time: still 18:00 in Amsterdam, 16:00 UTC.
    assert cycle_posts(clock.at(utc(2026, 4, 1, 15, 59))) == []
    assert len(cycle_posts(clock.at(utc(2026, 4, 1, 16, 0)))) == 1
    assert "Week 3 of 6: CRDTs" in ws.fake.find_message(CHANNEL, "Week 3 of 6").plain
    assert len(cycle_posts(clock.at(utc(2026, 4, 2, 16, 0)))) == 1  # attendance
    # Only "Vector clocks" is left to vote on... and it is, so: a vote with one option.
    clock.at(utc(2026, 4, 2, 17, 0))
    assert "Vector clocks" in vote_message(ws).plain

    with ws.store.transaction() as session:
        ledger = session.scalars(select(Delivery).order_by(Delivery.id)).all()
    keys = [d.key for d in ledger]
    assert len(keys) == len(set(keys))
    assert all(d.state is DeliveryState.SENT for d in ledger if d.key in cycle_posts(keys))
    assert [k.split(":")[0] for k in cycle_posts(keys)] == [
        "kickoff",
        "prompt",
        "attendance",
        "vote",
        "vote_close",
        "prompt",
        "attendance",
        "vote",
        "prompt",
        "attendance",
        "vote",
    ]


def _buttons(message) -> str:  # type: ignore[no-untyped-def]
    return " ".join(
        e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
    )
