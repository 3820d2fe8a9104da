from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

from bot.store.types import UTCDateTime

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def str_enum(enum_type: type[enum.Enum]) -> Enum:
    """Store an enum by its value in a plain VARCHAR (no native enum to migrate)."""
    return Enum(
        enum_type,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum_type),
        values_callable=lambda members: [m.value for m in members],
    )
