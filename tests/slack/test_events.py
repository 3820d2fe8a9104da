"""Events API deliveries, including Slack's retries: each message is acted on once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups
from bot.store.models import CheckIn
from tests.slack.clock import Clock
from tests.slack.people import ANA, CHANNEL, run_cycle


def dm_reply_event(ws: SimulatedWorkspace, text: str) -> dict:
    channel = ws.fake.dm_channel_id(ANA)
    message = ws.fake.add_user_message(channel, ANA, text)
    return {
        "type": "message",
        "channel": channel,
        "channel_type": "im",
        "user": ANA,
        "text": text,
        "ts": message.ts,
        "event_ts": message.ts,
    }


def test_a_retried_dm_reply_is_kept_once(ws: SimulatedWorkspace, clock: Clock) -> None:
    run_cycle(ws, clock)
    with ws.store.transaction() as session:
        group = groups.live_group(session, team_id=ws.fake.team_id, channel_id=CHANNEL)
    clock.run_until(group.weeks_planned[0].ends_at + timedelta(hours=20))
    event = dm_reply_event(ws, "Learned how Raft elects a leader.")

    first = ws.driver.event(event, event_id="Ev0DMREPLY1")
    retry = ws.driver.event(event, event_id="Ev0DMREPLY1", retry_num=1, retry_reason="http_timeout")
    ws.settle()

    assert first.status == retry.status == 200
    with ws.store.transaction() as session:
        rows = session.scalars(select(CheckIn)).all()
    assert [(r.user_id, r.week, r.replies) for r in rows] == [
        (ANA, 1, "Learned how Raft elects a leader.")
    ]
    confirmations = ws.fake.thread(event["channel"], event["ts"])
    assert len(confirmations) == 1 and "Saved as your week 1 check-in" in confirmations[0].plain


def test_a_dm_with_no_check_in_open_gets_a_polite_answer(ws: SimulatedWorkspace) -> None:
    ws.driver.event(dm_reply_event(ws, "hello?"), event_id="Ev0HELLO")
    ws.settle()
    channel = ws.fake.dm_channel_id(ANA)
    replies = ws.fake.thread(channel, ws.fake.messages(channel)[0].ts)
    assert "no check-in open for you right now" in replies[-1].plain
