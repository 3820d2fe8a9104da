"""text people typed in Slack messages and commands is kept plain: rows stored before held
Slack's markup (`R&amp;D`, `<https://…|label>`), which the renderers now escape themselves

Revision ID: 0012_typed_text_made_plain
Revises: 0011_proposal_dm_claims
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.slack.incoming import plain

revision: str = "0012_typed_text_made_plain"
down_revision: str | None = "0011_proposal_dm_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Where text from a DM reply, a thread message or a slash command was stored as Slack sent it.
COLUMNS = {
    "checkins": ("learned", "replies"),
    "retro_replies": ("text",),
    "proposals": ("text", "link"),
    "resources": ("url",),
}


def upgrade() -> None:
    bind = op.get_bind()
    for table, columns in COLUMNS.items():
        rows = sa.table(table, sa.column("id"), *(sa.column(c) for c in columns))
        marked = sa.or_(*(rows.c[c].contains("&") | rows.c[c].contains("<") for c in columns))
        for row in bind.execute(sa.select(rows).where(marked)).mappings():
            values = {c: plain(row[c]) for c in columns if row[c]}
            if any(values[c] != row[c] for c in values):
                bind.execute(sa.update(rows).where(rows.c.id == row["id"]).values(**values))


def downgrade() -> None:
    """Nothing to undo: plain text reads the same to the older code, bar its escaping."""
