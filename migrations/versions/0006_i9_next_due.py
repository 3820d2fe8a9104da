"""the scheduler's index: each group's next due moment

Revision ID: 0006_i9_next_due
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_i9_next_due"
down_revision: str | None = "0006_i8_one_live_group"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_groups_next_due_at", "groups", ["next_due_at"], unique=False)
    # Live groups are looked at by the first tick, which writes their exact next moment.
    op.execute(
        "UPDATE groups SET next_due_at = CURRENT_TIMESTAMP WHERE state IN ('recruiting', 'running')"
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_state_claimed_at", ["state", "claimed_at"], unique=False
        )


def downgrade() -> None:
    op.drop_index("ix_deliveries_state_claimed_at", table_name="deliveries")
    op.drop_index("ix_groups_next_due_at", table_name="groups")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("next_due_at")
