"""The facilitator's calendar: skip a week, move the next session, pause and resume — told
once in the channel, and the scheduler follows the new times. Also the kick-off commands:
`/p2p kickoff`, another round, and starting the cycle below the minimum."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from bot.store.models import Alignment, GroupState, Kickoff
from tests.slack.clock import Clock, utc
from tests.slack.cycle_steps import group_of, last_answer, posts_containing, weekly
from tests.slack.people import (
    ANA,
    BEN,
    CHANNEL,
    CHEN,
    FAC,
    join,
    kickoff_message,
    recruit,
    run_cycle,
    start_group,
)

# run_cycle: week 1 is Thursday 19 March 2026, 18:00 in Amsterdam (17:00 UTC), week 2 on
# the 26th; each prompt goes out a day before. Summer time starts on Sunday 29 March.
WEEK_1 = utc(2026, 3, 19, 17)
PROMPT_1 = utc(2026, 3, 18, 17)


def sessions(ws: SimulatedWorkspace) -> list[datetime]:
    """When each week's session starts, in UTC, week 1 first."""
    return [w.starts_at for w in group_of(ws).weeks_planned]


def channel_posts(ws: SimulatedWorkspace) -> list[str]:
    return [m.plain for m in ws.fake.messages(CHANNEL)]


# --- skip -----------------------------------------------------------------------------------


def test_skip_moves_every_session_a_week_later_and_tells_the_channel_once(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)

    ws.command(FAC, "skip", channel_id=CHANNEL)

    [told] = posts_containing(ws, "No *Distributed systems* session this week")
    assert "Week 1 is now on" in told and "Thursday 26 March, 18:00 (Europe/Amsterdam)" in told
    # Every session a week later, still 18:00 in Amsterdam: from week 2 on, summer time.
    assert sessions(ws) == [utc(2026, 3, 26, 17)] + [
        utc(2026, 4, d, 16) for d in (2, 9, 16, 23, 30)
    ]

    # The old moments pass quietly; the prompt goes out a day before the new session.
    assert weekly(clock.at(PROMPT_1)) == []
    assert weekly(clock.at(WEEK_1)) == []
    assert weekly(clock.at(utc(2026, 3, 25, 16, 59))) == []
    assert weekly(clock.at(utc(2026, 3, 25, 17))) == ["prompt"]
    assert weekly(clock.at(utc(2026, 3, 25, 17, 5))) == []
    [prompt] = posts_containing(ws, "Week 1 of 6")
    assert "Moved:" in prompt and "Thursday 26 March, 18:00 (Europe/Amsterdam)" in prompt
    assert weekly(clock.at(utc(2026, 3, 26, 17))) == ["attendance"]


# --- move -----------------------------------------------------------------------------------


def test_move_opens_a_form_in_the_groups_zone_and_the_prompt_follows_the_new_time(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)

    ws.command(FAC, "move", channel_id=CHANNEL)
    form = ws.fake.open_modal(FAC)
    assert form is not None and form.callback_id == ids.SESSION_MOVE
    assert "Week 1 is now on Thursday 18:00 (Europe/Amsterdam)" in form.plain
    assert "Times are in Europe/Amsterdam" in form.plain
    pickers = {b["block_id"]: b["element"] for b in form.blocks if b["type"] == "input"}
    assert pickers["move_date"]["initial_date"] == "2026-03-19"
    assert pickers["move_time"]["initial_time"] == "18:00"

    # Friday 20 March at 19:30 in Amsterdam is 18:30 UTC.
    reply = ws.submit(FAC, form, {"move_date": "2026-03-20", "move_time": "19:30"})
    assert not (reply.json or {}).get("errors"), reply.json

    [told] = posts_containing(ws, "Week 1 of *Distributed systems* moves to")
    assert "Friday 20 March, 19:30 (Europe/Amsterdam)" in told
    assert sessions(ws)[:2] == [utc(2026, 3, 20, 18, 30), utc(2026, 3, 26, 17)]

    assert weekly(clock.at(PROMPT_1)) == []
    assert weekly(clock.at(WEEK_1)) == []  # no attendance check at the old time
    assert weekly(clock.at(utc(2026, 3, 19, 18, 30))) == ["prompt"]
    [prompt] = posts_containing(ws, "Week 1 of 6")
    assert "Moved:" in prompt and "Friday 20 March, 19:30 (Europe/Amsterdam)" in prompt
    assert weekly(clock.at(utc(2026, 3, 20, 18, 30))) == ["attendance"]
    assert weekly(clock.at(utc(2026, 3, 20, 19, 30))) == ["vote"]  # when the session ends
    # Week 2 did not move: its prompt is still due on Wednesday 25 March, unmarked.
    assert weekly(clock.at(utc(2026, 3, 25, 17))) == ["prompt"]
    assert "Moved:" not in ws.fake.find_message(CHANNEL, "Week 2 of 6").plain


