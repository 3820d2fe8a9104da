"""check-ins, catch-up, retro and outcomes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:35:25.380452
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ambassadors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_ambassadors_group_id_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ambassadors")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_ambassadors_team_id_user_id")),
    )
    op.create_table(
        "catchups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caught_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_catchups_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catchups")),
        sa.UniqueConstraint(
            "group_id", "week", "user_id", name=op.f("uq_catchups_group_id_week_user_id")
        ),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("hours", sa.Double(), nullable=True),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("went_badly", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("blockers", sa.Text(), nullable=False),
        sa.Column("replies", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_checkins_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint(
            "group_id", "week", "user_id", name=op.f("uq_checkins_group_id_week_user_id")
        ),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column(
            "learned_goal",
            sa.Enum("yes", "partly", "no", name="learnedgoal", native_enum=False),
            nullable=False,
        ),
        sa.Column("join_again", sa.Boolean(), nullable=False),
        sa.Column("facilitate", sa.Boolean(), nullable=False),
        sa.Column("topics_wanted", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_feedback_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("group_id", "user_id", name=op.f("uq_feedback_group_id_user_id")),
    )
    op.create_table(
        "retro_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_retro_replies_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_replies")),
        sa.UniqueConstraint(
            "group_id", "message_ts", name=op.f("uq_retro_replies_group_id_message_ts")
        ),
    )
    op.create_table(
        "topic_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_topic_requests_group_id_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_requests")),
    )
    with op.batch_alter_table("topic_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_requests_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "share_checkins", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
            )
        )
        batch_op.add_column(sa.Column("retro_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column(
                "stall_reason",
                sa.Enum(
                    "structure",
                    "time",
                    "expectations",
                    "other",
                    name="stallreason",
                    native_enum=False,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("stall_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("stall_note")
        batch_op.drop_column("stall_reason")
        batch_op.drop_column("retro_ts")
        batch_op.drop_column("share_checkins")

    with op.batch_alter_table("topic_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_requests_team_id"))

    op.drop_table("topic_requests")
    op.drop_table("retro_replies")
    op.drop_table("feedback")
    op.drop_table("checkins")
    op.drop_table("catchups")
    op.drop_table("ambassadors")
