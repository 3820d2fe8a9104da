"""Enterprise Grid (an org-wide install serves the org's workspaces) and Slack Connect (act
for the installation Slack names in `authorizations`, not for the channel owner's team)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from bot.slack.gateway import Gateway, acting_for
from bot.slack.render.message import Message
from bot.store.models import Group, Resource, slack_bots
from tests.tenancy.teams import Team, add_team

GRID_PEOPLE = ["UE_FAC", "UE_ANA", "UE_BEN", "UE_CHEN"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_org_wide_install_serves_each_workspace_of_the_org(
    ws: SimulatedWorkspace, traveller: time_machine.Traveller
) -> None:
    add_team(ws.fake, "TE1", "CE1_LEARN", GRID_PEOPLE, enterprise_id="E1")
    # An org admin installs from Slack's admin pages: the redirect comes without a state.
    page = ws.oauth_redirect({"code": ws.fake.install_code(enterprise_id="E1", org_wide=True)})
    assert page.status == 200 and "p2p is installed in Org E1" in page.body

    # A workspace of the org runs a group; its start form comes back with no `team`.
    grid = Team(ws, "TE1", "CE1_LEARN", GRID_PEOPLE, enterprise_id="E1", org_wide=True)
    grid.recruit("Compilers")
    grid.schedule_kickoff("2026-03-17", "18:00")
    with ws.store.transaction() as session:
        group = session.scalars(select(Group)).one()
        assert (group.team_id, group.enterprise_id) == ("TE1", "E1")

    # The scheduler posts with the org's token.
    traveller.move_to(utc(2026, 3, 17, 17))
    ws.tick(utc(2026, 3, 17, 17))
    kickoff = ws.fake.find_message("CE1_LEARN", "I'm aligned")
    post = next(
        c for c in ws.fake.calls_to("chat.postMessage") if c.response.get("ts") == kickoff.ts
    )
    assert post.team == "E1"
    # Work that knows only the workspace (the interest board's DMs) is served by the org too.
    with acting_for("TE1"):
        Gateway(ws.client, tokens=ws.tokens).dm(GRID_PEOPLE[1], Message(text="5 people want Rust"))
    dm = ws.fake.calls_to("chat.postMessage")[-1]
    assert dm.status == 200 and dm.team == "E1"

    # The org removes the app: every group the org's install served stops.
    ws.fake.uninstall("E1")
    assert grid.driver.event({"type": "app_uninstalled"}).status == 200
    ws.settle()
    with ws.store.transaction() as session:
        group = session.scalars(select(Group)).one()
        assert group.uninstalled_at is not None and group.next_due_at is None
        assert session.execute(select(slack_bots)).first() is None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_in_a_shared_channel_the_installation_named_in_authorizations_acts(
    ws: SimulatedWorkspace, a: Team, traveller: time_machine.Traveller
) -> None:
    ws.install("TA")
    a.recruit("Distributed systems")
    a.schedule_kickoff("2026-03-17", "18:00")
    traveller.move_to(utc(2026, 3, 17, 17))
    ws.tick(utc(2026, 3, 17, 17))
    a.click(a.fac, ws.fake.find_message(a.channel, "I'm aligned"), ids.CYCLE_START)
    traveller.move_to(utc(2026, 3, 18, 17))
    ws.tick(utc(2026, 3, 18, 17))
    prompt = ws.fake.find_message(a.channel, "Week 1")

    # The channel is shared with another org, which owns it: Slack puts that org's team id
    # at the top of the event, and A's installation in `authorizations`.
    text = "Read this first https://raft.github.io/raft.pdf"
    said = ws.fake.add_user_message(a.channel, a.people[1], text, thread_ts=prompt.ts)
    event = {
        "type": "message",
        "user": a.people[1],
        "text": text,
        "ts": said.ts,
        "thread_ts": prompt.ts,
        "channel": a.channel,
        "channel_type": "channel",
        "event_ts": said.ts,
        "team": "TA",
    }
    reply = a.driver.event(event, channel_owner="TOWNER")
    ws.settle()
    assert reply.status == 200
    with ws.store.transaction() as session:
        kept = session.scalars(select(Resource.url)).all()
    assert kept == ["https://raft.github.io/raft.pdf"]
