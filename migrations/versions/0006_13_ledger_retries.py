"""ledger retries: when an unfinished delivery may be tried again, and until when it is
worth sending

Revision ID: 0006_13_ledger_retries
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_13_ledger_retries"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("useful_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("retry_at")
        batch_op.drop_column("useful_until")
