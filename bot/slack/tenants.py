"""Many workspaces from one deployment: where installations are kept, and which token acts
for which workspace.

- `InstallationStore`: slack_sdk's SQLAlchemy store over our own tables (their token columns
  sealed, bot/store/secrets.py); saving an installation also marks the workspace installed
  and brings its groups back (bot/domain/workspaces.py).
- `Tokens`: the bot token for a workspace, refreshed before it expires. Slack's refresh
  tokens are single-use, so a refresh happens under the workspace's row lock: a second
  replica waits, then finds the fresh token and uses it instead of spending the old one.
- `TenantAuthorize`: Bolt's authorize step for requests, answering from `Tokens`.

`Gateway(client, tokens=...)` (bot/slack/gateway.py) asks `Tokens` for the token of the
workspace it acts for at each call; Bolt's per-request client carries the token `TenantAuthorize`
found. Tokens are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth import OAuthFlow
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Table, and_, desc, insert, select, update
from sqlalchemy.engine import Connection

from bot.config import Settings
from bot.domain import workspaces
from bot.slack.oauth import install_flow
from bot.store import Store
from bot.store.base import Base
from bot.store.models import (
    Group,
    Workspace,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)
from bot.store.secrets import use_key
from bot.store.types import utcnow

log = logging.getLogger(__name__)

# Refresh a rotating token this long before it expires (Slack's last 12 hours).
REFRESH_BEFORE = timedelta(minutes=120)
STATE_SECONDS = 10 * 60
# oauth.v2.access answers that mean the refresh token will never work again.
REFRESH_REFUSED = {"invalid_refresh_token", "token_revoked", "invalid_grant_type", "invalid_auth"}


class NotInstalled(Exception):
    """No installation serves this workspace (never installed, or uninstalled since)."""


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, on our metadata and tables (built by migration 0007)."""

    def __init__(self, client_id: str, store: Store, *, now: Callable[[], datetime] = utcnow):
        self.metadata = Base.metadata
        self.installations = slack_installations
        self.bots = slack_bots
        self.client_id = client_id
        self._logger = logging.getLogger(__name__)
        self.engine = store.engine
        self.store = store
        self.now = now

    def save(self, installation: Installation) -> None:
        super().save(installation)
        with self.store.transaction() as session:
            back = workspaces.installed(
                session,
                team_id=installation.team_id,
                enterprise_id=installation.enterprise_id,
                is_enterprise_install=bool(installation.is_enterprise_install),
                now=self.now(),
            )
        log.info(
            "installed for %s%s",
            installation.enterprise_id
            if installation.is_enterprise_install
            else installation.team_id,
            f"; {back} group(s) take up their calendar again" if back else "",
        )


def state_store(store: Store) -> SQLAlchemyOAuthStateStore:
    states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=store.engine)
    states.metadata = Base.metadata
    states.oauth_states = slack_oauth_states
    return states


class Tokens:
    """The bot token of each installation, read from the database and refreshed in time."""

    def __init__(
        self,
        store: Store,
        *,
        client_id: str,
        client_secret: str,
        api_url: str,
        refresh_before: timedelta = REFRESH_BEFORE,
    ) -> None:
        self.store = store
        self.client_id = client_id
        self.refresh_before = refresh_before
        self.rotator = TokenRotator(
            client_id=client_id,
            client_secret=client_secret,
            client=WebClient(base_url=api_url, timeout=10),
        )

    def token_for(self, team_id: str, enterprise_id: str | None = None) -> str | None:
        bot = self.bot_for(team_id=team_id, enterprise_id=enterprise_id)
        return bot.bot_token if bot else None

    def bot_for(
        self,
        *,
        team_id: str | None,
        enterprise_id: str | None,
        is_enterprise_install: bool = False,
    ) -> Bot | None:
        with self.store.engine.connect() as connection:
            row = _bot_row(
                connection, self.client_id, team_id, enterprise_id, is_enterprise_install
            )
        if row is None:
            return None
        bot = SQLAlchemyInstallationStore.build_bot_entity(row)
        if self._expiring(bot):
            try:
                bot = self._refresh(bot)
            except SlackTokenRotationError as failed:
                error = str(failed.api_error.response.get("error", "unknown_error"))
                if error not in REFRESH_REFUSED:
                    raise
                # Slack will not renew it (the app was removed, or the token revoked):
                # this workspace has no usable installation until it installs again.
                log.warning("Slack refused to refresh the token for %s: %s", team_id, error)
                return None
        return bot

    def _expiring(self, bot: Bot) -> bool:
        if bot.bot_token_expires_at is None or not bot.bot_refresh_token:
            return False
        expires = datetime.fromtimestamp(bot.bot_token_expires_at, tz=UTC)
        return expires - utcnow() <= self.refresh_before

    def _refresh(self, stale: Bot) -> Bot:
        """Refresh under the installation's row lock; whoever comes second finds it done."""
        key = workspaces.key_of(
            team_id=stale.team_id,
            enterprise_id=stale.enterprise_id,
            is_enterprise_install=bool(stale.is_enterprise_install),
        )
        with self.store.engine.begin() as connection:
            _lock_workspace(connection, key, stale)
            row = _bot_row(
                connection,
                self.client_id,
                stale.team_id,
                stale.enterprise_id,
                bool(stale.is_enterprise_install),
            )
            if row is None:
                raise NotInstalled(key)
            bot = SQLAlchemyInstallationStore.build_bot_entity(row)
            if not self._expiring(bot):
                return bot  # another replica refreshed it while we waited
            refreshed = self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=int(self.refresh_before.total_seconds() // 60)
            )
            if refreshed is None:
                return bot
            expires_at = datetime.fromtimestamp(refreshed.bot_token_expires_at or 0, tz=UTC)
            values = {
                "bot_token": refreshed.bot_token,
                "bot_refresh_token": refreshed.bot_refresh_token,
                "bot_token_expires_at": expires_at.replace(tzinfo=None),
            }
            for table in (slack_bots, slack_installations):
                connection.execute(
                    update(table)
                    .where(_installation_of(table, self.client_id, bot))
                    .values(**values)
                )
            log.info("refreshed the bot token for %s", key)
            return refreshed


