"""Everything stored, as plain rows: compare before and after to prove nothing changed."""

from __future__ import annotations

from typing import Any

from bot.store import Store
from bot.store.base import Base


def stored(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row) for row in connection.exec_driver_sql(f"SELECT * FROM {table.name}")),
                key=repr,
            )
            for table in Base.metadata.sorted_tables
        }
