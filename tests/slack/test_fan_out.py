"""Many groups in several workspaces falling due at once: each post goes out once, across
replicas ticking together, and one workspace's rate-limit storm holds up no other."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, time, timedelta

from slack_sdk import WebClient
from sqlalchemy import select

from bot.devtools.fake_slack import FakeSlack
from bot.domain import groups, home, kickoff, slots
from bot.domain.groups import GroupDraft
from bot.schedule import replicas
from bot.schedule.runner import run_due
from bot.slack.gateway import make_client
from bot.slack.scheduled import SlackSender
from bot.store import Store
from bot.store.models import Delivery, DeliveryState, Group, GroupFormat
from tests.slack.clock import START

BUSY, QUIET = "T_BUSY", "T_QUIET"


def seed_group(
    store: Store, fake: FakeSlack, *, team: str, n: int, session_time: time = time(18)
) -> str:
    """A running group of four in its own channel; returns the channel."""
    channel = f"C{team[2:]}{n:03d}"
    people = [f"U{team[2:]}{n:03d}{m}" for m in range(4)]
    for person in people:
        fake.add_user(person, name=person.lower())
    fake.add_channel(channel, name=channel.lower(), members=people)
    if fake.limits is not None:
        fake.limits.assign(team, channel, *people)
    with store.transaction() as session:
        group = groups.create_group(
            session,
            team_id=team,
            channel_id=channel,
            user_id=people[0],
            draft=GroupDraft(
                topic=f"Topic {n}",
                why="",
                format=GroupFormat.STUDY_AND_PRESENT,
                weekday=3,
                session_time=session_time,
                timezone="Europe/Amsterdam",
            ),
        )
        for person in people[1:]:
            groups.join(
                session,
                team_id=team,
                group_id=group.id,
                user_id=person,
                goal="",
                minutes_per_week=60,
                now=START,
            )
        kickoff.start_cycle(session, team_id=team, group_id=group.id, user_id=people[0], now=START)
    return channel


def first_prompt_at(session_time: time) -> datetime:
    first = slots.next_slot(START, 3, session_time, "Europe/Amsterdam")
    return slots.prompt_time(first, 24, "Europe/Amsterdam")


def tick_together(
    store: Store, db_url: str, client: WebClient, names: list[str], *, now: datetime
) -> None:
    """Replicas named `names` tick at the same moment, each a process of its own (its own
    engine and connection pool; the first uses `store`)."""
    stores = [store] + [Store.from_url(db_url) for _ in names[1:]]
    barrier = threading.Barrier(len(stores))

    def tick(replica: Store, worker: str) -> None:
        barrier.wait()
        run_due(replica, SlackSender(client, replica), now=now, worker=worker)

    threads = [threading.Thread(target=tick, args=pair) for pair in zip(stores, names, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in stores[1:]:
        other.dispose()


def test_replicas_ticking_together_send_each_post_once(store: Store, db_url: str) -> None:
    with FakeSlack() as fake:
        channels = [seed_group(store, fake, team=BUSY, n=n) for n in range(12)]
        channels += [seed_group(store, fake, team=QUIET, n=n) for n in range(12)]
        client = make_client(fake.bot_token, fake.api_url)
        names = [f"replica-{i}" for i in range(3)]
        tick_together(store, db_url, client, names, now=first_prompt_at(time(18)))

        posted = Counter(c.args["channel"] for c in fake.calls_to("chat.postMessage"))
        assert posted == Counter(channels)  # every channel its prompt, once
        with store.transaction() as session:
            rows = session.execute(select(Delivery.state, Delivery.claimed_by)).all()
        assert {state for state, _ in rows} == {DeliveryState.SENT}
        assert len(rows) == len(channels)


def test_one_workspaces_rate_limit_storm_does_not_hold_up_anothers_prompt(
    store: Store,
) -> None:
    with FakeSlack(enforce_rate_limits=True) as fake:
        # The busy workspace's groups met earlier, so their prompts are the older ones.
        busy = [seed_group(store, fake, team=BUSY, n=n, session_time=time(17)) for n in range(6)]
        quiet = seed_group(store, fake, team=QUIET, n=0)
        fake.rate_limit(
            "chat.postMessage", retry_after=1, times=12, when=lambda a: a["channel"] in busy
        )
        client = make_client(fake.bot_token, fake.api_url)

        report = run_due(
            store,
            SlackSender(client, store),
            now=first_prompt_at(time(18)) + timedelta(minutes=1),
        )

        calls = fake.calls_to("chat.postMessage")
        quiet_posted = next(c.at for c in calls if c.args["channel"] == quiet and c.status == 200)
        busy_posted = [c.at for c in calls if c.args["channel"] in busy and c.status == 200]
        storm = [c for c in calls if c.status == 429]
        assert len(storm) == 12
        assert quiet_posted < min(busy_posted)  # not behind the busy workspace's backlog
        assert quiet_posted < max(c.at for c in storm)  # ...and during its storm
        assert sorted(c.args["channel"] for c in calls if c.status == 200) == sorted([*busy, quiet])
        assert len(report.sent) == 7


SIX = [f"T_W{n}" for n in range(6)]


def _senders(store: Store) -> dict[str, set[str]]:
    """The replicas that claimed each workspace's posts."""
    with store.transaction() as session:
        rows = session.execute(
            select(Group.team_id, Delivery.claimed_by).join(Group, Delivery.group_id == Group.id)
        ).all()
    senders: dict[str, set[str]] = {}
    for team, worker in rows:
        senders.setdefault(team, set()).add(worker)
    return senders


