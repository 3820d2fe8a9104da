"""The schema comes only from migrations: `upgrade head` gives exactly the models, and back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy import text as sa_text

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


def test_two_live_groups_in_one_channel_stop_the_migration_with_what_to_do(
    empty_db: str, tmp_path: Path
) -> None:
    upgrade(empty_db, "0006_13_ledger_retries")  # before one live group per channel
    engine = make_engine(empty_db)
    columns = [c for c in inspect(engine).get_columns("groups") if c["name"] != "id"]
    for topic in ("Rust", "Go"):
        row = {c["name"]: _filler(c) for c in columns if not c["nullable"]}
        row |= {"team_id": "T1", "channel_id": "C1", "state": "recruiting", "topic": topic}
        with engine.begin() as connection:
            names = ", ".join(row)
            connection.execute(
                sa_text(f"INSERT INTO groups ({names}) VALUES (:{', :'.join(row)})"), row
            )
    engine.dispose()

    result = subprocess.run(
        [P2P_BOT, "migrate"],
        env={**os.environ, "DATABASE_URL": empty_db},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "cannot migrate the database" in result.stderr
    assert "more than one live group in a channel: T1/C1 (2 groups)" in result.stderr
    assert "/p2p end" in result.stderr


def _filler(column: dict) -> object:
    kind = str(column["type"]).upper()
    if "INT" in kind or "NUMERIC" in kind or "FLOAT" in kind:
        return 1
    if "BOOL" in kind:
        return False
    if "TIME" in kind or "DATE" in kind:
        return datetime(2026, 3, 1, tzinfo=UTC)
    return "x"


def test_text_stored_with_slacks_markup_is_made_plain(empty_db: str) -> None:
    upgrade(empty_db, "0011_proposal_dm_claims")
    engine = make_engine(empty_db)

    def insert(table: str, values: dict[str, object]) -> None:
        columns = [c for c in inspect(engine).get_columns(table) if c["name"] != "id"]
        row = {c["name"]: _filler(c) for c in columns if not c["nullable"]} | values
        with engine.begin() as connection:
            connection.execute(
                sa_text(f"INSERT INTO {table} ({', '.join(row)}) VALUES (:{', :'.join(row)})"),
                row,
            )

    insert("groups", {"team_id": "T1", "channel_id": "C1", "state": "running", "topic": "R&D"})
    replied = "Read <https://raft.github.io|raft.github.io> &amp; took notes"
    insert("checkins", {"replies": replied, "learned": replied, "week": 1})
    insert("checkins", {"replies": "", "learned": "Vec<T> &amp; Option<T>", "week": 2})  # a form
    insert("retro_replies", {"text": "More &lt;code&gt;, less talk", "message_ts": "1.1"})
    insert("resources", {"url": "https://x.io/?a=1&amp;b=2"})
    engine.dispose()

    upgrade(empty_db, "head")

    engine = make_engine(empty_db)
    with engine.connect() as connection:
        [(replies, learned), (_, typed)] = connection.execute(
            sa_text("SELECT replies, learned FROM checkins ORDER BY week")
        ).all()
        assert replies == learned == "Read https://raft.github.io & took notes"
        assert typed == "Vec<T> &amp; Option<T>"  # typed in the form, kept as it was
        assert connection.scalar(sa_text("SELECT text FROM retro_replies")) == (
            "More <code>, less talk"
        )
        assert connection.scalar(sa_text("SELECT url FROM resources")) == "https://x.io/?a=1&b=2"
        assert connection.scalar(sa_text("SELECT topic FROM groups")) == "R&D"  # typed in a form
    engine.dispose()
