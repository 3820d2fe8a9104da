"""The app leaving a workspace: `app_uninstalled` and `tokens_revoked`.

That workspace's installation (and its tokens) is deleted, and its groups stop owing
anything, so the scheduler makes no call that would fail. A reinstall brings them back
(bot/slack/tenants.py `InstallationStore.save`).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.domain import workspaces
from bot.slack.context import deps
from bot.slack.tenants import Tokens
from bot.store.types import utcnow

log = logging.getLogger(__name__)


def register(app: App, tokens: Tokens | None) -> None:
    app.event("app_uninstalled")(_left)
    app.event("tokens_revoked")(_tokens_revoked)


def _left(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    _forget_installation(body, context, why="uninstalled")


def _tokens_revoked(
    ack: Ack, body: dict[str, Any], event: dict[str, Any], context: BoltContext
) -> None:
    ack()
    if not (event.get("tokens") or {}).get("bot"):
        return  # only people's tokens, which p2p never asked for
    _forget_installation(body, context, why="bot token revoked")


def _forget_installation(body: dict[str, Any], context: BoltContext, *, why: str) -> None:
    org_wide = bool(context.is_enterprise_install)
    enterprise_id = context.enterprise_id or body.get("enterprise_id")
    team_id = None if org_wide else (context.team_id or body.get("team_id"))
    if not team_id and not enterprise_id:
        log.warning("%s without a team or enterprise id; nothing to do", why)
        return
    with deps(context).store.transaction() as session:
        stopped = workspaces.uninstalled(
            session, team_id=team_id, enterprise_id=enterprise_id, now=utcnow()
        )
    log.info("%s for %s: %d group(s) stopped", why, team_id or enterprise_id, stopped)
