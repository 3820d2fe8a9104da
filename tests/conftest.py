from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.migrate import upgrade
from tests import databases

BACKENDS = ["sqlite", "postgresql"]
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    if databases.postgres_reachable():
        return True
    if IN_CI:
        pytest.fail(
            f"CI=true but PostgreSQL is not reachable at {databases.PG_HOST}:{databases.PG_PORT}"
        )
    return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "p2p.db"
    upgrade(databases.sqlite_url(path))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_available: bool, worker_id: str) -> Iterator[str | None]:
    if not postgres_available:
        yield None
        return
    name = f"p2p_test_{worker_id}_{os.getpid()}"  # parallel test runs must not collide
    url = databases.create_postgres_database(name)
    upgrade(url)
    yield url
    databases.drop_postgres_database(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        return databases.copy_sqlite(sqlite_template, tmp_path / "p2p.db")
    url = request.getfixturevalue("postgres_template")
    if url is None:
        pytest.skip("PostgreSQL is not reachable (required when CI=true)")
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store.from_url(db_url)
    if store.engine.dialect.name == "postgresql":
        databases.truncate_all(store.engine)
    yield store
    store.dispose()
