"""The schema comes only from migrations: `upgrade head` gives exactly the models, and back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import bot.store.models  # noqa: F401
from bot.store.base import Base
from bot.store.engine import make_engine
from bot.store.migrate import (
    SchemaOutdated,
    current_revision,
    downgrade,
    head_revision,
    require_current,
    upgrade,
)
from tests import databases

P2P_BOT = str(Path(sys.executable).parent / "p2p-bot")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield databases.sqlite_url(tmp_path / "empty.db")
        return
    if not request.getfixturevalue("postgres_available"):
        pytest.skip("PostgreSQL is not reachable (required when CI=true)")
    name = f"p2p_migrations_{worker_id}_{os.getpid()}"
    yield databases.create_postgres_database(name)
    databases.drop_postgres_database(name)


def test_upgrade_head_on_an_empty_database_matches_the_models(empty_db: str) -> None:
    upgrade(empty_db)
    engine = make_engine(empty_db)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert drift == []


def test_downgrade_base_removes_every_table(empty_db: str) -> None:
    upgrade(empty_db)
    downgrade(empty_db, "base")
    engine = make_engine(empty_db)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(engine) is None
    engine.dispose()


def test_the_bot_refuses_an_outdated_schema_and_says_how_to_fix_it(empty_db: str) -> None:
    engine = make_engine(empty_db)
    with pytest.raises(SchemaOutdated, match="Run `p2p-bot migrate` first"):
        require_current(engine)
    upgrade(empty_db)
    require_current(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_replicas_migrating_at_the_same_time_take_turns(empty_db: str, tmp_path: Path) -> None:
    # Separate processes, as replicas are (Alembic itself is not thread-safe).
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": empty_db, "LOG_LEVEL": "WARNING"}
    runs = [
        subprocess.Popen(
            [P2P_BOT, "migrate"], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outcomes = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]

    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    engine = make_engine(empty_db)
    assert current_revision(engine) == head_revision()
    engine.dispose()
