"""Add to Slack: the install page, the OAuth redirect, and the pages people see after.

Bolt's OAuthFlow does the work (state issued and checked, `oauth.v2.access` at
SLACK_API_URL, the installation saved through our store); this module chooses what it is
given and words the pages. Installs an org admin starts from Slack's admin pages arrive
without a state: those are taken when Slack says the install is org-wide, and refused
otherwise.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from functools import partial

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.slack.gateway import Gateway, SlackCallFailed, make_client
from bot.slack.render import help as help_render
from bot.store import Store

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes manifest.yml asks for (tests/test_manifest.py keeps them equal).
SCOPES = [
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "users:read",
]


class InstallFlow(OAuthFlow):
    def handle_callback(self, request: BoltRequest) -> BoltResponse:
        query = request.query
        if _first(query, "state") or _first(query, "error") or not _first(query, "code"):
            return super().handle_callback(request)
        # No state: only an org-wide install from Slack's admin pages comes like this.
        installation = self.run_installation(_first(query, "code") or "")
        if installation is None:
            return self._failed(request, "invalid_code", 401)
        if not installation.is_enterprise_install:
            log.warning("refused an install without a state for %s", installation.team_id)
            return self._failed(request, "invalid_state", 401)
        try:
            self.store_installation(request, installation)
        except Exception as error:
            log.exception("could not store the installation for %s", installation.enterprise_id)
            return self._failed(request, "storage_error", 500, error)
        return self.success_handler(
            SuccessArgs(
                request=request,
                installation=installation,
                settings=self.settings,
                default=self.default_callback_options,
            )
        )

    def _failed(
        self, request: BoltRequest, reason: str, status: int, error: Exception | None = None
    ) -> BoltResponse:
        return self.failure_handler(
            FailureArgs(
                request=request,
                reason=reason,
                error=error,
                suggested_status_code=status,
                settings=self.settings,
                default=self.default_callback_options,
            )
        )


def _first(query: Mapping[str, Sequence[str]], name: str) -> str | None:
    value = query.get(name)
    if isinstance(value, str):
        return value
    return value[0] if value else None


def install_flow(
    *,
    store: Store,
    client_id: str,
    client_secret: str,
    api_url: str,
    installation_store: object,
    state_store: object,
    redirect_uri: str | None = None,
) -> InstallFlow:
    settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=SCOPES,
        redirect_uri=redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installation_store,  # type: ignore[arg-type]
        installation_store_bot_only=True,
        state_store=state_store,  # type: ignore[arg-type]
        authorization_url=authorize_url(api_url),
        callback_options=CallbackOptions(
            success=partial(_installed, api_url), failure=_failed_page
        ),
    )
    return InstallFlow(client=WebClient(base_url=api_url, timeout=10), settings=settings)


def authorize_url(api_url: str) -> str:
    """Slack's authorize page next to its Web API (slack.com, slack-gov.com, or a fake)."""
    return api_url.rstrip("/").removesuffix("/api") + "/oauth/v2/authorize"


# --- pages -------------------------------------------------------------------------------

REASONS = {
    "access_denied": "The install was cancelled on Slack's page, so nothing was installed.",
    "invalid_browser": "This install was started in another browser (or its cookie "
    "expired), so I can't tell it was you.",
    "invalid_state": "This install link has expired or was already used.",
    "missing_code": "Slack did not send the install's code back.",
    "invalid_code": "Slack did not accept the install's code (it may have been used already).",
    "storage_error": "I couldn't save the installation on my side (my database did not "
    "answer). Please try again in a minute.",
}


def _installed(api_url: str, args: SuccessArgs) -> BoltResponse:
    _welcome(api_url, args.installation)
    return _installed_page(args)


def _welcome(api_url: str, installation: Installation) -> None:
    """The person who installed p2p gets, in their DM with it, what to do next."""
    if not installation.bot_token or not installation.user_id:
        return
    gateway = Gateway(make_client(installation.bot_token, api_url))
    try:
        gateway.dm(installation.user_id, help_render.welcome_dm())
    except SlackCallFailed as failed:  # the page says the same; the install stands
        log.warning("could not welcome %s: %s", installation.user_id, failed.error)
    except Exception:  # nor may anything else spoil the page of an install that worked
        log.exception("could not welcome %s", installation.user_id)


def _installed_page(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    where = (
        installation.enterprise_name or installation.enterprise_id
        if installation.is_enterprise_install
        else installation.team_name or installation.team_id
    )
    body = (
        f"<h1>p2p is installed in {html.escape(str(where))}</h1>"
        "<p>What to do next:</p><ol>"
        "<li>Invite the bot to the channel where a study group should meet: "
        "<code>/invite @p2p</code>.</li>"
        "<li>In that channel, type <code>/p2p start</code> and fill in the form.</li>"
        "<li><code>/p2p help</code> lists everything else.</li></ol>"
    )
    return _page(200, "p2p is installed", body)


def _failed_page(args: FailureArgs) -> BoltResponse:
    reason = REASONS.get(args.reason, f"Slack answered “{args.reason}”.")
    log.warning("install failed: %s", args.reason)
    body = (
        "<h1>p2p was not installed</h1>"
        f"<p>{html.escape(reason)}</p>"
        f'<p><a href="{INSTALL_PATH}">Start the install again</a>.</p>'
    )
    # Our own trouble (the database) is a 503 to try again; anything else is the request's.
    status = 503 if args.suggested_status_code >= 500 else 400
    if args.reason == "access_denied":
        status = 200  # the person cancelled: nothing went wrong
    return _page(status, "p2p was not installed", body)


def _page(status: int, title: str, body: str) -> BoltResponse:
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body>{body}</body></html>"
    )
    return BoltResponse(
        status=status, body=page, headers={"Content-Type": "text/html; charset=utf-8"}
    )


def unavailable_page() -> BoltResponse:
    """The install pages when the database (which keeps states and installations) is away."""
    body = (
        "<h1>p2p can't take installs right now</h1>"
        "<p>My database did not answer. Please try again in a minute.</p>"
        f'<p><a href="{INSTALL_PATH}">Start the install again</a>.</p>'
    )
    return _page(503, "p2p can't take installs right now", body)
