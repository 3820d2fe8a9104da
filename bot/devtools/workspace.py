"""A whole simulated workspace: fake Slack, the real Bolt app served over HTTP by the
production server, a real database, and the scheduler — for tests and `p2p-bot demo`."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import Any, Self, TypeVar

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
from bot.store import Store
from bot.web import bind, make_wsgi_app

SIGNING_SECRET = "bench-signing-secret"
T = TypeVar("T")


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
    def __init__(self, store: Store, fake: FakeSlack, *, refresh_interval: float = 0.05) -> None:
        self.store = store
        self.fake = fake
        self.refresher = Refresher(interval=refresh_interval)
        self.listeners = TrackingExecutor()
        self.client = make_client(fake.bot_token, fake.api_url)
        self.settings = Settings(
            slack_bot_token=fake.bot_token,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
            _env_file=None,  # type: ignore[call-arg]
        )
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
        if self._server is not None:
            self._server.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

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
        report = run_due(self.store, SlackSender(self.client, self.store), now=now)
        self.board_report = InterestRunner(self.client, self.store).run(now)
        self.settle()
        return report

    def settle(self) -> None:
        """Wait until the app has finished reacting (listeners run after the ack) and the
        live messages (tallies, seats) have caught up, as a person would see them."""
        self.listeners.wait_idle()
        self.refresher.wait_idle()
        self.listeners.wait_idle()

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
