"""The background loop really ticks: started as `p2p-bot serve` starts it, it delivers what
is due without anyone calling it."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from time import monotonic, sleep

from sqlalchemy import select

from bot.domain import groups, kickoff
from bot.domain.groups import GroupDraft
from bot.schedule import replicas
from bot.schedule.heartbeat import start_heartbeat, stop_heartbeat
from bot.schedule.ledger import Claim, Sent
from bot.schedule.runner import WORKER
from bot.store import Store
from bot.store.models import Delivery, DeliveryState, GroupFormat
from bot.store.types import utcnow


class RecordingSender:
    """Stands in for Slack here: this test is about the loop, not about posting."""

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.first = threading.Event()

    def deliver(self, claim: Claim, *, now: datetime) -> Sent | None:
        self.delivered.append(claim.due.key)
        self.first.set()
        return Sent("C_LEARN", f"{now.timestamp():.6f}")


def _sent_keys(store: Store) -> set[str]:
    with store.transaction() as session:
        return set(
            session.scalars(select(Delivery.key).where(Delivery.state == DeliveryState.SENT))
        )


def test_the_heartbeat_delivers_what_is_due_on_its_own(store: Store) -> None:
    now = utcnow()
    with store.transaction() as session:
        group = groups.create_group(
            session,
            team_id="T0P2P",
            channel_id="C_LEARN",
            user_id="U_FAC",
            draft=GroupDraft(
                topic="Rust",
                why="",
                format=GroupFormat.STUDY_AND_PRESENT,
                weekday=now.weekday(),
                session_time=time(23, 59),
                timezone="UTC",
                min_members=2,
            ),
        )
        groups.join(
            session,
            team_id="T0P2P",
            group_id=group.id,
            user_id="U_ANA",
            goal="",
            minutes_per_week=60,
        )
        kickoff.start_cycle(
            session,
            team_id="T0P2P",
            group_id=group.id,
            user_id="U_FAC",
            now=now - timedelta(days=1),
        )
    sender = RecordingSender()
    passes: list[datetime] = []
    board_pass = threading.Event()

    def periodic(at: datetime) -> None:  # e.g. the interest board's pass
        passes.append(at)
        board_pass.set()

    scheduler = start_heartbeat(store, sender, interval=60, also=[periodic])
    try:
        assert sender.first.wait(timeout=10), "the first tick did not come"
        assert board_pass.wait(timeout=10), "the periodic pass did not run"
        with store.transaction() as session:
            assert replicas.alive(session, utcnow()) == [WORKER]  # it says it is alive
        # The post went out; its receipt is written just after. Stopping does not wait
        # for a tick in flight, so wait here for what this test reads.
        deadline = monotonic() + 10
        while _sent_keys(store) != set(sender.delivered) and monotonic() < deadline:
            sleep(0.05)
    finally:
        stop_heartbeat(store, scheduler)
    assert len(passes) == 1
    with store.transaction() as session:  # ...and signs off when it stops
        assert replicas.alive(session, utcnow()) == []

    assert _sent_keys(store) == set(sender.delivered)
    assert any(key.startswith(f"prompt:{group.id}:1") for key in sender.delivered)
