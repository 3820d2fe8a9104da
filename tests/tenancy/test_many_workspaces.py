"""Many workspaces from one deployment, through real HTTP: Add to Slack, each workspace's
token for its own groups, token rotation, uninstall and reinstall."""

from __future__ import annotations

import html
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
import yaml
from sqlalchemy import select, text

from bot.devtools.workspace import SimulatedWorkspace, http_get
from bot.slack import ids
from bot.store.models import Group, Workspace, slack_bots, slack_installations
from tests.tenancy.teams import Team


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def group_in(ws: SimulatedWorkspace, team: str) -> Group:
    with ws.store.transaction() as session:
        return session.scalars(select(Group).where(Group.team_id == team)).one()


def posts_by_team(ws: SimulatedWorkspace) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for call in ws.fake.calls_to("chat.postMessage"):
        counts[call.team] = counts.get(call.team, 0) + 1
    return counts


def test_two_workspaces_install_run_their_groups_and_one_leaves(
    ws: SimulatedWorkspace, a: Team, b: Team, traveller: time_machine.Traveller
) -> None:
    # Someone in each workspace clicks Add to Slack and approves.
    page = ws.install("TA")
    assert page.status == 200
    assert "p2p is installed in ta" in page.body and "/p2p start" in page.body
    assert "/invite @p2p" in page.body
    assert ws.install("TB").status == 200
    # Whoever installed it is told the same in their DM with the bot, in their workspace.
    for team in (a, b):
        welcome = ws.fake.find_message(team.people[0], "p2p is installed")
        assert "/invite @p2p" in welcome.plain and "/p2p start" in welcome.plain

    # The tokens are stored, sealed: nothing in the database reads as a token.
    with ws.store.engine.connect() as connection:
        raw = connection.execute(text("SELECT bot_token, bot_refresh_token FROM slack_bots"))
        stored = [value for row in raw for value in row]
    assert len(stored) == 4
    issued = ws.fake.tokens_of("TA") + ws.fake.tokens_of("TB")
    assert not any(value.startswith("xox") or value in issued for value in stored)

    # Each runs a group; every call for it is made with its own workspace's token (the
    # fake refuses any other, and the fixture fails on it).
    for team in (a, b):
        team.recruit(f"Group of {team.team_id}")
        team.schedule_kickoff("2026-03-17", "18:00")

    # The next day the scheduler posts each kick-off, each with its workspace's token. The
    # tokens have expired meanwhile (3 hours): they are refreshed before use.
    traveller.move_to(utc(2026, 3, 17, 17))
    ws.tick(utc(2026, 3, 17, 17))
    kickoff_a = ws.fake.find_message("CA_LEARN", "I'm aligned")
    kickoff_b = ws.fake.find_message("CB_LEARN", "I'm aligned")
    assert ws.fake.tenancy.refreshes >= 2
    assert not [c for c in ws.fake.calls if c.response.get("error") == "token_expired"]
    kickoff_posts = [
        c for c in ws.fake.calls_to("chat.postMessage") if "aligned" in str(c.args.get("blocks"))
    ]
    assert {c.args["channel"]: c.team for c in kickoff_posts} == {
        "CA_LEARN": "TA",
        "CB_LEARN": "TB",
    }
    a.click(a.fac, kickoff_a, ids.CYCLE_START)
    b.click(b.fac, kickoff_b, ids.CYCLE_START)

    # B uninstalls the app: Slack revokes its tokens and tells the app.
    ws.fake.uninstall("TB")
    reply = b.driver.event({"type": "app_uninstalled", "event_ts": "1"})
    ws.settle()
    assert reply.status == 200
    with ws.store.transaction() as session:
        left = session.scalars(select(Group).where(Group.team_id == "TB")).one()
        assert left.uninstalled_at is not None and left.next_due_at is None
        assert session.get_one(Workspace, "TB").uninstalled_at is not None
        for table in (slack_bots, slack_installations):
            rows = session.execute(select(table.c.team_id)).scalars().all()
            assert rows == ["TA"]

    # A carries on through the week; B's group makes no call at all.
    ws.fake.reset_calls()
    for moment in (utc(2026, 3, 18, 17), utc(2026, 3, 19, 17), utc(2026, 3, 19, 19)):
        traveller.move_to(moment)
        ws.tick(moment)
    assert posts_by_team(ws).get("TA", 0) >= 2
    assert {c.team for c in ws.fake.calls if c.method != "oauth.v2.access"} == {"TA"}
    assert not [c for c in ws.fake.calls if not c.response.get("ok")]
    assert ws.fake.find_message("CA_LEARN", "Week 1")

    # B comes back: its group takes up its calendar again.
    assert "installed" in ws.install("TB").body
    back = group_in(ws, "TB")
    assert back.uninstalled_at is None and back.next_due_at is not None
    moment = utc(2026, 3, 19, 20)
    traveller.move_to(moment)
    ws.fake.reset_calls()
    ws.tick(moment)
    assert "TB" in posts_by_team(ws)


