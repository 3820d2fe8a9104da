"""One person doing two things at the same instant: both count, nothing errs, nothing is
lost. Each pair goes through the real app over HTTP from real threads, on both databases
(PostgreSQL is where a read-then-write would lose one of the two)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from bot.devtools.fake_slack import Message
from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from bot.store.models import Attendance, CheckIn
from tests.slack.clock import Clock
from tests.slack.cycle_steps import group_of
from tests.slack.people import ANA, BEN, CHANNEL, CHEN, FAC, run_cycle

MEMBERS = (FAC, ANA, BEN, CHEN)
FORM = {"learned": "Quorums", "hours": "3", "confidence": "4"}


def at_once(actions: list[Callable[[], object]]) -> list[object]:
    """Run every action at the same instant, each on its own thread."""
    start = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(n: int, action: Callable[[], object]) -> None:
        start.wait()
        results[n] = action()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def checkin_dm(ws: SimulatedWorkspace, user: str) -> Message:
    return next(m for m in ws.fake.dm(user) if "check-in —" in m.plain)


def checkins(ws: SimulatedWorkspace) -> dict[str, CheckIn]:
    with ws.store.transaction() as session:
        return {row.user_id: row for row in session.scalars(select(CheckIn))}


def test_two_replies_and_a_reply_with_the_form_at_once_are_all_kept(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    week = group_of(ws).weeks_planned[0]
    clock.run_until(week.ends_at + timedelta(hours=44))  # everyone has their check-in DM
    forms = {}
    for user in (CHEN, FAC):
        ws.click(user, checkin_dm(ws, user), ids.CHECKIN)
        forms[user] = ws.fake.open_modal(user)

    actions: list[Callable[[], object]] = []
    for user in (ANA, BEN):  # two quick replies in the DM
        for n in (1, 2):
            actions.append(lambda u=user, n=n: ws.driver.user_posts(u, u, f"{u} note {n}"))
    for user in (CHEN, FAC):  # a reply in the DM while submitting the form
        actions.append(lambda u=user: ws.driver.user_posts(u, u, f"{u} typed this"))
        actions.append(lambda u=user: ws.driver.submit(u, forms[u], FORM))
    replies = at_once(actions)
    ws.settle()

    assert all(reply.status == 200 for reply in replies), [r.status for r in replies]
    assert not any((reply.json or {}).get("errors") for reply in replies if reply.json)
    rows = checkins(ws)
    for user in (ANA, BEN):
        assert sorted(rows[user].replies.splitlines()) == [f"{user} note 1", f"{user} note 2"]
    for user in (CHEN, FAC):
        assert rows[user].replies == f"{user} typed this"
        assert (rows[user].learned, rows[user].hours, rows[user].confidence) == (
            "Quorums",
            3.0,
            4,
        )
    for user in MEMBERS:  # every message got its "saved" answer
        channel = ws.fake.dm_channel_id(user)
        mine = [m for m in ws.fake.messages(channel) if m.user == user]
        saved = [r for m in mine for r in ws.fake.thread(channel, m.ts) if "Saved" in r.plain]
        assert len(saved) == len(mine), user


def test_here_and_away_clicked_at_once_leave_one_answer_each(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    week = group_of(ws).weeks_planned[0]
    clock.run_until(week.starts_at)
    check = ws.fake.find_message(CHANNEL, "Week 1 —")

    for _ in range(2):  # the first round creates each answer, the second changes it
        replies = at_once(
            [
                lambda u=user, a=action: ws.driver.click(u, check, a)
                for user in MEMBERS
                for action in (ids.ATTEND_HERE, ids.ATTEND_AWAY)
            ]
        )
        ws.settle()
        assert all(reply.status == 200 for reply in replies)

    with ws.store.transaction() as session:
        rows = session.scalars(select(Attendance)).all()
    assert sorted(row.user_id for row in rows) == sorted(MEMBERS)
    assert not any("didn't go through" in r.text for r in ws.fake.responses())
