"""One live group per channel, held by the database: the loser of a race is told why."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups
from bot.domain.errors import Conflict
from bot.store import Store
from bot.store.models import Group, GroupState
from tests.domain.factories import CHANNEL, TEAM, draft
from tests.slack.people import ANA, FAC, START_VALUES
from tests.slack.people import CHANNEL as WS_CHANNEL
from tests.snapshot import stored


def test_the_database_refuses_a_second_live_group_in_a_channel(store: Store) -> None:
    with store.transaction() as session:
        groups.create_group(session, team_id=TEAM, channel_id=CHANNEL, user_id="U_A", draft=draft())
    with pytest.raises(IntegrityError), store.transaction() as session:
        session.add(
            Group(
                team_id=TEAM,
                channel_id=CHANNEL,
                topic="Rust",
                format="study_present",
                weekday=3,
                session_time=draft().session_time,
                timezone="UTC",
                facilitator_id="U_B",
                created_by="U_B",
            )
        )
    with store.transaction() as session:  # an ended group steps aside
        live = groups.live_group(session, team_id=TEAM, channel_id=CHANNEL)
        assert live is not None
        live.state = GroupState.STALLED
    with store.transaction() as session:
        groups.create_group(session, team_id=TEAM, channel_id=CHANNEL, user_id="U_B", draft=draft())


def test_the_loser_of_a_simultaneous_start_gets_a_clear_answer(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.transaction() as session:
        groups.create_group(
            session, team_id=TEAM, channel_id=CHANNEL, user_id="U_A", draft=draft(topic="Go")
        )
    before = stored(store)
    # The loser checked before the winner committed: its first look finds no live group.
    real, looks = groups.live_group, []

    def first_look_too_early(*args: Any, **kwargs: Any) -> Group | None:
        looks.append(1)
        return None if len(looks) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(groups, "live_group", first_look_too_early)
    with pytest.raises(Conflict) as lost, store.transaction() as session:
        groups.create_group(session, team_id=TEAM, channel_id=CHANNEL, user_id="U_B", draft=draft())

    assert "already has a live group, *Go*" in lost.value.message
    assert "start the new one in another channel" in lost.value.message
    assert stored(store) == before


def test_two_people_starting_a_group_in_one_channel(ws: SimulatedWorkspace) -> None:
    ws.command(FAC, "start Distributed systems", channel_id=WS_CHANNEL)
    ws.command(ANA, "start Rust", channel_id=WS_CHANNEL)
    fac_form, ana_form = ws.fake.open_modal(FAC), ws.fake.open_modal(ANA)
    assert fac_form is not None and ana_form is not None

    assert not (ws.submit(FAC, fac_form, START_VALUES).json or {}).get("errors")
    before = stored(ws.store)
    reply = ws.submit(ANA, ana_form, {**START_VALUES, "topic": "Rust"})

    error = reply.json["errors"]["topic"]
    assert "already has a live group, Distributed systems" in error
    assert stored(ws.store) == before
    with ws.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Group)) == 1
