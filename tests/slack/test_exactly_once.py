"""Every scheduled post goes out once: not zero times, not twice — across repeated and late
ticks, a crash between claiming and sending, and two processes ticking together."""

from __future__ import annotations

import threading

from sqlalchemy import select

from bot.devtools.workspace import SimulatedWorkspace
from bot.schedule import ledger
from bot.schedule.runner import collect_due, run_due
from bot.slack.scheduled import SlackSender
from bot.store import Store
from bot.store.models import Delivery, DeliveryState
from tests.slack.clock import Clock, utc
from tests.slack.people import ANA, CHANNEL, FAC, run_cycle

PROMPT_1 = utc(2026, 3, 18, 17)  # a day before week 1's session


def prompts(ws: SimulatedWorkspace) -> list[str]:
    return [m.ts for m in ws.fake.messages(CHANNEL) if "Week 1 of 6" in m.plain]


def delivery(ws: SimulatedWorkspace, prefix: str) -> Delivery:
    with ws.store.transaction() as session:
        return session.scalars(select(Delivery).where(Delivery.key.startswith(prefix))).one()


def test_repeated_and_late_ticks_post_once(ws: SimulatedWorkspace, clock: Clock) -> None:
    run_cycle(ws, clock)
    for minute in (0, 0, 1, 7, 30):
        clock.at(PROMPT_1.replace(minute=minute))
    assert len(prompts(ws)) == 1
    assert delivery(ws, "prompt:").state is DeliveryState.SENT


def test_a_crash_between_claim_and_send_is_sent_after_the_lease(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    clock.to(PROMPT_1)
    with ws.store.transaction() as session:  # claimed... and the process died
        item = next(i for i in collect_due(session, PROMPT_1) if i.key.startswith("prompt:"))
        assert ledger.claim(session, item, worker="dead:1") is not None

    assert clock.at(PROMPT_1.replace(minute=3)) == []  # still within the lease
    assert prompts(ws) == []
    assert clock.at(PROMPT_1.replace(minute=6)) == [item.key]

    assert len(prompts(ws)) == 1
    # It looked for the post in the channel before sending it.
    assert ws.fake.calls_to("conversations.history")
    sent = delivery(ws, "prompt:")
    assert (sent.state, sent.attempts, sent.ts) == (DeliveryState.SENT, 2, prompts(ws)[0])


def test_a_crash_after_sending_but_before_confirming_is_not_sent_again(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    clock.to(PROMPT_1)
    with ws.store.transaction() as session:
        item = next(i for i in collect_due(session, PROMPT_1) if i.key.startswith("prompt:"))
        claim = ledger.claim(session, item, worker="dead:1")
    assert claim is not None
    SlackSender(ws.client, ws.store).deliver(claim, now=PROMPT_1)  # posted; then the crash
    posted = prompts(ws)
    assert len(posted) == 1

    assert clock.at(PROMPT_1.replace(minute=10)) == [item.key]

    assert prompts(ws) == posted
    sent = delivery(ws, "prompt:")
    assert (sent.state, sent.ts) == (DeliveryState.SENT, posted[0])


def test_two_processes_ticking_at_once_post_each_item_once(
    ws: SimulatedWorkspace, clock: Clock, db_url: str
) -> None:
    run_cycle(ws, clock)
    clock.to(PROMPT_1)
    # A second process: its own engine and connection pool, the same database.
    other = Store.from_url(db_url)
    stores = [ws.store, other]
    barrier = threading.Barrier(2)
    reports = []

    def tick(store: Store, worker: str) -> None:
        barrier.wait()
        reports.append(run_due(store, SlackSender(ws.client, store), now=PROMPT_1, worker=worker))

    threads = [threading.Thread(target=tick, args=(s, f"p{i}")) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()

    assert sorted(len(r.sent) for r in reports) == [0, 1]
    assert len(prompts(ws)) == 1


def test_after_downtime_only_what_is_still_useful_goes_out(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "propose Raft", channel_id=CHANNEL)

    # The bot was down from before week 1's prompt until the morning after the session.
    report = clock.tick(utc(2026, 3, 20, 8))

    assert [k.split(":")[0] for k in report.stale] == ["prompt", "attendance"]
    assert [k.split(":")[0] for k in report.sent] == ["vote"]
    assert prompts(ws) == []
    assert ws.fake.find_message(CHANNEL, "Vote: week 2")
    assert delivery(ws, "prompt:").state is DeliveryState.STALE
    assert clock.tick(utc(2026, 3, 20, 8, 5)).stale == []  # recorded once


def test_slack_rate_limiting_is_waited_out_not_dropped(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.fake.rate_limit("chat.postMessage", retry_after=1)

    assert len(clock.at(PROMPT_1)) == 1

    statuses = [c.status for c in ws.fake.calls_to("chat.postMessage")][-2:]
    assert statuses == [429, 200]
    assert len(prompts(ws)) == 1


def test_a_bot_removed_from_the_channel_pauses_the_group_and_tells_the_facilitator(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.fake.remove_bot(CHANNEL)

    report = clock.tick(PROMPT_1)

    assert [k.split(":")[0] for k in report.failed] == ["prompt"]
    assert delivery(ws, "prompt:").error == "not_in_channel"
    assert "/invite @p2p" in ws.fake.dm(FAC)[-1].plain
    assert clock.tick(utc(2026, 3, 19, 17)).sent == []  # paused: nothing more fails


def test_a_deleted_channel_pauses_the_group_and_tells_the_facilitator_what_happened(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.fake.fail(
        "chat.postMessage", "channel_not_found", times=9, when=lambda a: a.get("channel") == CHANNEL
    )

    report = clock.tick(PROMPT_1)

    assert [k.split(":")[0] for k in report.failed] == ["prompt"]
    told = ws.fake.dm(FAC)[-1].plain
    assert "deleted" in told and "/p2p start" in told and "removed from the channel" not in told
    assert clock.tick(utc(2026, 3, 19, 17)).sent == []  # paused: nothing more fails
