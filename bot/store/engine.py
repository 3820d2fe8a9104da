"""The engine and the unit of work. SQLite gets WAL, a busy timeout and serialised writes;
PostgreSQL gets deadlines, so a database that refuses or stops answering makes a request
fail in seconds (and the person hear so) instead of holding a listener thread for good."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000

# Slack waits 3 s for an answer: a connection that cannot be made in 2 s is reported as
# "try again" in time. A statement (or a row lock) taking over 5 s is cancelled by the
# server. A partition (nothing answers, not even TCP) is noticed by the kernel: data left
# unacknowledged for 6 s, or an idle connection unanswered for 6 s, breaks the connection.
POSTGRES_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": 2,
    "options": "-c statement_timeout=5000 -c lock_timeout=4000",
    "keepalives": 1,
    "keepalives_idle": 3,
    "keepalives_interval": 1,
    "keepalives_count": 3,
    "tcp_user_timeout": 6000,
}
# Waiting for a free connection from the pool is bounded as well.
POOL_TIMEOUT_S = 3
_READING = "p2p_reading"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_timeout=POOL_TIMEOUT_S,
            connect_args=POSTGRES_CONNECT_ARGS,
            **kwargs,
        )

    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
    in_memory = parsed.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: two clicks on the last seat queue up
        # instead of both reading "one seat left" and failing to upgrade. Units that only
        # read (`Store.reading`) read a snapshot beside the writer instead (WAL).
        reading = connection.get_execution_options().get(_READING, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


def is_unavailable(error: BaseException) -> bool:
    """The database refused, dropped or timed out — as opposed to a bug in a query: the
    work did not happen, and trying again later can succeed."""
    return isinstance(error, OperationalError | InterfaceError | PoolTimeout)


class Store:
    """Hands out units of work. Objects stay readable after commit (for rendering)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(**{_READING: True}), expire_on_commit=False
        )

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(make_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A unit of work that only reads. On SQLite it does not queue for the write lock
        behind the writers (a fan-out's claims), and sees what was committed when it began."""
        with self._readers.begin() as session:
            yield session

    def ping(self) -> bool:
        """Answers within the connect and statement deadlines, whatever the database does."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
