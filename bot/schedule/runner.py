"""One tick: find what is due at `now`, and deliver each item once."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.schedule import index, ledger, replicas
from bot.schedule.due import Due, due_for_group
from bot.schedule.lanes import Lanes
from bot.schedule.ledger import Claim, Sent
from bot.store import Store
from bot.store.models import DeliveryState, Group, GroupState, Poll

log = logging.getLogger(__name__)

WORKER = f"{socket.gethostname()}:{os.getpid()}"
HANDS = 8  # items in flight at once; one workspace gets at most half of them
RECOLLECT_EVERY = 10.0  # seconds


class Undeliverable(Exception):
    """Slack refused the post for good (bot removed, person deactivated): do not retry."""


class NotReady(Exception):
    """What the item is built from is not there yet (e.g. the catch-up needs the attendance
    check, still being posted by another process): it is not due yet, so it waits."""


class Sender(Protocol):
    def deliver(self, claim: Claim, *, now: datetime) -> Sent | None:
        """Send the item (or find it, when recovering) and record it; None if nothing to send."""
        ...


@dataclass
class TickReport:
    sent: list[str] = field(default_factory=list)
    nothing_to_send: list[str] = field(default_factory=list)  # e.g. nobody missed the session
    stale: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # not ready yet: back next tick
    reasons: dict[str, str] = field(default_factory=dict)  # why each failed one was given up

    def summary(self) -> str:
        counts = Counter(
            {
                "sent": len(self.sent),
                "stale": len(self.stale),
                "failed": len(self.failed),
                "to retry": len(self.retry),
                "waiting": len(self.waiting),
                "with nothing to send": len(self.nothing_to_send),
            }
        )
        return ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing due"

    def describe(self) -> str:
        """The summary, then one line per post given up on and why."""
        lines = [self.summary()]
        lines += [f"gave up on {key}: {self.reasons.get(key, '?')}" for key in self.failed]
        return "\n".join(lines)


def collect_due(
    session: Session,
    now: datetime,
    *,
    queued: Set[int] = frozenset(),
    sends_for: Callable[[str], bool] | None = None,
) -> list[Due]:
    """What is due at `now` and not yet settled, oldest first.

    Only groups whose next due moment has come (the index) are planned; with nothing due
    this is one small query, plus one for claims left unconfirmed. Groups with items `queued`
    already are not planned again (a long fan-out would spend its time re-planning them):
    the index brings them back once their queue is done; nor are groups of workspaces
    another replica sends for (`sends_for` says which are ours). Groups of a workspace
    that uninstalled the app owe nothing."""
    due_groups = select(Group.id, Group.team_id).where(
        Group.next_due_at <= now, Group.uninstalled_at.is_(None)
    )
    ids = [
        group_id
        for group_id, team in session.execute(due_groups)
        if group_id not in queued and (sends_for is None or sends_for(team))
    ]
    items: dict[str, Due] = {}
    if ids:
        # Only now the groups themselves, with their people and weeks: not those queued
        # or another replica's, which a look during a long fan-out mostly finds.
        groups = session.scalars(select(Group).where(Group.id.in_(ids))).all()
        polls: dict[int, list[Poll]] = {}
        for poll in session.scalars(
            select(Poll).where(Poll.group_id.in_(ids), Poll.closed_at.is_(None))
        ):
            polls.setdefault(poll.group_id, []).append(poll)
        kickoffs = index.latest_kickoffs(
            session, [g.id for g in groups if g.state is GroupState.RECRUITING]
        )
        settled = ledger.settled_keys(session, ids)
        looked_at_for_nothing = []
        for group in groups:
            planned = due_for_group(
                group,
                kickoff=kickoffs.get(group.id),
                polls=polls.get(group.id, []),
                now=now,
                settled=settled,
            )
            owed = [item for item in planned if item.key not in settled]
            if not owed:  # e.g. another replica claimed it all
                looked_at_for_nothing.append(group.id)
            items.update((item.key, item) for item in owed)
        index.refresh(session, looked_at_for_nothing, skip_locked=True)
    # A claim left unconfirmed is finished even if the schedule no longer lists it (the
    # vote it closed is closed now, the group it stalled has ended): the sender looks for
    # the post in Slack before sending it.
    for item in ledger.unconfirmed(session):
        items.setdefault(item.key, item)
    return sorted(items.values(), key=lambda i: (i.due_at, i.key))


@dataclass
class Look:
    """What one look for due work found: the items this replica sends, each group's
    workspace, and when the index says the next item falls due."""

    items: list[Due]
    team_of: dict[int, str]
    next_due: datetime | None
    sends_for: Callable[[str], bool]


def look(
    session: Session,
    now: datetime,
    *,
    worker: str = WORKER,
    queued: Set[int] = frozenset(),
    as_replica: bool = True,
) -> Look:
    """Find what is due at `now` for this replica. `as_replica`: one of the replicas that
    share the workspaces between them (`replicas`); otherwise (an operator's one-off tick)
    everything due, and it takes no workspace from the replicas running."""
    if as_replica:
        replicas.here(session, worker, now)
        sends_for = replicas.mine(worker, replicas.alive(session, now))
    else:
        sends_for = _everything
    items = collect_due(session, now, queued=queued, sends_for=sends_for)
    places = select(Group.id, Group.team_id).where(Group.id.in_({i.group_id for i in items}))
    team_of = {group_id: team for group_id, team in session.execute(places)} if items else {}
    next_due = session.scalar(select(func.min(Group.next_due_at)).where(Group.next_due_at > now))
    return Look(
        items=[i for i in items if sends_for(team_of.get(i.group_id, ""))],
        team_of=team_of,
        next_due=next_due,
        sends_for=sends_for,
    )


def _everything(team: str) -> bool:
    return True


def run_due(
    store: Store,
    sender: Sender,
    *,
    now: datetime,
    worker: str = WORKER,
    hands: int = HANDS,
    as_replica: bool = True,
) -> TickReport:
    """Do what is due at `now`. Safe to call often, late, twice, or from several processes.

    Items go out on a pool of `hands`, each workspace in its own lane (see `Lanes`); a long
    fan-out looks again every RECOLLECT_EVERY seconds for what fell due meanwhile, and for
    workspaces that moved to or from another replica. A group whose items are all claimed
    has its next due moment written to the index."""
    report = TickReport()
    began = time.monotonic()
    lanes = Lanes(per_workspace=max(1, hands // 2), tiebreak=worker)
    taken: dict[str, int] = {}
    next_due: list[datetime | None] = [None]  # the index's next moment after the last look

    def at() -> datetime:
        return now + timedelta(seconds=time.monotonic() - began)

    def gather() -> None:
        with store.transaction() as session:
            found = look(session, at(), worker=worker, queued=lanes.groups(), as_replica=as_replica)
        next_due[0] = found.next_due
        lanes.keep(found.sends_for)  # another replica sends for a workspace now: leave it
        for item in found.items:
            lanes.put(found.team_of.get(item.group_id, ""), item)

    def work() -> None:
        while (item := lanes.take()) is not None:
            taken.setdefault(item.key, len(taken))
            try:
                _handle(store, sender, item, now=at(), worker=worker, report=report)
            except Exception:
                log.exception("could not handle %s; a later tick will", item.key)
            if lanes.done(item):
                try:
                    with store.transaction() as session:
                        index.refresh(session, [item.group_id], skip_locked=True)
                except Exception:  # the group stays due in the index: a later look finds it
                    log.exception("could not refresh group %s's next due moment", item.group_id)

    gather()
    if lanes.empty():
        return report
    pool = [threading.Thread(target=work, name=f"deliver-{n}") for n in range(hands)]
    for thread in pool:
        thread.start()
    try:
        # A prompt falling due mid-fan-out is looked for at its moment, not up to
        # RECOLLECT_EVERY later: it then goes ahead of the DMs still waiting.
        while not lanes.wait_idle(_until_next_look(next_due[0], at())):
            gather()
    finally:
        lanes.close()  # the hands finish what is queued, then stop
        for thread in pool:
            thread.join()
    for keys in (report.sent, report.nothing_to_send, report.stale, report.failed, report.retry):
        keys.sort(key=lambda key: taken.get(key, 0))
    log.info("tick at %s: %s", now.isoformat(), report.summary())
    return report


def _until_next_look(next_due: datetime | None, now: datetime) -> float:
    if next_due is None:
        return RECOLLECT_EVERY
    return min(RECOLLECT_EVERY, max(0.05, (next_due - now).total_seconds()))


def _handle(
    store: Store, sender: Sender, item: Due, *, now: datetime, worker: str, report: TickReport
) -> None:
    if item.is_stale(now):
        with store.transaction() as session:
            settled = ledger.settle_stale(session, item, worker=worker)
        if settled is DeliveryState.STALE:
            log.info("skipped %s: its moment passed while the bot was down", item.key)
            report.stale.append(item.key)
        elif settled is DeliveryState.FAILED:
            _gave_up(report, item.key, "no longer useful while still being retried")
        return
    with store.transaction() as session:
        claim = ledger.claim(session, item, worker=worker)
    if claim is not None:
        _deliver(store, sender, claim, now=now, report=report)


def _deliver(
    store: Store, sender: Sender, claim: Claim, *, now: datetime, report: TickReport
) -> None:
    key = claim.due.key
    try:
        sent = sender.deliver(claim, now=now)
    except NotReady as waiting:
        with store.transaction() as session:
            ledger.not_ready(session, claim)
        log.info("%s waits: %s", key, waiting)
        report.waiting.append(key)
        return
    except Undeliverable as refused:
        with store.transaction() as session:
            ledger.fail(session, key, str(refused))
        _gave_up(report, key, str(refused))
        return
    except Exception as error:
        _failed_attempt(store, key, error, report)
        return
    with store.transaction() as session:
        ledger.confirm(session, key, sent or Sent(None, None))
    (report.sent if sent is not None else report.nothing_to_send).append(key)


def _failed_attempt(store: Store, key: str, error: Exception, report: TickReport) -> None:
    """Tried again after a backoff (and looked for in Slack first), or given up."""
    why = str(error) or type(error).__name__
    try:
        with store.transaction() as session:
            reason = ledger.retry_later(session, key, why)
    except Exception:
        # The database is unreachable too: the claim's lease runs out and it is retried.
        log.exception("could not deliver %s, nor record why; retried after the lease", key)
        report.retry.append(key)
        return
    if reason is not None:
        _gave_up(report, key, reason)
        return
    log.warning("could not deliver %s (%s); will retry", key, why, exc_info=error)
    report.retry.append(key)


def _gave_up(report: TickReport, key: str, reason: str) -> None:
    log.error("gave up on %s: %s", key, reason)
    report.failed.append(key)
    report.reasons[key] = reason
