"""The Bolt app: verification, authorization, our dependencies, and every listener."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.config import Settings
from bot.slack.context import Deps, inject
from bot.slack.gateway import make_client
from bot.slack.listeners import register_all
from bot.store import Store

log = logging.getLogger(__name__)


def build_app(
    settings: Settings,
    store: Store,
    *,
    client: WebClient | None = None,
    deps: Deps | None = None,
    listener_executor: Executor | None = None,
) -> App:
    """The app for HTTP and Socket Mode alike. Calls `auth.test` once to check the token.

    Listeners run on a thread pool after `ack()` has answered Slack (Bolt's default), so a
    slow Slack call never pushes an acknowledgement past Slack's 3 seconds.
    """
    client = client or make_client(settings.slack_bot_token, settings.slack_api_url)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        logger=_bolt_logger(),
        listener_executor=listener_executor or ThreadPoolExecutor(max_workers=8),
    )
    app.use(inject(deps or Deps(store=store)))
    register_all(app)
    app.error(_on_error)
    return app


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.slack.bolt")
    # Bolt also reads SLACK_BOT_TOKEN from the environment and warns that our client,
    # which carries that very token, wins. It does; the warning is noise.
    if not logger.filters:
        logger.addFilter(lambda record: "will be unused" not in record.getMessage())
    return logger


def _on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> BoltResponse:
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    kind = body.get("type") or body.get("command")
    logger.exception("unhandled error in %s from %s", kind, user, exc_info=error)
    return BoltResponse(status=500, body="")
