"""Test databases: SQLite always; PostgreSQL when reachable, and required under CI=true.

Each is built by `alembic upgrade head` once per test session (never `create_all`), then
copied (SQLite) or truncated (PostgreSQL) for every test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text

from bot.store.base import Base

PG_HOST = os.environ.get("P2P_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("P2P_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("P2P_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("P2P_TEST_PG_DB", "test")


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(_dsn(PG_ADMIN_DB), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def postgres_url(database: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def create_postgres_database(name: str) -> str:
    with psycopg.connect(_dsn(PG_ADMIN_DB), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return postgres_url(name)


def drop_postgres_database(name: str) -> None:
    with psycopg.connect(_dsn(PG_ADMIN_DB), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def copy_sqlite(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return sqlite_url(target)


def truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _dsn(database: str) -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={database}"
