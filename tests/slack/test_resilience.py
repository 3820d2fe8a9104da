"""What one person's trouble, a replica's late tick or a busy week must not break."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups, resources
from bot.schedule import ledger
from bot.schedule.runner import collect_due, run_due
from bot.slack import ids
from bot.slack.scheduled import SlackSender
from bot.store.models import CheckIn, Delivery, DeliveryState, GroupState, StallReason
from tests.slack.clock import Clock, utc
from tests.slack.people import (
    ANA,
    BEN,
    CHANNEL,
    CHEN,
    FAC,
    recruitment,
    run_cycle,
    start_group,
)


def the_group(ws: SimulatedWorkspace):  # type: ignore[no-untyped-def]
    with ws.store.transaction() as session:
        return groups.channel_groups(session, team_id=ws.fake.team_id, channel_id=CHANNEL)[0]


def test_a_dm_that_cannot_be_delivered_stops_nobody_else(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    week = the_group(ws).weeks_planned[0]
    clock.run_until(week.starts_at)  # nobody answers the attendance check: all get a catch-up
    ws.fake.fail(
        "chat.postMessage", "channel_not_found", when=lambda args: args.get("channel") == ANA
    )

    clock.run_until(week.ends_at + timedelta(hours=15))  # the catch-up waits for Chen's morning

    assert the_group(ws).state is GroupState.RUNNING
    for person in (BEN, CHEN, FAC):
        assert any("You missed week 1" in m.plain for m in ws.fake.dm(person)), person
    assert not any("removed from the channel" in m.plain for m in ws.fake.dm(FAC))


def test_a_reply_under_a_catch_up_dm_is_not_taken_for_a_check_in(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    week = the_group(ws).weeks_planned[0]
    clock.run_until(week.ends_at + timedelta(hours=15))  # the catch-up waits for Chen's morning
    catch_up = next(m for m in ws.fake.dm(ANA) if "You missed week 1" in m.plain)

    ws.post(ANA, ANA, "Thanks, will do!", thread_ts=catch_up.ts)

    with ws.store.transaction() as session:
        assert session.scalars(select(CheckIn)).all() == []
    assert ws.fake.thread(ws.fake.dm_channel_id(ANA), catch_up.ts)[-1].user == ANA  # no reply


def test_links_in_a_week_thread_are_kept_after_the_week_is_skipped(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    clock.run_until(utc(2026, 3, 18, 18))  # week 1's prompt is out
    first_prompt = ws.fake.find_message(CHANNEL, "Week 1 of 6")
    ws.command(FAC, "skip", channel_id=CHANNEL)
    clock.run_until(utc(2026, 3, 25, 18))  # the moved week's prompt is out too

    ws.post(BEN, CHANNEL, "Still worth it <https://example.com/chubby>", thread_ts=first_prompt.ts)

    with ws.store.transaction() as session:
        kept = resources.for_group(session, the_group(ws).id)
    assert [(r.url, r.week) for r in kept] == [("https://example.com/chubby", 1)]


def test_a_claim_from_a_tick_about_the_past_is_not_taken_for_an_abandoned_one(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    clock.to(utc(2026, 3, 19, 12))
    past = utc(2026, 3, 18, 17)  # an operator's `p2p-bot tick --at` a day back
    with ws.store.transaction() as session:
        item = next(i for i in collect_due(session, past) if i.key.startswith("prompt:"))
        assert ledger.claim(session, item, worker="operator") is not None  # still sending...

    report = run_due(ws.store, SlackSender(ws.client, ws.store), now=utc(2026, 3, 19, 12, 1))

    assert item.key not in report.sent  # the running bot leaves it to the operator's tick
    with ws.store.transaction() as session:
        row = session.scalars(select(Delivery).where(Delivery.key == item.key)).one()
    assert (row.state, row.claimed_by) == (DeliveryState.CLAIMED, "operator")


def test_a_vote_whose_message_cannot_be_updated_still_announces_its_result(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "propose Raft", channel_id=CHANNEL)
    clock.run_until(utc(2026, 3, 19, 18))
    ws.click(ANA, ws.fake.find_message(CHANNEL, "Vote: week"), f"{ids.VOTE_OPTION}_1")
    ws.fake.fail("chat.update", "internal_error", times=5)

    clock.run_until(utc(2026, 3, 24, 17))

    assert "*Raft* wins with 1 vote" in ws.fake.find_message(CHANNEL, "Week 2's topic").plain


def test_members_can_leave_a_running_group_and_stop_hearing_from_it(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    week = the_group(ws).weeks_planned[0]

    ws.command(CHEN, "leave", channel_id=CHANNEL)
    clock.run_until(week.ends_at + timedelta(days=2))

    assert "I won't send you its check-ins any more" in ws.fake.responses(user=CHEN)[-1].text
    assert [m.user_id for m in the_group(ws).members] == [FAC, ANA, BEN]
    assert not any("check-in" in m.plain for m in ws.fake.dm(CHEN))
    ws.command(CHEN, "leave", channel_id=CHANNEL)
    assert "nothing to leave" in ws.fake.responses(user=CHEN)[-1].text


def test_ending_a_group_that_never_started_closes_it(ws: SimulatedWorkspace) -> None:
    start_group(ws)
    ws.command(FAC, "end", channel_id=CHANNEL)
    ws.submit(FAC, ws.fake.open_modal(FAC), {"reason": "expectations"})

    group = the_group(ws)
    assert (group.state, group.stall_reason) == (GroupState.CANCELLED, StallReason.EXPECTATIONS)
    assert (
        "closed before its cycle started (incompatible expectations)"
        in ws.fake.find_message(CHANNEL, "closed before its cycle started").plain
    )


def test_form_errors_read_as_plain_text(ws: SimulatedWorkspace) -> None:
    start_group(ws)
    ws.click(ANA, recruitment(ws), ids.JOIN)
    form = ws.fake.open_modal(ANA)
    ws.command(FAC, "end", channel_id=CHANNEL)
    ws.submit(FAC, ws.fake.open_modal(FAC), {"reason": "time"})

    reply = ws.submit(ANA, form, {"goal": "Raft", "minutes_per_week": "60"})

    error = reply.json["errors"]["goal"]
    assert error.startswith("The Distributed systems group has ended") and "*" not in error
