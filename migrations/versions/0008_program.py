"""the program view: program owners, Home viewers, where a group meets, private channels,
memberships by person

Revision ID: 0008_program
Revises: 0009_interest_board
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_program"
down_revision: str | None = "0009_interest_board"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "program_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_owners")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_program_owners_team_id_user_id")),
    )
    op.create_table(
        "home_viewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_viewers")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_home_viewers_team_id_user_id")),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column(
                "private_channel", sa.Boolean(), server_default=sa.text("false"), nullable=False
            )
        )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_memberships_user_id", table_name="memberships")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("private_channel")
        batch_op.drop_column("place")
    op.drop_table("home_viewers")
    op.drop_table("program_owners")