def _installation_of(table: Any, client_id: str, bot: Bot) -> Any:
    c = table.c
    if bot.is_enterprise_install:
        return and_(
            c.client_id == client_id,
            c.enterprise_id == bot.enterprise_id,
            c.is_enterprise_install.is_(True),
        )
    return and_(
        c.client_id == client_id, c.enterprise_id == bot.enterprise_id, c.team_id == bot.team_id
    )


def _bot_row(
    connection: Connection,
    client_id: str,
    team_id: str | None,
    enterprise_id: str | None,
    is_enterprise_install: bool,
) -> Any:
    """The installation serving a workspace: its own (Slack's team ids are unique across
    orgs), else its org's org-wide one. Work that knows only the workspace (the interest
    board) finds its org from the workspace's groups."""
    c = slack_bots.c
    choices = []
    if team_id and not is_enterprise_install:
        choices.append(c.team_id == team_id)
        if enterprise_id is None:
            enterprise_id = connection.execute(
                select(Group.enterprise_id).where(Group.team_id == team_id).limit(1)
            ).scalar()
    if enterprise_id:
        choices.append(and_(c.enterprise_id == enterprise_id, c.is_enterprise_install.is_(True)))
    for where in choices:
        row = (
            connection.execute(
                select(slack_bots)
                .where(c.client_id == client_id, where)
                .order_by(desc(c.installed_at))
                .limit(1)
            )
            .mappings()
            .first()
        )
        if row is not None:
            return row
    return None


def _lock_workspace(connection: Connection, key: str, bot: Bot) -> None:
    """Take the installation's row lock (PostgreSQL: the row; SQLite: the database's write
    lock, which an UPDATE takes), making the row if an older install has none."""
    table = Workspace.__table__
    assert isinstance(table, Table)
    stamp = utcnow()  # the column type stores it as UTC on every backend
    done = connection.execute(
        update(table).where(table.c.key == key).values(refreshed_at=stamp)
    ).rowcount
    if not done:
        connection.execute(
            insert(table).values(
                key=key,
                enterprise_id=bot.enterprise_id,
                is_enterprise_install=bool(bot.is_enterprise_install),
                installed_at=stamp,
                refreshed_at=stamp,
            )
        )


class TenantAuthorize(Authorize):
    """Bolt's authorize step: the token of the installation the request came through
    (Bolt reads it from `authorizations` for events, so a Slack Connect channel's owner
    is not mistaken for the installation)."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        org_wide = bool(context.is_enterprise_install)
        if team_id and team_id.startswith("E") and not enterprise_id:
            # A modal under an org-wide install names the org as its installed team.
            enterprise_id, team_id, org_wide = team_id, None, True
        bot = self.tokens.bot_for(
            team_id=team_id, enterprise_id=enterprise_id, is_enterprise_install=org_wide
        )
        if bot is None:
            log.warning("no installation for team=%s enterprise=%s", team_id, enterprise_id)
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=team_id or bot.team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


def from_settings(settings: Settings, store: Store) -> Tokens | None:
    """OAuth mode's tokens (and the key that seals them), or None with one bot token."""
    if not settings.oauth_mode:
        return None
    use_key(*settings.token_keys)
    return Tokens(
        store,
        client_id=settings.slack_client_id or "",
        client_secret=settings.slack_client_secret or "",
        api_url=settings.slack_api_url,
    )


def tokens_of(app: Any) -> Tokens | None:
    """The Tokens a Bolt app authorizes with (None for one workspace by bot token)."""
    authorize = getattr(app, "_authorize", None)
    return authorize.tokens if isinstance(authorize, TenantAuthorize) else None


def install_flow_for(settings: Settings, tokens: Tokens) -> OAuthFlow:
    return install_flow(
        store=tokens.store,
        client_id=tokens.client_id,
        client_secret=settings.slack_client_secret or "",
        api_url=settings.slack_api_url,
        installation_store=InstallationStore(tokens.client_id, tokens.store),
        state_store=state_store(tokens.store),
        redirect_uri=settings.slack_redirect_uri,
    )
