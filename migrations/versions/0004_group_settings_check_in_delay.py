"""group settings: check-in delay

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:50:46.499117
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "checkin_delay_days", sa.Integer(), server_default=sa.text("1"), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("checkin_delay_days")
