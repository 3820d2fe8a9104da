"""INSERT ... ON CONFLICT DO NOTHING on both backends: the store's "claim it once"."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_if_absent(
    session: Session, model: Any, values: dict[str, Any], *, unique: list[str]
) -> bool:
    """True if this call inserted the row; False if a row with the same `unique` existed."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    primary = model.__table__.primary_key.columns.values()[0]
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(primary)
    )
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return session.execute(statement).first() is not None
