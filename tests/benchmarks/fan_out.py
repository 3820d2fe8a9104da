"""Fan-out at Slack's pace: 1,000 groups' check-in DMs (6,000) fall due at the same minute,
spread over four workspaces, with the fake Slack enforcing Slack's limits; one, two or
three ticker processes share the work against one database. Unlimited (`limited=False`,
the fake answering every call at once, over more workspaces), the same fan-out measures
how many DMs a second the tickers themselves can send.

Slack's clock runs `scale` times faster here (the fake's limits and Retry-After, and the
bot's own budgets and re-collect interval alike), so minutes of Slack time take seconds.
The minimum is what the limits allow at that speed: the busiest workspace's DMs at the
fake's workspace-wide chat.postMessage rate, after its burst.
"""

from __future__ import annotations

import multiprocessing
import time as wallclock
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.fake_slack import ratelimits as slack_limits
from bot.schedule.due import Kind
from bot.store import Store
from bot.store.models import Delivery, DeliveryState
from tests.benchmarks import fleet

START = datetime(2026, 3, 16, 9, tzinfo=UTC)  # Monday; sessions on Thursday 19 March, 18:00
DMS_AT = datetime(2026, 3, 20, 9, tzinfo=UTC)  # Friday 10:00 in Amsterdam: every check-in DM
TEAMS = ["T_W0", "T_W1", "T_W2", "T_W3"]


def workspaces(count: int) -> list[str]:
    return TEAMS if count == len(TEAMS) else [f"T_W{n}" for n in range(count)]


PROMPT_AFTER = 5  # seconds into the fan-out, a prompt (in the first workspace) falls due


def run(
    url: str,
    *,
    tickers: int,
    groups: int,
    scale: float,
    wipe: object,
    teams: list[str] = TEAMS,
    limited: bool = True,
) -> str:
    store = Store.from_url(url)
    wipe(store)  # type: ignore[operator]
    fleet.seed(
        store,
        groups,
        start=START,
        settled_before=DMS_AT - timedelta(minutes=1),
        teams=teams,
        slot_of=lambda n: fleet.Slot(3, time(18)),
    )
    # The group whose prompt falls due mid-fan-out: Saturday's session at 10:00:05.
    fleet.seed(
        store,
        1,
        start=START,
        settled_before=DMS_AT - timedelta(minutes=1),
        teams=[teams[0]],
        slot_of=lambda n: fleet.Slot(5, time(10, 0, PROMPT_AFTER)),
        first_id=groups + 1,
    )
    store.dispose()
    with FakeSlack(enforce_rate_limits=limited, rate_limit_scale=scale) as fake:
        for n in range(groups + 1):
            team = teams[n % len(teams)] if n < groups else teams[0]
            members = fleet.people(team, n)
            channel = f"C{team[-2:]}{n:05d}"
            for user in members:
                fake.add_user(user, name=user.lower())
            fake.add_channel(channel, name=channel.lower(), members=members)
            if fake.limits is not None:
                fake.limits.assign(team, channel, *members)
        spawn = multiprocessing.get_context("spawn")
        ready = spawn.Barrier(tickers + 1)
        procs = [
            spawn.Process(
                target=_ticker,
                args=(
                    url,
                    fake.api_url,
                    fake.bot_token,
                    scale,
                    f"ticker-{i}",
                    ready,
                    groups * 6 + 1,
                ),
            )
            for i in range(tickers)
        ]
        for proc in procs:
            proc.start()
        ready.wait(timeout=300)
        began = wallclock.time()
        for proc in procs:
            proc.join()
        return _figures(
            url, fake, tickers=tickers, groups=groups, scale=scale, began=began, teams=teams
        )


