"""Where the app is installed: a workspace (or an org) arriving, leaving, and being forgotten.

A group belongs to the workspace of its channel. When the app leaves that workspace (it was
uninstalled, or its tokens revoked) the group is marked and owes nothing (`next_due_at`
stays empty, see bot/schedule/index.py), so no failed call piles up; a reinstall picks it
up again where its calendar stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, CursorResult, Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.store.base import Base
from bot.store.models import (
    Ambassador,
    Group,
    TopicRequest,
    Workspace,
    slack_bots,
    slack_installations,
)


def key_of(*, team_id: str | None, enterprise_id: str | None, is_enterprise_install: bool) -> str:
    """An installation's key: the org for an org-wide install, else the workspace."""
    key = enterprise_id if is_enterprise_install else team_id
    if not key:
        raise ValueError("an installation needs a team id, or an enterprise id if org-wide")
    return key


def _served_by(key: str, is_enterprise_install: bool) -> ColumnElement[bool]:
    return Group.enterprise_id == key if is_enterprise_install else Group.team_id == key


def installed(
    session: Session,
    *,
    team_id: str | None,
    enterprise_id: str | None,
    is_enterprise_install: bool,
    now: datetime,
) -> int:
    """The app was installed (again): its groups there take up their calendar. Returns how
    many groups came back."""
    key = key_of(
        team_id=team_id, enterprise_id=enterprise_id, is_enterprise_install=is_enterprise_install
    )
    row = session.get(Workspace, key, with_for_update=True)
    if row is None:
        session.add(
            Workspace(
                key=key,
                enterprise_id=enterprise_id,
                is_enterprise_install=is_enterprise_install,
                installed_at=now,
            )
        )
    else:
        row.enterprise_id = enterprise_id
        row.is_enterprise_install = is_enterprise_install
        row.installed_at = now
        row.uninstalled_at = None
    back = list(
        session.scalars(
            select(Group).where(
                _served_by(key, is_enterprise_install), Group.uninstalled_at.is_not(None)
            )
        )
    )
    for group in back:
        group.uninstalled_at = None  # the index refreshes the group before commit
    return len(back)


def uninstalled(
    session: Session, *, team_id: str | None, enterprise_id: str | None, now: datetime
) -> int:
    """The app left a workspace (or an org): its groups stop. Returns how many."""
    org_wide = not team_id and bool(enterprise_id)
    key = key_of(team_id=team_id, enterprise_id=enterprise_id, is_enterprise_install=org_wide)
    row = session.get(Workspace, key, with_for_update=True)
    if row is not None:
        row.uninstalled_at = now
    for table in (slack_bots, slack_installations):  # the tokens go with the installation
        c = table.c
        where = (
            (c.enterprise_id == enterprise_id) & c.is_enterprise_install.is_(True)
            if org_wide
            else c.team_id == team_id
        )
        session.execute(delete(table).where(where))
    condition = Group.enterprise_id == enterprise_id if org_wide else Group.team_id == team_id
    ids = list(session.scalars(select(Group.id).where(condition, Group.uninstalled_at.is_(None))))
    if ids:
        session.execute(
            update(Group)
            .where(Group.id.in_(ids))
            .values(uninstalled_at=now, next_due_at=None)
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def group_uninstalled(session: Session, *, group_id: int, now: datetime) -> None:
    """One group found its workspace gone before the uninstall event came."""
    session.execute(
        update(Group)
        .where(Group.id == group_id, Group.uninstalled_at.is_(None))
        .values(uninstalled_at=now, next_due_at=None)
        .execution_options(synchronize_session=False)
    )


def is_installed(session: Session, key: str) -> bool:
    row = session.get(Workspace, key)
    return row is not None and row.uninstalled_at is None


@dataclass
class Forgotten:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        if count:
            self.counts[table] = self.counts.get(table, 0) + count

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def forget(session: Session, *, team_id: str) -> Forgotten:
    """Delete everything stored about a workspace (or, given an enterprise id, an org-wide
    install and its groups): groups and all that hangs off them, installation records and
    tokens. Returns what was deleted, table by table."""
    gone = Forgotten()
    group_ids = list(
        session.scalars(
            select(Group.id).where(or_(Group.team_id == team_id, Group.enterprise_id == team_id))
        )
    )
    if group_ids:
        # Count what the database's cascades will take with the groups.
        for table in Base.metadata.sorted_tables:
            if _goes_with_its_group(table):
                count = session.execute(
                    select(func.count()).select_from(table).where(table.c.group_id.in_(group_ids))
                ).scalar_one()
                gone.add(table.name, count)
        for child in ("polls", "kickoffs"):
            gone.counts.update(_cascade_counts(session, child, group_ids))
    for model in (Ambassador, TopicRequest):
        result = session.execute(
            delete(model).where(or_(model.team_id == team_id, model.group_id.in_(group_ids)))
        )
        gone.add(model.__tablename__, _count(result))
    # Everything else kept per workspace (the interest board, program owners, Home viewers),
    # children before parents.
    kept_per_workspace = [
        table
        for table in reversed(Base.metadata.sorted_tables)
        if "team_id" in table.c
        and table.name not in {"groups", "ambassadors", "topic_requests", "workspaces"}
        and table not in (slack_installations, slack_bots)
        and not _goes_with_its_group(table)
    ]
    for table in kept_per_workspace:
        result = session.execute(delete(table).where(table.c.team_id == team_id))
        gone.add(table.name, _count(result))
    if group_ids:
        result = session.execute(delete(Group).where(Group.id.in_(group_ids)))
        gone.add("groups", _count(result))
    for table in (slack_installations, slack_bots):
        result = session.execute(
            delete(table).where(or_(table.c.team_id == team_id, table.c.enterprise_id == team_id))
        )
        gone.add(table.name, _count(result))
    result = session.execute(delete(Workspace).where(Workspace.key == team_id))
    gone.add("workspaces", _count(result))
    return gone


def _goes_with_its_group(table: Table) -> bool:
    """Rows the database deletes with their group (group_id ... ON DELETE CASCADE)."""
    column = table.c.get("group_id")
    return column is not None and any(
        fk.column.table.name == "groups" and fk.ondelete == "CASCADE" for fk in column.foreign_keys
    )


def _cascade_counts(session: Session, parent: str, group_ids: list[int]) -> dict[str, int]:
    """Rows two steps down (votes and poll options under polls, alignments under kick-offs)."""
    tables = Base.metadata.tables
    parent_table = tables[parent]
    counts: dict[str, int] = {}
    parent_ids = select(parent_table.c.id).where(parent_table.c.group_id.in_(group_ids))
    for table in Base.metadata.sorted_tables:
        if "group_id" in table.c:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is parent_table:
                count = session.execute(
                    select(func.count()).select_from(table).where(fk.parent.in_(parent_ids))
                ).scalar_one()
                if count:
                    counts[table.name] = count
    return counts


def _count(result: object) -> int:
    return (result.rowcount or 0) if isinstance(result, CursorResult) else 0
