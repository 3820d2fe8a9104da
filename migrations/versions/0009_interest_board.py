"""the interest board: wanted topics, when people could meet, and proposed cohorts

Revision ID: 0009_interest_board
Revises: 0007_installations
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_interest_board"
down_revision: str | None = "0007_installations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "interest_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("key", sa.String(length=150), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needs_match", sa.Boolean(), nullable=False),
        sa.Column("groups_formed", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest_topics")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_interest_topics_team_id_key")),
    )
    with op.batch_alter_table("interest_topics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interest_topics_needs_match"), ["needs_match"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interest_topics_team_id"), ["team_id"], unique=False)

    op.create_table(
        "cohort_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("session_time", sa.Time(), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("facilitator_id", sa.String(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "started", "withdrawn", name="proposalstate", native_enum=False),
            nullable=False,
        ),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dm_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_cohort_proposals_group_id_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["interest_topics.id"],
            name=op.f("fk_cohort_proposals_topic_id_interest_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_proposals")),
    )
    with op.batch_alter_table("cohort_proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cohort_proposals_state_offered_at", ["state", "offered_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cohort_proposals_team_id"), ["team_id"], unique=False)

    op.create_table(
        "wants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        sa.Column("hours", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_group_id", sa.Integer(), nullable=True),
        sa.Column("notice", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_group_id"],
            ["groups.id"],
            name=op.f("fk_wants_invited_group_id_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["interest_topics.id"],
            name=op.f("fk_wants_topic_id_interest_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wants")),
        sa.UniqueConstraint("topic_id", "user_id", name=op.f("uq_wants_topic_id_user_id")),
    )
    with op.batch_alter_table("wants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wants_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wants_topic_id"), ["topic_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("wants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wants_topic_id"))
        batch_op.drop_index(batch_op.f("ix_wants_team_id"))

    op.drop_table("wants")
    with op.batch_alter_table("cohort_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_proposals_team_id"))
        batch_op.drop_index("ix_cohort_proposals_state_offered_at")

    op.drop_table("cohort_proposals")
    with op.batch_alter_table("interest_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interest_topics_team_id"))
        batch_op.drop_index(batch_op.f("ix_interest_topics_needs_match"))

    op.drop_table("interest_topics")
