"""The database refuses, or stops answering: every request is still answered in time, the
person hears that what they did did not count, nothing half-done is kept, and a message
Slack delivered while the database was away is kept when Slack delivers it again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.request import urlopen

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from bot.store import Store
from bot.store.models import Attendance, CheckIn
from tests import databases
from tests.faults.proxy import Mode, TcpProxy
from tests.slack.clock import Clock
from tests.slack.cycle_steps import group_of, last_answer
from tests.slack.people import ANA, BEN, CHANNEL, FAC, START_VALUES, run_cycle

DOWN: list[Mode] = ["refuse", "blackhole"]


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    with TcpProxy((databases.PG_HOST, databases.PG_PORT), break_after=0.3) as proxy:
        yield proxy


@pytest.fixture
def store(postgres_template: str | None, proxy: TcpProxy) -> Iterator[Store]:
    """PostgreSQL only, reached through the proxy."""
    if postgres_template is None:
        pytest.skip("PostgreSQL is not reachable (required when CI=true)")
    url = make_url(postgres_template).set(port=proxy.port)
    store = Store.from_url(url.render_as_string(hide_password=False))
    databases.truncate_all(store.engine)
    yield store
    store.dispose()


def stored_attendance(ws: SimulatedWorkspace) -> dict[str, bool]:
    with ws.store.transaction() as session:
        return {a.user_id: a.present for a in session.scalars(select(Attendance))}


@pytest.mark.parametrize("mode", DOWN)
def test_clicks_and_commands_while_the_database_is_away_say_they_did_not_count(
    ws: SimulatedWorkspace, clock: Clock, proxy: TcpProxy, mode: Mode
) -> None:
    run_cycle(ws, clock)
    clock.run_until(group_of(ws).weeks_planned[0].starts_at)
    check = ws.fake.find_message(CHANNEL, "Week 1 —")

    proxy.set_mode(mode)
    click = ws.click(ANA, check, ids.ATTEND_HERE)
    status = ws.command(BEN, "status", channel_id=CHANNEL)
    health = urlopen_status(f"{ws.base_url}/healthz")
    proxy.set_mode("pass")

    assert click.status == 200
    assert "didn't go through" in last_answer(ws, ANA)
    assert status.status == 200
    assert "couldn't reach my database" in last_answer(ws, BEN)
    assert health == 503
    assert stored_attendance(ws) == {}

    ws.click(ANA, check, ids.ATTEND_HERE)  # the database is back: trying again works
    assert stored_attendance(ws) == {ANA: True}


def test_a_form_sent_while_the_database_refuses_stays_open_and_says_so(
    ws: SimulatedWorkspace, proxy: TcpProxy
) -> None:
    ws.command(FAC, "start", channel_id=CHANNEL)
    form = ws.fake.open_modal(FAC)

    proxy.set_mode("refuse")
    reply = ws.submit(FAC, form, START_VALUES)
    proxy.set_mode("pass")

    assert reply.status == 200 and reply.json["response_action"] == "errors"
    assert "nothing was saved" in reply.json["errors"]["topic"]  # under the first field
    assert ws.fake.open_modal(FAC) is not None  # still open, with what was typed
    assert ws.submit(FAC, form, START_VALUES).json is None  # sent again: it goes through
    assert ws.fake.find_message(CHANNEL, "Join")


@pytest.mark.parametrize("mode", DOWN)
def test_a_dm_reply_slack_delivers_while_the_database_is_away_is_kept_on_redelivery(
    ws: SimulatedWorkspace, clock: Clock, proxy: TcpProxy, mode: Mode
) -> None:
    run_cycle(ws, clock)
    clock.run_until(group_of(ws).weeks_planned[0].ends_at + timedelta(hours=20))
    channel = ws.fake.dm_channel_id(ANA)
    message = ws.fake.add_user_message(channel, ANA, "Leader leases")
    event = {
        "type": "message",
        "channel": channel,
        "channel_type": "im",
        "user": ANA,
        "text": "Leader leases",
        "ts": message.ts,
    }

    proxy.set_mode(mode)
    first = ws.driver.event(event, event_id="Ev0OUTAGE")
    ws.settle()
    proxy.set_mode("pass")
    assert first.status == 503  # not acknowledged: Slack will deliver it again
    with ws.store.transaction() as session:
        assert session.scalars(select(CheckIn)).all() == []
    assert ws.fake.thread(channel, message.ts) == []  # nothing said yet

    again = ws.driver.event(event, event_id="Ev0OUTAGE", retry_num=1, retry_reason="http_error")
    ws.settle()
    assert again.status == 200
    with ws.store.transaction() as session:
        assert [c.replies for c in session.scalars(select(CheckIn))] == ["Leader leases"]
    assert "Saved as your week 1 check-in" in ws.fake.thread(channel, message.ts)[-1].plain


def test_a_reply_still_not_stored_on_slacks_last_delivery_is_reported_to_its_author(
    ws: SimulatedWorkspace, clock: Clock, proxy: TcpProxy
) -> None:
    run_cycle(ws, clock)
    clock.run_until(group_of(ws).weeks_planned[0].ends_at + timedelta(hours=20))
    channel = ws.fake.dm_channel_id(ANA)
    message = ws.fake.add_user_message(channel, ANA, "Leader leases")
    event = {"type": "message", "channel": channel, "channel_type": "im", "user": ANA}
    event |= {"text": "Leader leases", "ts": message.ts}

    proxy.set_mode("refuse")
    for retry in (None, 1, 2, 3):
        reply = ws.driver.event(event, event_id="Ev0LOST", retry_num=retry)
        assert reply.status == 503
    ws.settle()
    proxy.set_mode("pass")

    told = ws.fake.thread(channel, message.ts)
    assert len(told) == 1 and "did not count. Please send it again" in told[0].plain


def urlopen_status(url: str) -> int:
    try:
        with urlopen(url, timeout=10) as response:
            return int(response.status)
    except OSError as error:  # HTTPError for 503
        return int(getattr(error, "code", 0))
