"""INSERT ... ON CONFLICT DO NOTHING on both backends: the store's "claim it once", and
the "create or lock" that makes a person's answer safe to write twice at once."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

T = TypeVar("T")


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


def locked_row(
    session: Session, model: type[T], key: dict[str, Any], defaults: dict[str, Any]
) -> T:
    """The row with `key` (its unique columns), created with `defaults` if there was none,
    and locked until the transaction ends — so a person's two clicks at once change it one
    after the other instead of both reading "nothing yet" and colliding on the insert, or
    both rewriting what they read and losing one answer. (SQLite takes its write lock at
    BEGIN, so FOR UPDATE, which it ignores, is not needed there.)"""
    insert_if_absent(session, model, {**defaults, **key}, unique=list(key))
    query = (
        select(model).filter_by(**key).with_for_update().execution_options(populate_existing=True)
    )
    return session.scalars(query).one()
