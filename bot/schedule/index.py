"""The index of what is due: `groups.next_due_at`, the earliest moment each group owes
something not yet in the ledger, so a tick asks the database instead of replanning every
group every minute.

The planner (`due.next_due_at`) writes it, so the index and `due_for_group` cannot disagree
about what a group owes. It is refreshed:
- before any transaction that changed a group, its people, weeks, kick-off or polls
  commits (a session hook, so no change point can forget it);
- by the runner, once it has claimed everything a group owed at the tick.

Concurrent refreshes of one group are ordered by a row lock. A refresh that reads the
ledger before someone else's claim lands only comes out earlier (the group is looked at
once more for nothing), never later.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from bot.schedule import ledger
from bot.schedule.due import next_due_at
from bot.store.models import Group, GroupState, Kickoff, Membership, Poll, Week

_PLAN_INPUTS = (Group, Membership, Week, Kickoff, Poll)
_TOUCHED = "p2p_plan_touched"


def refresh(session: Session, group_ids: Iterable[int], *, skip_locked: bool = False) -> None:
    """Write each group's next due moment as the planner sees it now.

    `skip_locked`: a group another transaction is refreshing is left to it (PostgreSQL),
    so scheduler replicas never wait on each other."""
    ids = sorted(set(group_ids))
    if not ids:
        return
    lock = select(Group.id).where(Group.id.in_(ids)).order_by(Group.id)
    ids = list(session.scalars(lock.with_for_update(skip_locked=skip_locked)))
    if not ids:
        return
    # A side session on the same connection: it reads what this transaction has flushed,
    # and leaves the caller's objects (and their loaded collections) alone.
    with Session(bind=session.connection(), autoflush=False) as side:
        groups = side.scalars(select(Group).where(Group.id.in_(ids))).all()
        settled = ledger.settled_keys(side, ids)
        polls: dict[int, list[Poll]] = {}
        for poll in side.scalars(select(Poll).where(Poll.group_id.in_(ids))):
            polls.setdefault(poll.group_id, []).append(poll)
        kickoffs = latest_kickoffs(side, [g.id for g in groups if g.state is GroupState.RECRUITING])
        moments = {
            # A group whose workspace uninstalled the app owes nothing until a reinstall.
            group.id: None
            if group.uninstalled_at is not None
            else next_due_at(
                group,
                kickoff=kickoffs.get(group.id),
                polls=polls.get(group.id, []),
                settled=settled,
            )
            for group in groups
        }
    for group_id, moment in moments.items():
        session.execute(
            update(Group)
            .where(Group.id == group_id)
            .values(next_due_at=moment)
            .execution_options(synchronize_session=False)
        )


def latest_kickoffs(session: Session, group_ids: list[int]) -> dict[int, Kickoff]:
    """Each group's latest kick-off round, in one query."""
    if not group_ids:
        return {}
    latest: dict[int, Kickoff] = {}
    for kickoff in session.scalars(
        select(Kickoff).where(Kickoff.group_id.in_(group_ids)).order_by(Kickoff.round)
    ):
        latest[kickoff.group_id] = kickoff
    return latest


@event.listens_for(Session, "after_flush")
def _note_plan_changes(session: Session, _context: Any) -> None:
    touched: set[int] = session.info.setdefault(_TOUCHED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, _PLAN_INPUTS):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, Group):
            if obj not in session.deleted:
                touched.add(obj.id)
        elif obj.group_id is not None:
            touched.add(obj.group_id)


@event.listens_for(Session, "before_commit")
def _refresh_touched(session: Session) -> None:
    session.flush()
    touched = session.info.pop(_TOUCHED, set())
    if touched:
        refresh(session, touched)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
