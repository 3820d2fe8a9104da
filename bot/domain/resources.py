"""Material members share in a week's thread: the links are kept as the group's resources."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Group, Resource

# Slack sends links in message text as <https://example.com> or <https://example.com|label>.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_BARE_LINK = re.compile(r"(?<![<|])\bhttps?://[^\s<>|]+")


def links_in(text: str) -> list[str]:
    found = _SLACK_LINK.findall(text) + _BARE_LINK.findall(_SLACK_LINK.sub(" ", text))
    return list(dict.fromkeys(url.rstrip(".,);") for url in found))


def keep_links(
    session: Session, *, group: Group, week: int | None, user_id: str, text: str, message_ts: str
) -> list[Resource]:
    """Store the message's links once each (a re-delivered event adds nothing)."""
    urls = links_in(text)
    if not urls:
        return []
    known = set(
        session.scalars(
            select(Resource.url).where(Resource.group_id == group.id, Resource.url.in_(urls))
        )
    )
    added = [
        Resource(group_id=group.id, week=week, url=url, shared_by=user_id, message_ts=message_ts)
        for url in urls
        if url not in known
    ]
    session.add_all(added)
    session.flush()
    return added


def for_group(session: Session, group_id: int, week: int | None = None) -> list[Resource]:
    query = select(Resource).where(Resource.group_id == group_id)
    if week is not None:
        query = query.where(Resource.week == week)
    return list(session.scalars(query.order_by(Resource.created_at, Resource.id)))
