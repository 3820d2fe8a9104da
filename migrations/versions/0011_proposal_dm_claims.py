"""proposal DMs are claimed with a lease, and confirmed once Slack took them

Revision ID: 0011_proposal_dm_claims
Revises: 0010_scheduler_replicas
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_proposal_dm_claims"
down_revision: str | None = "0010_scheduler_replicas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cohort_proposals") as batch:
        batch.add_column(sa.Column("dm_claimed_at", sa.DateTime(timezone=True), nullable=True))
    # Until now the claim was dm_sent_at itself: treat those as confirmed.
    op.execute("UPDATE cohort_proposals SET dm_claimed_at = dm_sent_at")


def downgrade() -> None:
    with op.batch_alter_table("cohort_proposals") as batch:
        batch.drop_column("dm_claimed_at")
