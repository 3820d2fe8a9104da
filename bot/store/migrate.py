"""Alembic from code: upgrade, downgrade and "is this database current?"."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

# An installed wheel carries the repository's migrations/ as bot/migrations (setup.py);
# a clone or an editable install uses migrations/ itself.
_PLACES = (
    Path(__file__).resolve().parents[1] / "migrations",
    Path(__file__).resolve().parents[2] / "migrations",
)


def migrations_dir() -> Path:
    for folder in _PLACES:
        if (folder / "env.py").is_file():
            return folder
    raise FileNotFoundError(f"the migrations are missing from {_PLACES[0]}; reinstall p2p")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    config.attributes["url"] = url
    return config


# Any number; PostgreSQL advisory locks are per database.
MIGRATION_LOCK = 72_050_001


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate; on PostgreSQL, replicas starting together take turns (the first migrates,
    the others then find nothing to do)."""
    config = alembic_config(url)
    if make_url(url).get_backend_name() != "postgresql":
        with _sqlite_turns(url):
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


@contextmanager
def _sqlite_turns(url: str) -> Iterator[None]:
    """Processes migrating one SQLite file take turns (SQLite's own locks make a second
    migration fail with "database is locked" rather than wait): a lock on its folder,
    which leaves no file behind."""
    path = sqlite_path(url)
    if path is None:
        yield
        return
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)  # releases the lock


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory(str(migrations_dir())).get_current_head()


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


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).absolute()


def unusable_sqlite_folder(url: str) -> str | None:
    """Why an SQLite file could not be created or opened where the URL says, if we can tell."""
    path = sqlite_path(url)
    if path is None:
        return None
    folder = path.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"this user cannot write in the folder {folder}"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"this user cannot read and write {path}"
    return None


def why_unreachable(url: str, error: Exception) -> str:
    """One line naming the real cause of a failed connection or migration."""
    where = make_url(url).render_as_string(hide_password=True)
    folder = unusable_sqlite_folder(url)
    if folder:
        return f"cannot open the database {where}: {folder}"
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [cause.__class__.__name__])[0]
    return f"cannot open the database {where}: {first_line.removeprefix('connection failed: ')}"
