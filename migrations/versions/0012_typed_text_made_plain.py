"""text from Slack messages and commands is kept plain: rows stored before held Slack's
markup (`R&amp;D`, `<https://…|label>`), which the renderers now escape themselves

Revision ID: 0012_typed_text_made_plain
Revises: 0011_proposal_dm_claims
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# It only reads Slack's own tokens (text typed in a form, "Vec<T>", has none) and entities.
from bot.domain.markup import unescape
from bot.slack.incoming import plain as _plain

revision: str = "0012_typed_text_made_plain"
down_revision: str | None = "0011_proposal_dm_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    marked = ("&", "<")

    def rows(table: sa.TableClause, *columns: str) -> list[sa.RowMapping]:
        where = sa.or_(*(table.c[c].contains(m) for c in columns for m in marked))
        return list(bind.execute(sa.select(table).where(where)).mappings())

    checkins = sa.table("checkins", sa.column("id"), sa.column("learned"), sa.column("replies"))
    for row in rows(checkins, "replies"):
        values = {"replies": _plain(row["replies"])}
        if row["learned"] and row["replies"].startswith(row["learned"]):  # from a DM reply
            values["learned"] = _plain(row["learned"])
        bind.execute(sa.update(checkins).where(checkins.c.id == row["id"]).values(**values))

    retro = sa.table("retro_replies", sa.column("id"), sa.column("text"))
    for row in rows(retro, "text"):
        bind.execute(
            sa.update(retro).where(retro.c.id == row["id"]).values(text=_plain(row["text"]))
        )

    for name, column in (("resources", "url"), ("proposals", "link")):
        links = sa.table(name, sa.column("id"), sa.column(column))
        for row in rows(links, column):
            value = unescape(row[column])
            bind.execute(sa.update(links).where(links.c.id == row["id"]).values({column: value}))


def downgrade() -> None:
    """Nothing to undo: plain text reads the same to the older code, bar its escaping."""
