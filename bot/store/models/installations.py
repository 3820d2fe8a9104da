"""Who installed the app where: slack_sdk's installation and OAuth state tables, on our metadata.

The tables are slack_sdk's own (`SQLAlchemyInstallationStore` and `SQLAlchemyOAuthStateStore`
read and write them), built onto our metadata so that Alembic creates them like every other
table. The token columns are sealed (bot/store/secrets.py, Text underneath),
and a Fernet token of a rotating token is longer than the 200 characters slack_sdk allows.

`workspaces` is ours: one row per installation (a workspace, or an organization for an
org-wide install), the row that serializes token refreshes, and whether the app is installed
there now.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import String, Table
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base
from bot.store.secrets import SealedText
from bot.store.types import utcnow

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def _widened(table: Table) -> Table:
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = SealedText()
    return table


slack_installations = _widened(
    SQLAlchemyInstallationStore.build_installations_table(Base.metadata, "slack_installations")
)
slack_bots = _widened(SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots"))
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)


class Workspace(Base):
    """An installation of the app: `key` is the team id, or the enterprise id of an
    org-wide install."""

    __tablename__ = "workspaces"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    is_enterprise_install: Mapped[bool] = mapped_column(default=False)
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)
    uninstalled_at: Mapped[datetime | None]
    # Set while a replica refreshes the bot token (under the row's lock).
    refreshed_at: Mapped[datetime | None]