@pytest.mark.parametrize(
    ("day", "clock_time", "error"),
    [
        ("2026-03-16", "18:00", "Pick a moment in the future."),
        ("2026-03-26", "19:00", "That's after week 2's session; use skip for a holiday."),
    ],
)
def test_a_move_to_an_impossible_moment_is_refused_in_the_form_and_changes_nothing(
    ws: SimulatedWorkspace, clock: Clock, day: str, clock_time: str, error: str
) -> None:
    run_cycle(ws, clock)
    before = sessions(ws)
    posted = channel_posts(ws)

    ws.command(FAC, "move", channel_id=CHANNEL)
    form = ws.fake.open_modal(FAC)
    assert form is not None
    reply = ws.submit(FAC, form, {"move_date": day, "move_time": clock_time})

    assert (reply.json or {}).get("errors") == {"move_date": error}
    assert sessions(ws) == before
    assert channel_posts(ws) == posted


# --- only the facilitator -------------------------------------------------------------------


@pytest.mark.parametrize("subcommand", ["skip", "move", "pause", "resume"])
def test_a_member_who_is_not_the_facilitator_is_refused_and_nothing_changes(
    ws: SimulatedWorkspace, clock: Clock, subcommand: str
) -> None:
    run_cycle(ws, clock)
    before = sessions(ws)
    posted = channel_posts(ws)

    ws.command(ANA, subcommand, channel_id=CHANNEL)

    refusal = f"Only the facilitator of *Distributed systems*, <@{FAC}>, can do that."
    assert last_answer(ws, ANA) == refusal
    assert ws.fake.responses(user=ANA)[-1].response_type == "ephemeral"
    assert ws.fake.open_modal(ANA) is None
    assert channel_posts(ws) == posted
    assert sessions(ws) == before
    assert group_of(ws).state is GroupState.RUNNING
    assert weekly(clock.at(PROMPT_1)) == ["prompt"]


# --- pause and resume -----------------------------------------------------------------------


def test_pause_stops_every_post_until_resume_which_replans_from_the_next_slot(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "propose Raft", channel_id=CHANNEL)

    ws.command(FAC, "pause", channel_id=CHANNEL)

    [told] = posts_containing(ws, "is paused")
    assert f"no prompts, checks or votes until <@{FAC}> resumes it" in told
    assert group_of(ws).state is GroupState.PAUSED
    ws.command(FAC, "pause", channel_id=CHANNEL)
    assert "already paused" in last_answer(ws, FAC)
    posted = channel_posts(ws)
    for moment in (PROMPT_1, WEEK_1, utc(2026, 3, 19, 18), utc(2026, 3, 25, 17)):
        assert clock.at(moment) == []
    assert channel_posts(ws) == posted

    # Resumed on Friday 27 March: the next slot is Thursday 2 April (summer time: 16:00 UTC).
    clock.to(utc(2026, 3, 27, 9))
    ws.command(FAC, "resume", channel_id=CHANNEL)

    [back] = posts_containing(ws, "is back on")
    assert "Next up, week 1 on" in back
    assert "Thursday 02 April, 18:00 (Europe/Amsterdam)" in back
    assert group_of(ws).state is GroupState.RUNNING
    assert sessions(ws)[:3] == [utc(2026, 4, 2, 16), utc(2026, 4, 9, 16), utc(2026, 4, 16, 16)]
    ws.command(FAC, "resume", channel_id=CHANNEL)
    assert "isn't paused" in last_answer(ws, FAC)

    assert weekly(clock.at(utc(2026, 4, 1, 15, 59))) == []
    assert weekly(clock.at(utc(2026, 4, 1, 16))) == ["prompt"]
    [prompt] = posts_containing(ws, "Week 1 of 6")
    assert "Moved:" in prompt
    assert weekly(clock.at(utc(2026, 4, 2, 16))) == ["attendance"]
    assert weekly(clock.at(utc(2026, 4, 2, 17))) == ["vote"]
    assert len(posts_containing(ws, "is paused")) == len(posts_containing(ws, "is back on")) == 1


