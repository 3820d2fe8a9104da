"""the board's DMs are not lost: proposal DMs are claimed with a lease and confirmed once
Slack took them; a notice Slack did not take is kept to be said again

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
    with op.batch_alter_table("wants") as batch:
        batch.add_column(sa.Column("notice_unsent", sa.Text(), nullable=True))
    op.create_index(
        "ix_wants_notice_unsent",
        "wants",
        ["id"],
        postgresql_where=sa.text("notice_unsent IS NOT NULL"),
        sqlite_where=sa.text("notice_unsent IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_wants_notice_unsent", table_name="wants")
    with op.batch_alter_table("wants") as batch:
        batch.drop_column("notice_unsent")
    with op.batch_alter_table("cohort_proposals") as batch:
        batch.drop_column("dm_claimed_at")
