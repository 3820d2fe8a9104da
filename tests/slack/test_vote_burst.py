"""A burst of clicks on a vote: no vote is lost, and the message is updated in place no
more often than Slack allows (the Refresher coalesces, at the production interval)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from itertools import pairwise

import pytest
from sqlalchemy import select

from bot.devtools.fake_slack import FakeSlack, Message
from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from bot.slack.refresh import DEFAULT_INTERVAL
from bot.slack.render.format import NUMBER_EMOJI
from bot.store import Store
from bot.store.models import PollOption, Vote
from tests.slack.clock import Clock, utc
from tests.slack.people import (
    ANA,
    BEN,
    CHANNEL,
    CHEN,
    DEV,
    EVA,
    FAC,
    FINN,
    join,
    kickoff_message,
    recruit,
    schedule_kickoff,
)

# Each member's clicks, in order, on options 1-3, and where their vote ends up.
CLICKS = {
    FAC: [1],
    ANA: [1, 2],  # moves her vote
    CHEN: [3, 1, 3],
    DEV: [1, 2, 3, 2],
    EVA: [2, 3, 3, 1],  # takes it back, then votes again
}
DOUBLE_CLICK = (BEN, 2)  # two clicks at the same instant on the same option: no vote
FINAL = {FAC: 1, ANA: 2, CHEN: 3, DEV: 2, EVA: 1}

# The Refresher counts the interval from when an update went out, so Slack never sees two
# chat.update calls for the message closer than that (a few ms for clocks and scheduling).
RENDER_ALLOWANCE = 0.05


@pytest.fixture
def ws(store: Store, fake: FakeSlack) -> Iterator[SimulatedWorkspace]:
    """The workspace with live messages refreshed at the production interval."""
    assert DEFAULT_INTERVAL == 1.5
    with SimulatedWorkspace(store, fake, refresh_interval=DEFAULT_INTERVAL) as workspace:
        yield workspace


def open_vote_with_six_members(ws: SimulatedWorkspace, clock: Clock) -> Message:
    """Six members, three topics, and week 1's vote on Thursday 19 March 2026.

    The group is set up through a second app process at the test interval (waiting out the
    production interval after every join would only make the test slow); the scheduler
    and the burst go through `ws`."""
    with SimulatedWorkspace(ws.store, ws.fake) as setup:
        recruit(setup)
        join(setup, DEV)
        join(setup, EVA)
        schedule_kickoff(setup, "2026-03-17", "18:00")
        clock.at(utc(2026, 3, 17, 17))
        setup.click(FAC, kickoff_message(setup), ids.CYCLE_START)
        for topic in ("Raft", "CRDTs", "Vector clocks"):
            setup.command(ANA, f"propose {topic}", channel_id=CHANNEL)
    for moment in (utc(2026, 3, 18, 17), utc(2026, 3, 19, 17), utc(2026, 3, 19, 18)):
        clock.at(moment)
    return ws.fake.find_message(CHANNEL, "Vote: week 2")


def stored_votes(ws: SimulatedWorkspace) -> dict[str, int]:
    """Each voter's option (its position on the message)."""
    with ws.store.transaction() as session:
        rows = session.execute(
            select(Vote.user_id, PollOption.position).join(
                PollOption, PollOption.id == Vote.option_id
            )
        ).all()
    return dict(rows)  # type: ignore[arg-type]


def stored_as(ws: SimulatedWorkspace, user: str, option: int | None) -> Callable[[], bool]:
    return lambda: stored_votes(ws).get(user) == option


def after(clicks: list[int]) -> int | None:
    """Where a vote is after these clicks: another option moves it, your own takes it back."""
    vote = None
    for option in clicks:
        vote = None if vote == option else option
    return vote


def shown_tally(message: Message) -> dict[int, tuple[int, set[str]]]:
    """What the message shows for each option: its count and who voted for it."""
    shown = {}
    for block in message.blocks:
        text = block.get("text", {}).get("text", "") if block["type"] == "section" else ""
        found = re.match(r"^(\S+) \*.+\*\n`[█░]+` (\d+) votes?(?: · (.*))?$", text, re.S)
        if found:
            position = NUMBER_EMOJI.index(found[1]) + 1
            shown[position] = (int(found[2]), set(re.findall(r"<@(\w+)>", found[3] or "")))
    return shown


def test_a_burst_of_clicks_loses_no_vote_and_updates_the_message_sparingly(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    assert {user: after(clicks) for user, clicks in CLICKS.items()} == FINAL
    vote = open_vote_with_six_members(ws, clock)
    posted_at = len(ws.fake.calls_to("chat.update"))
    start = threading.Barrier(len(CLICKS) + 3)
    failures: list[Exception] = []

    def click(user: str, option: int) -> None:
        ws.driver.click(user, vote, f"{ids.VOTE_OPTION}_{option}")

    def member(user: str, clicks: list[int]) -> None:
        # One person's clicks, each after the one before is stored (as a person clicks).
        start.wait()
        try:
            for n, option in enumerate(clicks, 1):
                click(user, option)
                ws.fake.wait_until(stored_as(ws, user, after(clicks[:n])), timeout=10)
        except Exception as failure:
            failures.append(failure)

    def at_once(user: str, option: int) -> None:
        start.wait()
        click(user, option)

    threads = [threading.Thread(target=member, args=item) for item in CLICKS.items()]
    threads += [threading.Thread(target=at_once, args=DOUBLE_CLICK) for _ in range(2)]
    threads.append(threading.Thread(target=at_once, args=(FINN, 1)))  # not a member
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ws.settle()

    assert failures == []
    # Nothing lost, nothing counted twice: the store and the message both show the end state.
    assert stored_votes(ws) == FINAL
    tally = ws.fake.find_message(CHANNEL, "Vote: week 2")
    assert tally.ts == vote.ts
    assert "(5 votes so far)" in tally.text
    assert shown_tally(tally) == {
        1: (2, {FAC, EVA}),
        2: (2, {ANA, DEV}),
        3: (1, {CHEN}),
    }
    assert f"<@{BEN}>" not in tally.plain and f"<@{FINN}>" not in tally.plain
    assert "Only members of *Distributed systems* can vote" in ws.fake.responses(user=FINN)[-1].text

    # Updated in place, about once per interval, far less often than people clicked.
    updates = [
        call.at
        for call in ws.fake.calls_to("chat.update")[posted_at:]
        if call.args.get("ts") == vote.ts and call.status == 200
    ]
    clicks = sum(len(c) for c in CLICKS.values()) + 2
    assert 2 <= len(updates) <= clicks // 4  # the first at once, the last after the burst
    gaps = [later - earlier for earlier, later in pairwise(updates)]
    assert all(gap >= DEFAULT_INTERVAL - RENDER_ALLOWANCE for gap in gaps), gaps