def _ticker(
    url: str, api_url: str, token: str, scale: float, worker: str, ready: object, owed: int
) -> None:
    from bot.schedule import replicas, runner
    from bot.slack.gateway import make_client
    from bot.slack.ratelimit import budgets_for
    from bot.slack.scheduled import SlackSender

    runner.RECOLLECT_EVERY = 10 / scale
    # Each item's own work (database, HTTP) is not sped up while Slack's clock runs `scale`
    # times faster: 12 hands instead of 8 (within the database pool of 15) keep enough in
    # flight to follow Slack's pace.
    hands = 12
    client = make_client(token, api_url)
    budgets_for(client, scale=scale)
    store = Store.from_url(url)
    sender = SlackSender(client, store)
    with store.transaction() as session:  # running for a while already, as replicas are
        replicas.here(session, worker, DMS_AT - timedelta(seconds=15))
    ready.wait(timeout=300)  # type: ignore[attr-defined]
    began = wallclock.monotonic()
    # The heartbeat, ticking often: until everything due by the prompt's moment is sent.
    while wallclock.monotonic() - began < 600:
        now = DMS_AT + timedelta(seconds=wallclock.monotonic() - began)
        try:
            runner.run_due(store, sender, now=now, worker=worker, hands=hands)
        except Exception as error:  # e.g. the database pool ran dry: the next tick goes on
            print(f"{worker}: tick failed ({type(error).__name__}); ticking again", flush=True)
        if wallclock.monotonic() - began > PROMPT_AFTER and _sent(store) >= owed:
            break
        wallclock.sleep(0.2)
    store.dispose()


def _sent(store: Store) -> int:
    with store.transaction() as session:
        sent = select(func.count()).where(
            Delivery.state == DeliveryState.SENT, Delivery.claimed_by != "bench"
        )
        return int(session.scalar(sent) or 0)


def _figures(
    url: str,
    fake: FakeSlack,
    *,
    tickers: int,
    groups: int,
    scale: float,
    began: float,
    teams: list[str],
) -> str:
    store = Store.from_url(url)
    with store.transaction() as session:
        rows = session.execute(
            select(Delivery.kind, Delivery.state).where(Delivery.claimed_by != "bench")
        ).all()
    store.dispose()
    dm_calls = [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.status == 200 and c.args["channel"].startswith("U")
    ]
    expected = groups * 6
    posted = Counter(c.args["channel"] for c in dm_calls)
    duplicates = sum(n - 1 for n in posted.values())
    sent = sum(1 for kind, state in rows if kind == Kind.CHECKIN and state is DeliveryState.SENT)
    lost = expected - len(posted)
    last = max(c.at for c in dm_calls)
    seconds = last - began
    busiest = max(Counter(n % len(teams) for n in range(groups)).values()) * 6
    rate = slack_limits.POST_MESSAGE_PER_WORKSPACE_PER_SECOND * scale
    minimum = (busiest - slack_limits.POST_MESSAGE_WORKSPACE_BURST) / rate
    prompt = next(
        (
            c.at
            for c in fake.calls_to("chat.postMessage")
            if c.status == 200 and c.args["channel"] == f"C{teams[0][-2:]}{groups:05d}"
        ),
        None,
    )
    late = f"{(prompt - began - PROMPT_AFTER) * scale:.0f} Slack-seconds" if prompt else "never"
    tickers_ = f"{tickers} ticker{'s' if tickers > 1 else ''}"
    if fake.limits is None:
        return (
            f"  {tickers_}: {sent} of {expected} DMs in {seconds:.1f} s, "
            f"{sent / seconds:.0f} a second; {duplicates} duplicates, {lost} lost"
        )
    limited = sum(1 for c in fake.calls_to("chat.postMessage") if c.status == 429)
    return (
        f"  {tickers_}: {sent} of {expected} DMs in "
        f"{seconds:.1f} s (limits allow {minimum:.1f} s; ratio {seconds / minimum:.2f}), "
        f"{duplicates} duplicates, {lost} lost, {limited} answered 429; "
        f"the prompt due mid-fan-out went out {late} after its moment"
    )
