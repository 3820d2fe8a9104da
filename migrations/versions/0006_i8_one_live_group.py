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
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT team_id, channel_id, COUNT(*) FROM groups WHERE {LIVE_STATES} "
                "GROUP BY team_id, channel_id HAVING COUNT(*) > 1"
            )
        )
        .all()
    )
    if shared:
        places = ", ".join(f"{team}/{channel} ({n} groups)" for team, channel, n in shared)
        raise RuntimeError(
            f"more than one live group in a channel: {places}. End all but one there "
            "(`/p2p end` in the channel), then run `p2p-bot migrate` again."
        )
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