def test_each_workspaces_posts_go_out_from_one_replica(store: Store, db_url: str) -> None:
    with FakeSlack() as fake:
        channels = [seed_group(store, fake, team=team, n=n) for team in SIX for n in range(3)]
        client = make_client(fake.bot_token, fake.api_url)
        now = first_prompt_at(time(18))
        names = [f"replica-{i}" for i in range(3)]
        with store.transaction() as session:  # all three ticked a heartbeat ago
            for name in names:
                replicas.here(session, name, now - timedelta(seconds=15))
        tick_together(store, db_url, client, names, now=now)

        posted = Counter(c.args["channel"] for c in fake.calls_to("chat.postMessage"))
        assert posted == Counter(channels)
        assert _senders(store) == {team: {replicas.sender_of(team, names)} for team in SIX}


def test_a_replica_that_stopped_ticking_leaves_its_workspaces_to_the_others(
    store: Store,
) -> None:
    with FakeSlack() as fake:
        channels = [seed_group(store, fake, team=team, n=0) for team in SIX]
        now = first_prompt_at(time(18))
        with store.transaction() as session:
            replicas.here(session, "gone", now - replicas.ALIVE_FOR - timedelta(seconds=1))
        client = make_client(fake.bot_token, fake.api_url)

        run_due(store, SlackSender(client, store), now=now, worker="left")

        assert sorted(c.args["channel"] for c in fake.calls_to("chat.postMessage")) == sorted(
            channels
        )
        assert set().union(*_senders(store).values()) == {"left"}


def test_a_tick_by_hand_sends_everything_due_and_takes_no_workspace(store: Store) -> None:
    with FakeSlack() as fake:
        channels = [seed_group(store, fake, team=team, n=0) for team in SIX]
        now = first_prompt_at(time(18))
        with store.transaction() as session:
            for name in ("replica-0", "replica-1"):
                replicas.here(session, name, now)
        client = make_client(fake.bot_token, fake.api_url)

        run_due(store, SlackSender(client, store), now=now, worker="by-hand", as_replica=False)

        assert len(fake.calls_to("chat.postMessage")) == len(channels)
        with store.transaction() as session:
            assert sorted(replicas.alive(session, now)) == ["replica-0", "replica-1"]


def test_a_busy_minutes_prompts_do_not_wait_for_their_members_home_tabs(store: Store) -> None:
    with FakeSlack() as fake:
        channels = [seed_group(store, fake, team=BUSY, n=n) for n in range(6)]
        viewers = [f"U{BUSY[2:]}{n:03d}{m}" for n in range(6) for m in (1, 2)]
        with store.transaction() as session:
            for person in viewers:  # they have opened their Home tab before
                home.remember_opened(session, team_id=BUSY, user_id=person, now=START)
        fake.slow(0.25, "views.publish")
        sender = SlackSender(make_client(fake.bot_token, fake.api_url), store)

        report = run_due(store, sender, now=first_prompt_at(time(18)))

        assert len(report.sent) == len(channels)
        prompts = [c.at for c in fake.calls_to("chat.postMessage")]
        homes = [c.at for c in fake.calls_to("views.publish")]
        assert len(homes) < 5  # the tick is over, and most Homes are still to do...
        assert sender.homes.wait_idle(timeout=30)  # ...then each is republished, once
        homes = [c.at for c in fake.calls_to("views.publish")]
        assert max(prompts) < sorted(homes)[4]  # the prompts did not wait for them
        assert sorted(c.args["user_id"] for c in fake.calls_to("views.publish")) == viewers
        assert all(fake.home(person) is not None for person in viewers)
