"""The Bolt app: verification, authorization, our dependencies, and every listener."""

from __future__ import annotations

import json
import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.slack import tenants
from bot.slack.context import Deps, inject
from bot.slack.gateway import Gateway, SlackCallFailed, make_client
from bot.slack.listeners import installs, register_all
from bot.slack.render.message import Message
from bot.store import Store
from bot.store.engine import is_unavailable

log = logging.getLogger(__name__)


def build_app(
    settings: Settings,
    store: Store,
    *,
    client: WebClient | None = None,
    deps: Deps | None = None,
    listener_executor: Executor | None = None,
    tokens: tenants.Tokens | None = None,
) -> App:
    """The app for HTTP and Socket Mode alike. Calls `auth.test` once to check the token.

    With `tokens` (OAuth mode, bot/slack/tenants.py), the app serves every workspace that
    installed it: each request acts with its installation's token, and the install pages
    are served (bot/slack/oauth.py).

    Listeners run on a thread pool after `ack()` has answered Slack (Bolt's default), so a
    slow Slack call never pushes an acknowledgement past Slack's 3 seconds.
    """
    executor = listener_executor or ThreadPoolExecutor(max_workers=8)
    if tokens is None:
        client = client or make_client(settings.slack_bot_token, settings.slack_api_url)
        app = App(
            client=client,
            signing_secret=settings.slack_signing_secret,
            logger=_bolt_logger(),
            listener_executor=executor,
        )
    else:
        client = client or make_client(None, settings.slack_api_url)
        app = App(
            client=client,
            signing_secret=settings.slack_signing_secret,
            logger=_bolt_logger(),
            listener_executor=executor,
            authorize=tenants.TenantAuthorize(tokens),  # type: ignore[arg-type]
            oauth_flow=tenants.install_flow_for(settings, tokens),
        )
    app.use(inject(deps or Deps(store=store)))
    register_all(app)
    installs.register(app, tokens)
    app.error(_on_error)
    return app


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.slack.bolt")
    # Bolt also reads SLACK_BOT_TOKEN from the environment and warns that our client,
    # which carries that very token, wins. It does; the warning is noise.
    if not logger.filters:
        logger.addFilter(lambda record: "will be unused" not in record.getMessage())
    return logger


NOT_SAVED = (
    "That didn't go through: I couldn't reach my database, so nothing was saved. "
    "Please try again in a minute."
)
WENT_WRONG = "Something went wrong on my side and that didn't go through. Please try again."


def _on_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    respond: Respond | None,
    client: WebClient,
    logger: logging.Logger,
) -> BoltResponse | None:
    """Whatever failed, the person who clicked or typed hears that it did not count.

    `response` is None when the listener had already acknowledged Slack (a click): the
    news goes to the response_url then. Otherwise this answer is the acknowledgement.
    """
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    kind = body.get("type") or body.get("command")
    text = NOT_SAVED if is_unavailable(error) else WENT_WRONG
    if is_unavailable(error):
        logger.warning("database unavailable in %s from %s: %s", kind, user, error)
    else:
        logger.exception("unhandled error in %s from %s", kind, user, exc_info=error)
    if response is not None:
        answer = _answer_in_place(body, text)
        if answer is not None:
            return answer
    if body.get("type") == "event_callback" or not user:
        return None  # nobody to tell: the event is logged; see listeners/events.py
    _tell_privately(respond, client, user, text)
    if response is not None:
        return BoltResponse(status=200, body="")
    # Already acknowledged. Bolt's thread runner would now overwrite the acknowledgement
    # with None, and a request thread that has not yet seen it answers Slack 404 three
    # seconds later. Raising here skips that overwrite; the executor drops the exception.
    raise AlreadyAcknowledged from error


class AlreadyAcknowledged(Exception):
    """The request failed after Slack had its answer; the person has been told."""


def _answer_in_place(body: dict[str, Any], text: str) -> BoltResponse | None:
    """The acknowledgement itself says it: a slash command's ephemeral answer, or an error
    under the modal's first field (the form stays open with what was typed)."""
    if body.get("command"):
        return _json({"response_type": "ephemeral", "text": text})
    if body.get("type") == "view_submission":
        blocks = (body.get("view") or {}).get("blocks") or []
        first = next((b["block_id"] for b in blocks if b.get("type") == "input"), None)
        if first is not None:
            return _json({"response_action": "errors", "errors": {first: text}})
    return None


def _tell_privately(respond: Respond | None, client: WebClient, user: str, text: str) -> None:
    try:
        if respond is not None:  # the response_url of the command or click
            respond(text=text, response_type="ephemeral", replace_original=False)
        else:
            Gateway(client).dm(user, Message(text=text))
    except (SlackApiError, SlackCallFailed, OSError) as failed:
        log.warning("could not tell %s that their request failed: %s", user, failed)


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200,
        body=json.dumps(payload),
        headers={"content-type": "application/json;charset=utf-8"},
    )
