"""What the scheduler owes goes out once — not twice, not zero times, not too late — when
things go wrong: a dependency still being posted elsewhere, one person's DM failing, a
connection dropped after Slack took the post, a post Slack refuses, failures that last."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.devtools.workspace import SimulatedWorkspace
from bot.schedule import ledger
from bot.schedule.runner import collect_due
from bot.slack import gateway
from bot.slack.gateway import Gateway
from bot.slack.render.message import Message
from bot.store.models import Delivery, DeliveryState, Membership
from tests.slack.clock import Clock, utc
from tests.slack.cycle_steps import group_of
from tests.slack.people import ANA, BEN, CHANNEL, CHEN, FAC, run_cycle

PROMPT_1 = utc(2026, 3, 18, 17)  # a day before week 1's session


def row(ws: SimulatedWorkspace, key: str) -> Delivery:
    with ws.store.transaction() as session:
        return session.scalars(select(Delivery).where(Delivery.key == key)).one()


def catch_ups(ws: SimulatedWorkspace, user: str) -> int:
    return sum("You missed week 1" in m.plain for m in ws.fake.dm(user))


def prompts(ws: SimulatedWorkspace) -> int:
    return sum("Week 1 of 6" in m.plain for m in ws.fake.messages(CHANNEL))


def prompt_tries(ws: SimulatedWorkspace) -> list:
    return [
        call
        for call in ws.fake.calls_to("chat.postMessage")
        if "prompt:" in str(call.args.get("metadata"))
    ]


def catch_up_time(ws: SimulatedWorkspace, week) -> datetime:
    """When the catch-up DM is planned: after the session, at an hour members are awake."""
    with ws.store.transaction() as session:
        due = collect_due(session, week.ends_at + timedelta(days=1))
    return next(i.due_at for i in due if i.key.startswith("catchup:"))


def everyone_in_europe(ws: SimulatedWorkspace) -> None:
    """Chen moves from Shanghai to Berlin: the catch-up then goes out an hour after the
    session, while the attendance check may still be in flight."""
    group_id = group_of(ws).id
    with ws.store.transaction() as session:
        session.execute(
            update(Membership)
            .where(Membership.group_id == group_id)
            .values(timezone="Europe/Berlin")
        )


def to_channel(args: dict) -> bool:
    return args.get("channel") == CHANNEL


def test_a_catch_up_waits_while_the_attendance_check_is_still_being_posted(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    everyone_in_europe(ws)
    week = group_of(ws).weeks_planned[0]
    catch_up_at = catch_up_time(ws, week)
    assert catch_up_at == week.ends_at + timedelta(hours=1)
    clock.to(catch_up_at - timedelta(minutes=1))
    with ws.store.transaction() as session:  # another process is posting the check
        attendance = next(
            i for i in collect_due(session, catch_up_at) if i.key.startswith("attendance:")
        )
        assert ledger.claim(session, attendance, worker="other:1") is not None

    waited = clock.tick(catch_up_at)

    key = f"catchup:{week.group_id}:1"
    assert waited.waiting == [key] and key not in waited.nothing_to_send
    assert catch_ups(ws, ANA) == 0
    with ws.store.transaction() as session:
        assert ledger.state_of(session, key) is None  # not settled: still owed

    later = clock.tick(catch_up_at + timedelta(minutes=6))  # the other process died

    assert attendance.key in later.sent and key in later.nothing_to_send
    assert [catch_ups(ws, user) for user in (FAC, ANA, BEN, CHEN)] == [1, 1, 1, 1]


def test_one_persons_catch_up_is_retried_and_another_refused_for_good_is_recorded(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    week = group_of(ws).weeks_planned[0]
    clock.run_until(week.starts_at)  # nobody answers: everyone gets a catch-up
    ws.fake.fail("chat.postMessage", "internal_error", when=lambda a: a.get("channel") == BEN)
    ws.fake.fail(
        "chat.postMessage", "user_disabled", times=9, when=lambda a: a.get("channel") == CHEN
    )

    clock.run_until(catch_up_time(ws, week) - timedelta(minutes=1))
    first = clock.tick(catch_up_time(ws, week))

    key = f"catchup:{week.group_id}:1"
    assert first.retry == [key]
    assert [catch_ups(ws, user) for user in (FAC, ANA, BEN, CHEN)] == [1, 1, 0, 0]

    clock.tick(row(ws, key).retry_at)

    assert [catch_ups(ws, user) for user in (FAC, ANA, BEN, CHEN)] == [1, 1, 1, 0]
    assert row(ws, key).state is DeliveryState.SENT
    refused = row(ws, f"{key}:{CHEN}")
    assert (refused.state, refused.error) == (DeliveryState.FAILED, "user_disabled")


def test_a_post_whose_connection_drops_after_slack_took_it_is_not_posted_twice(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.fake.drop_after("chat.postMessage", when=to_channel)

    report = clock.tick(PROMPT_1)

    assert [k.split(":")[0] for k in report.sent] == ["prompt"]
    assert prompts(ws) == 1
    posted = ws.fake.find_message(CHANNEL, "Week 1 of 6")
    assert row(ws, report.sent[0]).ts == posted.ts  # found by its metadata, not re-sent


def test_a_post_slack_refuses_for_good_is_given_up_at_once_and_reported(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.fake.fail("chat.postMessage", "invalid_blocks", times=99, when=to_channel)

    report = clock.tick(PROMPT_1)
    clock.run_until(PROMPT_1 + timedelta(hours=2))

    key = report.failed[0]
    assert key.startswith("prompt:")
    assert f"gave up on {key}: invalid_blocks" in report.describe()
    assert (row(ws, key).state, row(ws, key).error) == (DeliveryState.FAILED, "invalid_blocks")
    assert len(prompt_tries(ws)) == 1  # not retried


def test_failures_that_last_are_retried_with_backoff_then_given_up(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.fake.fail("chat.postMessage", "internal_error", times=999, when=to_channel)

    key = clock.tick(PROMPT_1).retry[0]
    while row(ws, key).state is DeliveryState.CLAIMED:
        clock.tick(row(ws, key).retry_at)  # the heartbeat's tick when the backoff is over
    ws.fake.clear_faults()
    clock.run_until(PROMPT_1 + timedelta(hours=3))

    tries = [call.at for call in prompt_tries(ws)]
    assert len(tries) == ledger.MAX_ATTEMPTS
    gaps = [round((b - a) / 60) for a, b in itertools.pairwise(tries)]
    assert gaps == [1, 2, 4, 8, 16]  # each wait doubles
    assert [d.key for d in given_up(ws)] == [key]
    assert row(ws, key).error == (
        f"gave up after {ledger.MAX_ATTEMPTS} attempts: "
        "chat.postMessage failed: internal_error channel=C_LEARN"
    )
    assert prompts(ws) == 0


def test_an_abandoned_claim_is_not_sent_once_it_is_no_longer_useful(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    week = group_of(ws).weeks_planned[0]
    clock.to(PROMPT_1)
    with ws.store.transaction() as session:  # claimed, and the process died
        item = next(i for i in collect_due(session, PROMPT_1) if i.key.startswith("prompt:"))
        assert ledger.claim(session, item, worker="dead:1") is not None

    report = clock.tick(week.starts_at + timedelta(days=8))  # the prompt's week is long gone

    assert item.key in report.failed and "no longer useful" in report.reasons[item.key]
    assert prompts(ws) == 0
    assert row(ws, item.key).state is DeliveryState.FAILED


def test_looking_for_a_post_reads_a_bounded_number_of_pages(
    ws: SimulatedWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(450):
        ws.fake.add_user_message(CHANNEL, ANA, f"chatter {n}")
    monkeypatch.setattr(gateway, "FIND_PAGES", 2)

    found = Gateway(ws.client).find_tagged(
        CHANNEL, "p2p_post", "prompt:1:1:r1", since=utc(2020, 1, 1)
    )

    assert found is None
    assert len(ws.fake.calls_to("conversations.history")) == 2


def given_up(ws: SimulatedWorkspace) -> list[Delivery]:
    with ws.store.transaction() as session:
        return ledger.given_up(session)


def test_a_read_whose_connection_drops_is_retried_and_a_post_is_not(
    ws: SimulatedWorkspace,
) -> None:
    posted = ws.fake.add_user_message(CHANNEL, ANA, "hello")
    ws.fake.drop_after("chat.getPermalink")
    ws.fake.drop_after("chat.postMessage")
    slack = Gateway(ws.client)

    assert slack.permalink(CHANNEL, posted.ts)  # asked again: reading twice is harmless
    with pytest.raises(gateway.OutcomeUnknown):
        slack.post(CHANNEL, Message(text="once"))

    assert [m.plain for m in ws.fake.messages(CHANNEL)] == ["hello", "once"]
    assert len(ws.fake.calls_to("chat.postMessage")) == 1
