"""scheduler replicas: which processes are ticking, so each workspace is sent for by one

Revision ID: 0010_scheduler_replicas
Revises: 0008_program
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_scheduler_replicas"
down_revision: str | None = "0008_program"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_replicas",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_replicas")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_replicas")
