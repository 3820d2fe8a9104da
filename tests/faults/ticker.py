"""One tick in a process of its own, for the fault suite to kill -9 at a random point.

    python -m tests.faults.ticker DB_URL SLACK_API_URL TOKEN AT WORKER

Its clock starts at AT (ISO) and runs on from there, as the parent's travelled clock does.
It prints "ready" once imported and connected, so the parent can time the kill.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta


def main(db_url: str, api_url: str, token: str, at: str, worker: str) -> None:
    from bot import clock
    from bot.schedule.runner import run_due
    from bot.slack.gateway import make_client
    from bot.slack.scheduled import SlackSender
    from bot.store import Store

    start, began = datetime.fromisoformat(at), time.monotonic()
    clock.set_source(lambda: start + timedelta(seconds=time.monotonic() - began))
    store = Store.from_url(db_url)
    store.ping()
    print("ready", flush=True)
    run_due(store, SlackSender(make_client(token, api_url), store), now=start, worker=worker)


if __name__ == "__main__":
    main(*sys.argv[1:6])
