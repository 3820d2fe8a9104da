"""groups and memberships

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:03:51.768204
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=150), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column(
            "format",
            sa.Enum(
                "study_present",
                "weekly_problem",
                "course",
                "side_project",
                "writing",
                name="groupformat",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("session_time", sa.Time(), nullable=False),
        sa.Column("session_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("min_members", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.String(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "recruiting",
                "running",
                "paused",
                "completed",
                "stalled",
                "cancelled",
                name="groupstate",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("recruitment_ts", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_groups_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_groups_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_groups_team_id"), ["team_id"], unique=False)

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum("member", "waitlisted", "left", name="memberstatus", native_enum=False),
            nullable=False,
        ),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("minutes_per_week", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_memberships_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("group_id", "user_id", name=op.f("uq_memberships_group_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("memberships")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groups_team_id"))
        batch_op.drop_index(batch_op.f("ix_groups_state"))
        batch_op.drop_index(batch_op.f("ix_groups_channel_id"))

    op.drop_table("groups")