def test_a_short_pause_that_misses_no_session_does_not_repost_the_prompt(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    assert weekly(clock.at(PROMPT_1)) == ["prompt"]

    ws.command(FAC, "pause", channel_id=CHANNEL)
    clock.to(PROMPT_1.replace(hour=20))
    ws.command(FAC, "resume", channel_id=CHANNEL)

    [back] = posts_containing(ws, "is back on")
    assert "Next up, week 1 on" in back and "Thursday 19 March, 18:00" in back
    assert sessions(ws)[0] == WEEK_1
    assert weekly(clock.at(PROMPT_1.replace(hour=20, minute=5))) == []
    assert len(posts_containing(ws, "Week 1 of 6")) == 1
    assert weekly(clock.at(WEEK_1)) == ["attendance"]


# --- an open vote follows the calendar ------------------------------------------------------


def test_moving_the_next_session_earlier_brings_the_open_votes_deadline_along(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "propose Raft", channel_id=CHANNEL)
    ws.command(BEN, "propose CRDTs", channel_id=CHANNEL)
    for moment in (PROMPT_1, WEEK_1, utc(2026, 3, 19, 18)):
        clock.at(moment)
    vote = ws.fake.find_message(CHANNEL, "Vote: week 2")
    assert "Tuesday 24 March, 18:00 (Europe/Amsterdam)" in vote.plain  # a day before the prompt
    ws.click(ANA, vote, f"{ids.VOTE_OPTION}_2")

    # Week 2 moves from Thursday 26 to Tuesday 24 March: its prompt is due on Monday the 23rd.
    clock.to(utc(2026, 3, 20, 9))
    ws.command(FAC, "move", channel_id=CHANNEL)
    form = ws.fake.open_modal(FAC)
    assert form is not None
    reply = ws.submit(FAC, form, {"move_date": "2026-03-24", "move_time": "18:00"})
    assert not (reply.json or {}).get("errors"), reply.json

    # The vote now closes a day before that prompt, and says so.
    assert (
        "Sunday 22 March, 18:00 (Europe/Amsterdam)"
        in ws.fake.find_message(CHANNEL, "Vote: week 2").plain
    )
    assert weekly(clock.at(utc(2026, 3, 22, 17))) == ["vote_close"]
    assert "*CRDTs* wins with 1 vote" in ws.fake.find_message(CHANNEL, "Week 2's topic").plain
    assert weekly(clock.at(utc(2026, 3, 23, 17))) == ["prompt"]
    assert "Week 2 of 6: CRDTs" in ws.fake.find_message(CHANNEL, "Week 2 of 6").plain


def test_skipping_a_week_keeps_the_open_vote_open_until_a_day_before_the_new_prompt(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "propose Raft", channel_id=CHANNEL)
    for moment in (PROMPT_1, WEEK_1, utc(2026, 3, 19, 18)):
        clock.at(moment)

    clock.to(utc(2026, 3, 20, 9))
    ws.command(FAC, "skip", channel_id=CHANNEL)

    # Week 2 is now on Thursday 2 April (16:00 UTC): its prompt on the 1st, the vote's close
    # a day before that.
    vote = ws.fake.find_message(CHANNEL, "Vote: week 2")
    assert "Tuesday 31 March, 18:00 (Europe/Amsterdam)" in vote.plain
    assert weekly(clock.at(utc(2026, 3, 24, 17))) == []  # the old deadline
    assert weekly(clock.at(utc(2026, 3, 31, 16))) == ["vote_close"]
    assert weekly(clock.at(utc(2026, 4, 1, 16))) == ["prompt"]
    assert "Week 2 of 6: Raft" in ws.fake.find_message(CHANNEL, "Week 2 of 6").plain


# --- kick-off -------------------------------------------------------------------------------


def schedule_with_the_form(ws: SimulatedWorkspace, day: str, clock_time: str) -> None:
    form = ws.fake.open_modal(FAC)
    assert form is not None and form.callback_id == ids.KICKOFF_SCHEDULE
    reply = ws.submit(FAC, form, {"kickoff_date": day, "kickoff_time": clock_time})
    assert not (reply.json or {}).get("errors"), reply.json


def aligned_line(ws: SimulatedWorkspace, ts: str) -> str:
    message = ws.fake.message(CHANNEL, ts)
    assert message is not None
    return next(line for line in message.plain.splitlines() if line.startswith("✅ Aligned"))


def test_kickoff_command_and_another_round_each_post_their_own_aligned_list(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    recruit(ws)
    ws.command(FAC, "kickoff", channel_id=CHANNEL)
    schedule_with_the_form(ws, "2026-03-17", "18:00")
    assert "Kick-off round 1" in ws.fake.dm(FAC)[-1].plain
    assert weekly(clock.at(utc(2026, 3, 17, 17))) == ["kickoff"]
    first = kickoff_message(ws)
    ws.click(ANA, first, ids.KICKOFF_ALIGNED)
    ws.click(BEN, first, ids.KICKOFF_ALIGNED)

    # Not everyone agrees: the facilitator runs another round the next day.
    ws.click(ANA, kickoff_message(ws), ids.KICKOFF_AGAIN)
    assert "Only the facilitator" in last_answer(ws, ANA)
    assert ws.fake.open_modal(ANA) is None
    ws.click(FAC, kickoff_message(ws), ids.KICKOFF_AGAIN)
    schedule_with_the_form(ws, "2026-03-18", "18:00")
    assert "Kick-off round 2" in ws.fake.dm(FAC)[-1].plain
    assert clock.at(utc(2026, 3, 18, 16, 59)) == []
    round_2 = f"kickoff:{group_of(ws).id}:2"
    assert clock.at(utc(2026, 3, 18, 17)) == [round_2]
    assert clock.at(utc(2026, 3, 18, 17, 5)) == []

    second = kickoff_message(ws)
    assert second.ts != first.ts
    assert len(posts_containing(ws, "Kick-off: Distributed systems")) == 2
    assert aligned_line(ws, second.ts).startswith("✅ Aligned: nobody yet · waiting for")
    ws.click(CHEN, second, ids.KICKOFF_ALIGNED)
    assert aligned_line(ws, second.ts) == (
        f"✅ Aligned: <@{CHEN}> · waiting for <@{FAC}>, <@{ANA}> and <@{BEN}>"
    )
    assert aligned_line(ws, first.ts).startswith(f"✅ Aligned: <@{ANA}> and <@{BEN}> ·")
    with ws.store.transaction() as session:
        stored = session.execute(
            select(Kickoff.round, Alignment.user_id).join(
                Alignment, Alignment.kickoff_id == Kickoff.id
            )
        ).all()
    assert set(stored) == {(1, ANA), (1, BEN), (2, CHEN)}


def test_starting_the_cycle_below_the_minimum_is_refused(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    start_group(ws)
    join(ws, ANA)
    join(ws, BEN)  # three of the four needed
    ws.command(FAC, "kickoff", channel_id=CHANNEL)
    schedule_with_the_form(ws, "2026-03-17", "18:00")
    clock.at(utc(2026, 3, 17, 17))

    ws.click(FAC, kickoff_message(ws), ids.CYCLE_START)

    refusal = ws.fake.responses(user=FAC)[-1]
    assert refusal.response_type == "ephemeral"
    assert "has 3 members and needs 4 to start" in refusal.text
    assert posts_containing(ws, "has started") == []
    group = group_of(ws)
    assert group.state is GroupState.RECRUITING and group.weeks_planned == []