def test_replicas_refreshing_one_token_at_once_refresh_it_once(
    ws: SimulatedWorkspace, traveller: time_machine.Traveller
) -> None:
    ws.install("TA")
    traveller.move_to(utc(2026, 3, 16, 11, 30))  # within 2 hours of the 3-hour expiry
    assert ws.tokens is not None
    found: list[str | None] = []
    start = threading.Barrier(4)

    def replica() -> None:
        start.wait()
        found.append(ws.tokens.token_for("TA") if ws.tokens else None)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ws.fake.tenancy.refreshes == 1
    assert len(set(found)) == 1 and found[0] in ws.fake.tokens_of("TA")
    refreshes = ws.fake.calls_to("oauth.v2.access")
    assert [c.response.get("error") for c in refreshes if not c.response["ok"]] == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_install_page_links_to_slack_with_the_manifests_scopes_and_a_state(
    ws: SimulatedWorkspace,
) -> None:
    page = http_get(f"{ws.base_url}/slack/install")
    assert page.status == 200 and "Add to Slack" in page.body
    link = re.search(r'href="([^"]+)"', page.body.split("<body>", 1)[1])
    assert link is not None
    url = urlsplit(html.unescape(link.group(1)))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ws.fake.base_url}/oauth/v2/authorize"
    query = parse_qs(url.query)
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    assert sorted(query["scope"][0].split(",")) == sorted(manifest["oauth_config"]["scopes"]["bot"])
    assert query["client_id"] == [ws.fake.tenancy.client_id]
    assert page.cookie == f"slack-app-oauth-state={query['state'][0]}"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_install_pages_say_what_went_wrong(ws: SimulatedWorkspace) -> None:
    # A state the app never issued (or one already used) in the same browser.
    cookie = "slack-app-oauth-state=made-up"
    made_up = ws.oauth_redirect(
        {"code": ws.fake.install_code("TA"), "state": "made-up"}, cookie=cookie
    )
    assert made_up.status == 400
    assert "not installed" in made_up.body and "expired or was already used" in made_up.body
    assert "Start the install again" in made_up.body
    # A state from another browser.
    elsewhere = ws.oauth_redirect({"code": ws.fake.install_code("TA"), "state": "made-up"})
    assert elsewhere.status == 400 and "another browser" in elsewhere.body
    # Slack refusing the code.
    start = http_get(f"{ws.base_url}/slack/install")
    state = start.cookie.split("=", 1)[1] if start.cookie else ""
    refused = ws.oauth_redirect({"code": "not-a-code", "state": state}, cookie=start.cookie)
    assert refused.status == 400 and "did not accept the install" in refused.body
    cancelled = ws.oauth_redirect({"error": "access_denied", "state": "x"})
    assert cancelled.status == 200 and "cancelled" in cancelled.body
    # A workspace install without a state is refused (only org-wide installs come so).
    stateless = ws.oauth_redirect({"code": ws.fake.install_code("TA")})
    assert stateless.status == 400 and "expired or was already used" in stateless.body
    with ws.store.engine.connect() as connection:
        assert connection.execute(select(slack_bots)).first() is None


def test_a_workspace_whose_token_was_revoked_stops_without_holding_up_another(
    ws: SimulatedWorkspace, a: Team, b: Team, traveller: time_machine.Traveller
) -> None:
    ws.install("TA")
    ws.install("TB")
    for team in (a, b):
        team.recruit(f"Group of {team.team_id}")
        team.schedule_kickoff("2026-03-17", "18:00")
    # B revokes the app's tokens; the event never reaches us.
    ws.fake.uninstall("TB")
    ws.fake.reset_calls()
    traveller.move_to(utc(2026, 3, 17, 17))
    ws.tick(utc(2026, 3, 17, 17))
    assert ws.fake.find_message("CA_LEARN", "I'm aligned")
    stopped = group_in(ws, "TB")
    assert stopped.uninstalled_at is not None and stopped.next_due_at is None
    # Later ticks make no call for B at all.
    ws.fake.reset_calls()
    for moment in (utc(2026, 3, 17, 18), utc(2026, 3, 18, 17)):
        traveller.move_to(moment)
        ws.tick(moment)
    assert not [c for c in ws.fake.calls if c.team == "TB" or not c.response.get("ok")]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_workspace_rate_limited_and_missing_its_channel_does_not_hold_up_another(
    ws: SimulatedWorkspace, a: Team, b: Team, traveller: time_machine.Traveller
) -> None:
    ws.install("TA")
    ws.install("TB")
    for team in (a, b):
        team.recruit(f"Group of {team.team_id}")
        team.schedule_kickoff("2026-03-17", "18:00")
    # B's channel was deleted, and Slack rate-limits B's every lookup for a while.
    ws.fake.delete_channel("CB_LEARN")
    ws.fake.reset_calls()
    ws.fake.rate_limit(
        "chat.postMessage", retry_after=1, times=2, when=lambda args: args.get("channel") == b.fac
    )
    traveller.move_to(utc(2026, 3, 17, 17))
    ws.tick(utc(2026, 3, 17, 17))
    assert ws.fake.find_message("CA_LEARN", "I'm aligned")
    a_post = next(
        c for c in ws.fake.calls_to("chat.postMessage") if c.args["channel"] == "CA_LEARN"
    )
    assert a_post.team == "TA" and a_post.response["ok"]
    # B's facilitator hears why B's group stopped, through B's own token.
    lost = [c for c in ws.fake.calls_to("chat.postMessage") if c.args["channel"] == b.fac]
    assert [c.status for c in lost] == [429, 429, 200] and {c.team for c in lost} == {"TB"}
