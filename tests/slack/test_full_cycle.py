"""Six weeks end to end: check-ins at each member's local hour (by form and by DM reply),
one reminder, digests, catch-up for who missed a session, health signals, the retro, the
summary, and the recorded outcome. Then a group that stalls, and one ended early."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.devtools.fake_slack import Message
from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups
from bot.slack import ids
from bot.store.models import (
    Ambassador,
    CatchUp,
    CheckIn,
    GroupState,
    RetroReply,
    StallReason,
    TopicRequest,
)
from tests.slack.clock import Clock
from tests.slack.people import (
    ANA,
    BEN,
    CHANNEL,
    CHEN,
    FAC,
    PEOPLE,
    run_cycle,
)

ZONES = {user: ZoneInfo(tz) for user, _, tz in PEOPLE}


def the_group(ws: SimulatedWorkspace):  # type: ignore[no-untyped-def]
    with ws.store.transaction() as session:
        return groups.channel_groups(session, team_id=ws.fake.team_id, channel_id=CHANNEL)[0]


def local_hour(message: Message, user: str) -> int:
    return datetime.fromtimestamp(float(message.ts), ZONES[user]).hour


def checkin_dms(ws: SimulatedWorkspace, user: str) -> list[Message]:
    return [
        m for m in ws.fake.dm(user) if "check-in —" in m.plain or "checked in for week" in m.plain
    ]


def check_in(
    ws: SimulatedWorkspace,
    user: str,
    dm: Message,
    *,
    hours: str,
    confidence: str,
    learned: str = "How leader election works",
    blockers: str = "",
) -> None:
    ws.click(user, dm, ids.CHECKIN)
    modal = ws.fake.open_modal(user)
    assert modal is not None and modal.callback_id == ids.CHECKIN
    reply = ws.submit(
        user,
        modal,
        {"learned": learned, "hours": hours, "confidence": confidence, "blockers": blockers},
    )
    assert not (reply.json or {}).get("errors"), reply.json


def test_a_six_week_cycle_from_first_check_in_to_summary(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    for topic in ("Raft", "Paxos", "CRDTs", "Vector clocks", "Gossip"):
        ws.command(ANA, f"propose {topic}", channel_id=CHANNEL)
    weeks = the_group(ws).weeks_planned
    assert len(weeks) == 6

    for week in weeks:
        n = week.number
        clock.run_until(week.starts_at - timedelta(hours=1))
        prompt = ws.fake.find_message(CHANNEL, f"Week {n} of 6")
        ws.post(BEN, CHANNEL, f"Good read <https://example.com/week{n}>", thread_ts=prompt.ts)

        clock.run_until(week.starts_at)
        check = ws.fake.find_message(CHANNEL, f"Week {n} —")
        for person in (FAC, ANA, BEN):
            ws.click(person, check, ids.ATTEND_HERE)
        if n not in (2, 3):  # Chen misses weeks 2 and 3 (and says nothing in week 3)
            ws.click(CHEN, check, ids.ATTEND_HERE)
        elif n == 2:
            ws.click(CHEN, check, ids.ATTEND_AWAY)

        # The day after (in each member's own calendar): a DM at 10:00 where they live.
        # Chen's session ran 01:00-02:00 in Shanghai, so his "day after" is the next one.
        clock.run_until(week.ends_at + timedelta(hours=33))
        for user in (FAC, ANA, BEN, CHEN):
            dm = checkin_dms(ws, user)[-1]
            assert f"Week {n} check-in" in dm.plain
            assert local_hour(dm, user) == 10, (user, n)
        check_in(ws, ANA, checkin_dms(ws, ANA)[-1], hours="2", confidence=str(min(5, 1 + n)))
        check_in(
            ws,
            FAC,
            checkin_dms(ws, FAC)[-1],
            hours="3.5",
            confidence="4",
            blockers="Not enough time this week",
        )
        if n == 2:  # Ben answers in chat instead of clicking
            ws.post(
                BEN,
                BEN,
                "Read the Raft paper twice, finally get log matching.",
                thread_ts=checkin_dms(ws, BEN)[-1].ts,
            )
        if n in (1, 4, 5, 6):
            check_in(
                ws,
                CHEN,
                checkin_dms(ws, CHEN)[-1],
                hours="1",
                confidence="3",
                blockers="not enough time",
            )

    clock.run_until(weeks[-1].ends_at + timedelta(hours=2))
    retro = ws.fake.find_message(CHANNEL, "Retro:")
    assert "what did you learn? What will you use" in retro.plain
    assert "what did you learn about learning with peers" in retro.plain
    ws.post(ANA, CHANNEL, "Loved explaining things to each other.", thread_ts=retro.ts)
    for user, facilitate, rating in ((ANA, "yes", "5"), (BEN, "no", "4")):
        ws.click(user, retro, ids.FEEDBACK)
        ws.submit(
            user,
            ws.fake.open_modal(user),
            {
                "rating": rating,
                "learned_goal": "yes",
                "join_again": "yes",
                "facilitate": facilitate,
                "topics_wanted": "Kafka internals\nObservability" if user == ANA else "",
            },
        )
    clock.run_until(weeks[-1].ends_at + timedelta(days=4))

    # --- what people saw ---------------------------------------------------------------
    # One check-in DM per member per week (edited in place once answered), at 10:00 local.
    assert len(checkin_dms(ws, ANA)) == 6 and len(checkin_dms(ws, CHEN)) == 6
    # One reminder, only to those who had not answered: Ben (except week 2), Chen in 2-3.
    reminders = {u: [m for m in ws.fake.dm(u) if "Reminder" in m.plain] for u in (ANA, BEN, CHEN)}
    assert len(reminders[ANA]) == 0
    assert len(reminders[BEN]) == 5
    assert len(reminders[CHEN]) == 2
    assert all(local_hour(m, BEN) == 18 for m in reminders[BEN])
    # Ben's chat reply was kept and confirmed in the DM thread.
    with ws.store.transaction() as session:
        ben = session.scalars(select(CheckIn).where(CheckIn.user_id == BEN)).all()
    assert [(c.week, c.learned) for c in ben] == [
        (2, "Read the Raft paper twice, finally get log matching.")
    ]
    assert any(
        "Saved as your week 2 check-in" in m.plain
        for m in ws.fake.thread(ws.fake.dm_channel_id(BEN), checkin_dms(ws, BEN)[1].ts)
    )

    # The digest in each week's thread; the facilitator's per-member view.
    def digest(n: int) -> Message:
        prompt = ws.fake.find_message(CHANNEL, f"Week {n} of 6")
        return next(m for m in ws.fake.thread(CHANNEL, prompt.ts) if "check-ins:" in m.plain)

    assert "3 of 4 checked in · 6.5 h in total" in digest(1).plain
    assert "Blockers that came up more than once:* time (2)" in digest(1).plain
    assert "3 of 4 checked in · 5.5 h in total · confidence 3.5/5 (↑ from 3)" in digest(2).plain
    assert "How leader election works" not in digest(2).plain  # not shared by default
    view = next(
        m for m in ws.fake.dm(FAC) if "each member's check-in" in m.plain and "week 2" in m.plain
    )
    assert "How leader election works" in view.plain and f"No check-in from <@{CHEN}>" in view.plain
    # Chen missed weeks 2 and 3: a catch-up each time, with the topic, thread and material.
    catchups = [m for m in ws.fake.dm(CHEN) if "You missed week" in m.plain]
    assert [m.plain.split("You missed week ")[1][:1] for m in catchups] == ["2", "3"]
    assert "https://example.com/week2" in catchups[0].plain
    assert "read what the group shared" in catchups[0].plain
    ws.click(CHEN, catchups[0], ids.CAUGHT_UP)
    with ws.store.transaction() as session:
        rows = session.scalars(select(CatchUp).order_by(CatchUp.week)).all()
    assert [(r.user_id, r.week, r.caught_up_at is not None) for r in rows] == [
        (CHEN, 2, True),
        (CHEN, 3, False),
    ]
    # The facilitator heard that Chen missed two in a row without checking in.
    health = [m for m in ws.fake.dm(FAC) if "worth a look" in m.plain]
    assert any(f"<@{CHEN}> missed weeks 2 and 3 and didn't check in" in m.plain for m in health)
    assert len(health) == len({m.plain.split("after week ")[1][:1] for m in health})  # ≤1 a week
    # The summary, and the outcome.
    summary = ws.fake.find_message(CHANNEL, "Cycle summary")
    assert summary.thread_ts == retro.ts
    for text in (
        "W1 ",
        "W6 ",
        "4/4",
        "3/4",
        "Topics covered",
        "1. An overview of",
        "Material shared (6)",
        "rated 4.5/5",
        "would facilitate one: <@U_ANA>",
    ):
        assert text in summary.plain, text
    group = the_group(ws)
    assert group.state is GroupState.COMPLETED
    with ws.store.transaction() as session:
        assert session.scalars(select(Ambassador.user_id)).all() == [ANA]
        assert sorted(session.scalars(select(TopicRequest.text)).all()) == [
            "Kafka internals",
            "Observability",
        ]
        replies = session.scalars(select(RetroReply.text)).all()
    assert replies == ["Loved explaining things to each other."]
    # And then nothing more.
    assert clock.run_until(weeks[-1].ends_at + timedelta(days=10), step=timedelta(hours=12)) == []


def test_a_group_that_stops_meeting_is_recorded_as_stalled(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    weeks = the_group(ws).weeks_planned
    for week in weeks[:3]:  # nobody answers the attendance checks: no session with two people
        clock.run_until(week.ends_at + timedelta(days=4), step=timedelta(hours=6))

    group = the_group(ws)
    assert group.state is GroupState.STALLED
    assert group.stall_reason is StallReason.OTHER
    assert (
        "no session with two people for three weeks"
        in ws.fake.find_message(CHANNEL, "recorded it as stalled").plain
    )
    before = len(ws.fake.messages(CHANNEL))
    clock.run_until(weeks[4].ends_at, step=timedelta(hours=6))
    assert len(ws.fake.messages(CHANNEL)) == before


def test_the_facilitator_ends_a_group_early_and_says_why(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "end", channel_id=CHANNEL)
    assert "Only the facilitator" in ws.fake.responses(user=ANA)[-1].text

    ws.command(FAC, "end", channel_id=CHANNEL)
    ws.submit(FAC, ws.fake.open_modal(FAC), {"reason": "time", "note": "Quarter-end crunch"})

    group = the_group(ws)
    assert (group.state, group.stall_reason, group.stall_note) == (
        GroupState.STALLED,
        StallReason.TIME,
        "Quarter-end crunch",
    )
    assert "ended early (lack of time)" in ws.fake.find_message(CHANNEL, "ended early").plain
    assert clock.run_until(group.weeks_planned[1].ends_at, step=timedelta(hours=6)) == []


def test_a_check_in_can_be_edited_until_its_window_closes(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    week = the_group(ws).weeks_planned[0]
    clock.run_until(week.ends_at + timedelta(hours=20))
    dm = checkin_dms(ws, ANA)[-1]
    check_in(ws, ANA, dm, hours="1", confidence="2")
    dm = checkin_dms(ws, ANA)[-1]
    assert "You checked in for week 1" in dm.plain and dm.edits == 1

    ws.click(ANA, dm, ids.CHECKIN)  # Edit: the form shows what she said
    modal = ws.fake.open_modal(ANA)
    hours = next(b for b in modal.blocks if b.get("block_id") == "hours")
    assert hours["element"]["initial_value"] == "1"
    ws.submit(ANA, modal, {"hours": "2.5"})
    with ws.store.transaction() as session:
        row = session.scalars(select(CheckIn).where(CheckIn.user_id == ANA)).one()
    assert (row.hours, row.confidence) == (2.5, 2)

    clock.run_until(week.ends_at + timedelta(days=3, hours=1), step=timedelta(hours=6))
    ws.click(ANA, dm, ids.CHECKIN)
    assert "has closed" in ws.fake.responses(user=ANA)[-1].text
    ws.post(ANA, ANA, "one more thing")
    assert "no check-in open" in ws.fake.dm(ANA)[-1].plain or any(
        "no check-in open" in m.plain
        for m in ws.fake.thread(ws.fake.dm_channel_id(ANA), ws.fake.dm(ANA)[-1].ts)
    )


def test_answers_are_shared_with_the_group_when_it_chose_so(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock, share_checkins=["share"])
    week = the_group(ws).weeks_planned[0]
    clock.run_until(week.ends_at + timedelta(hours=20))
    check_in(
        ws,
        ANA,
        checkin_dms(ws, ANA)[-1],
        hours="2",
        confidence="4",
        learned="Quorums need a majority",
    )
    clock.run_until(week.ends_at + timedelta(days=3, hours=1), step=timedelta(hours=6))
    prompt = ws.fake.find_message(CHANNEL, "Week 1 of 6")
    digest = next(m for m in ws.fake.thread(CHANNEL, prompt.ts) if "check-ins:" in m.plain)
    assert "Quorums need a majority" in digest.plain and f"<@{ANA}>" in digest.plain
