"""A whole simulated workspace: fake Slack, the real Bolt app served over HTTP by the
production server, a real database, and the scheduler — for tests and `p2p-bot demo`."""

from __future__ import annotations

import html
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

from slack_bolt import App

from bot.config import Settings
from bot.devtools.driver import Reply, SlackDriver
from bot.devtools.fake_slack import FakeSlack, Message, OpenedView
from bot.schedule.runner import TickReport, run_due
from bot.slack.app import build_app
from bot.slack.context import Deps
from bot.slack.gateway import make_client
from bot.slack.interest_run import InterestReport, InterestRunner
from bot.slack.refresh import Refresher
from bot.slack.scheduled import SlackSender
from bot.slack.tenants import from_settings
from bot.store import Store
from bot.web import bind, make_wsgi_app

SIGNING_SECRET = "bench-signing-secret"
# Seals the installations' tokens in tests and the demo (never a real deployment's key).
TOKEN_KEY = "cDJwLXRlc3Qta2V5LW5ldmVyLWluLXByb2R1Y3Rpb24="
T = TypeVar("T")

log = logging.getLogger(__name__)


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, remembering its work so a test can wait for it to finish."""

    def __init__(self) -> None:
        super().__init__(max_workers=8)
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            wait(pending, timeout=max(0.0, deadline - time.monotonic()))
            if time.monotonic() > deadline:
                raise TimeoutError("Bolt listeners still running")


class SimulatedWorkspace:
    def __init__(
        self,
        store: Store,
        fake: FakeSlack,
        *,
        refresh_interval: float = 0.05,
        oauth: bool = False,
    ) -> None:
        """`oauth`: many workspaces installed through Add to Slack (no bot token); each
        team is installed with `install`."""
        self.store = store
        self.fake = fake
        self.refresher = Refresher(interval=refresh_interval)
        self.listeners = TrackingExecutor()
        self.client = make_client(None if oauth else fake.bot_token, fake.api_url)
        credentials: dict[str, Any] = (
            {
                "slack_client_id": fake.tenancy.client_id,
                "slack_client_secret": fake.tenancy.client_secret,
                "p2p_token_key": TOKEN_KEY,
            }
            if oauth
            else {"slack_bot_token": fake.bot_token}
        )
        self.settings = Settings(
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
            _env_file=None,  # type: ignore[call-arg]
            **credentials,
        )
        self.tokens = from_settings(self.settings, store)
        self.app: App | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.slack: SlackDriver | None = None
        self.board_report: InterestReport | None = None

    def start(self) -> Self:
        self.app = build_app(
            self.settings,
            self.store,
            client=self.client,
            deps=Deps(store=self.store, refresher=self.refresher),
            listener_executor=self.listeners,
            tokens=self.tokens,
        )
        self._server = bind(
            make_wsgi_app(self.app, self.store, signing_secret=SIGNING_SECRET),
            host="127.0.0.1",
            port=0,
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        self.slack = SlackDriver(self.events_url, SIGNING_SECRET, self.fake)
        return self

    def stop(self) -> None:
        self.settle()
        if self._server is not None and self._thread is not None:
            # Closed by its own loop thread: closed from here, the loop's poll could meet
            # the closed sockets (EBADF).
            try:
                self._server.trigger.pull_trigger(self._server.close)
            except OSError as closed:  # its trigger is closed already: the loop is ending
                log.warning("test server's trigger was already closed (%s)", closed)
            self._thread.join(timeout=5)
            if self._thread.is_alive():
                with suppress(OSError):
                    self._server.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.effective_port}"

    @property
    def events_url(self) -> str:
        return f"{self.base_url}/slack/events"

    def tick(self, now: datetime) -> TickReport:
        """What the scheduler does at `now`."""
        sender = SlackSender(self.client, self.store, tokens=self.tokens)
        report = run_due(self.store, sender, now=now)
        self.board_report = InterestRunner(self.client, self.store, tokens=self.tokens).run(now)
        sender.homes.wait_idle()
        sender.homes.close()
        self.settle()
        return report

    def settle(self) -> None:
        """Wait until the app has finished reacting (listeners run after the ack) and the
        live messages (tallies, seats) have caught up, as a person would see them."""
        self.listeners.wait_idle()
        self.refresher.wait_idle()
        self.listeners.wait_idle()

    # --- installing (OAuth mode) ---------------------------------------------------------

    def install(
        self,
        team_id: str | None = None,
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> Page:
        """Someone clicks Add to Slack on /slack/install, approves on Slack's page, and Slack
        sends their browser back to /slack/oauth_redirect: the page they then see."""
        start = http_get(f"{self.base_url}/slack/install")
        link = re.search(r'href="([^"]+/oauth/v2/authorize[^"]*)"', start.body)
        assert link is not None, f"no Add to Slack link on the install page:\n{start.body}"
        query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
        code = self.fake.install_code(team_id, enterprise_id=enterprise_id, org_wide=org_wide)
        return self.oauth_redirect({"code": code, "state": query["state"][0]}, cookie=start.cookie)

    def oauth_redirect(self, params: dict[str, str], *, cookie: str | None = None) -> Page:
        """Slack (or whoever) sends a browser to the redirect URL with `params`."""
        return http_get(f"{self.base_url}/slack/oauth_redirect?{urlencode(params)}", cookie=cookie)

    # --- people using Slack (each waits for the app to finish reacting) -------------------

    def command(self, user_id: str, text: str, *, channel_id: str) -> Reply:
        return self._settled(self.driver.command(user_id, text, channel_id=channel_id))

    def click(self, user_id: str, message: Message, action_id: str, *, value: Any = None) -> Reply:
        return self._settled(self.driver.click(user_id, message, action_id, value=value))

    def submit(self, user_id: str, view: OpenedView, values: dict[str, Any]) -> Reply:
        return self._settled(self.driver.submit(user_id, view, values))

    def post(
        self, user_id: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> Reply | None:
        return self._settled(self.driver.user_posts(user_id, channel, text, thread_ts=thread_ts))

    def _settled(self, reply: T) -> T:
        self.settle()
        return reply

    @property
    def driver(self) -> SlackDriver:
        assert self.slack is not None, "start() the workspace first"
        return self.slack


@dataclass
class Page:
    status: int
    body: str
    cookie: str | None  # the Set-Cookie a browser would keep (name=value)


def http_get(url: str, *, cookie: str | None = None) -> Page:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, body, headers = error.code, error.read(), error.headers
    set_cookie = headers.get("Set-Cookie")
    return Page(status, body.decode(), set_cookie.split(";")[0] if set_cookie else None)
