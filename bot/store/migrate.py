"""Alembic from code: upgrade, downgrade and "is this database current?"."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

_SOURCE_TREE = Path(__file__).resolve().parents[2]


def _project_root() -> Path:
    # Source checkouts and editable installs find migrations/ beside bot/; a plain
    # install (the Docker image) runs from the project directory.
    for root in (_SOURCE_TREE, Path.cwd()):
        if (root / "migrations" / "env.py").is_file():
            return root
    raise FileNotFoundError("cannot find the migrations/ folder; run from the project directory")


def alembic_config(url: str) -> Config:
    root = _project_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.attributes["url"] = url
    return config


# Any number; PostgreSQL advisory locks are per database.
MIGRATION_LOCK = 72_050_001


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate; on PostgreSQL, replicas starting together take turns (the first migrates,
    the others then find nothing to do)."""
    config = alembic_config(url)
    if make_url(url).get_backend_name() != "postgresql":
        command.upgrade(config, revision)
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                connection.commit()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                connection.commit()
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
    finally:
        engine.dispose()


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    root = _project_root()
    return ScriptDirectory(str(root / "migrations")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class SchemaOutdated(Exception):
    pass


def require_current(engine: Engine) -> None:
    """Refuse to run on a database that `p2p-bot migrate` has not brought up to date."""
    url = engine.url.render_as_string(hide_password=True)
    head = head_revision()
    current = current_revision(engine)
    if current != head:
        found = f"at revision {current}" if current else "empty (no schema yet)"
        raise SchemaOutdated(
            f"The database {url} is {found}; this version of p2p needs revision {head}. "
            "Run `p2p-bot migrate` first."
        )
