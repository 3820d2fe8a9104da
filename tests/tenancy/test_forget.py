"""`p2p-bot forget --team T…`: a data-deletion request deletes everything stored about one
workspace, says what it deleted, and leaves the others alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.devtools.workspace import TOKEN_KEY, SimulatedWorkspace
from bot.domain import interest
from bot.domain.cohorts import Availability
from bot.store.models import (
    Group,
    InterestTopic,
    Membership,
    ProgramOwner,
    Want,
    Workspace,
    slack_bots,
    slack_installations,
)
from tests.tenancy.teams import Team
from tests.test_server_process import base_env, run_cli


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_forget_deletes_one_workspace_and_says_what(
    ws: SimulatedWorkspace, a: Team, b: Team, db_url: str, tmp_path: Path
) -> None:
    ws.install("TA")
    ws.install("TB")
    a.recruit("Distributed systems")
    b.recruit("Compilers")
    for team in (a, b):  # each workspace's interest board and program owners
        with ws.store.transaction() as session:
            interest.add_want(
                session,
                team_id=team.team_id,
                user_id=team.people[1],
                text="Rust",
                availability=Availability("Europe/Amsterdam", frozenset({1}), frozenset({18})),
                now=datetime(2026, 3, 1, tzinfo=UTC),
            )
            session.add(
                ProgramOwner(
                    team_id=team.team_id,
                    user_id=team.people[2],
                    added_by=team.fac,
                    added_at=datetime(2026, 3, 1, tzinfo=UTC),
                )
            )

    env = base_env(DATABASE_URL=db_url, P2P_TOKEN_KEY=TOKEN_KEY)
    result = run_cli("forget", "--team", "TA", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Deleted everything stored about TA:"
    for expected in (
        "groups: 1 row",
        "interest_topics: 1 row",
        "program_owners: 1 row",
        "wants: 1 row",
        "memberships: 4 rows",
        "slack_bots: 1 row",
        "slack_installations: 1 row",
        "workspaces: 1 row",
    ):
        assert f"  {expected}" in lines, result.stdout
    assert "xox" not in result.stdout + result.stderr  # no token in what it says

    with ws.store.transaction() as session:
        assert session.scalars(select(Group.team_id)).all() == ["TB"]
        assert session.scalar(select(func.count()).select_from(Membership)) == 4
        assert session.scalars(select(Workspace.key)).all() == ["TB"]
        for model in (InterestTopic, Want, ProgramOwner):
            assert session.scalars(select(model.team_id)).all() == ["TB"]
        for table in (slack_bots, slack_installations):
            assert session.execute(select(table.c.team_id)).scalars().all() == ["TB"]

    again = run_cli("forget", "--team", "TA", env=env, cwd=tmp_path)
    assert again.stdout.strip() == "Nothing was stored about TA."


def test_tokens_never_reach_the_log() -> None:
    import logging

    from bot.config import RedactTokens

    record = logging.LogRecord(
        "slack_sdk",
        logging.DEBUG,
        __file__,
        1,
        "body: %s",
        ({"access_token": "xoxe.xoxb-1-abc", "refresh_token": "xoxe-1-def"},),
        None,
    )
    RedactTokens().filter(record)
    said = record.getMessage()
    assert "abc" not in said and "def" not in said and "redacted" in said


def test_socket_mode_says_it_serves_one_workspace(tmp_path: Path) -> None:
    env = base_env(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s", SLACK_APP_TOKEN="xapp-1")
    result = run_cli("socket", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "Socket Mode serves one workspace" in result.stderr
    assert "p2p-bot serve" in result.stderr
