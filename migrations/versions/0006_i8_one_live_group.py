"""one live group per channel, enforced by the database

Two `/p2p start` submissions at the same moment could both pass the application's check;
a partial unique index lets only one of them commit.

Revision ID: 0006_i8_one_live_group
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_i8_one_live_group"
down_revision: str | None = "0006_13_ledger_retries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_STATES = "state IN ('recruiting', 'running', 'paused')"


def upgrade() -> None:
    op.create_index(
        "uq_groups_one_live_per_channel",
        "groups",
        ["team_id", "channel_id"],
        unique=True,
        postgresql_where=sa.text(LIVE_STATES),
        sqlite_where=sa.text(LIVE_STATES),
    )


def downgrade() -> None:
    op.drop_index("uq_groups_one_live_per_channel", table_name="groups")
