"""Material members share in a week's thread: the links are kept as the group's resources."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.inserts import insert_if_absent
from bot.store.models import Group, Resource
from bot.store.models.topics import URL_MAX

log = logging.getLogger(__name__)


# Slack sends links in message text as <https://example.com> or <https://example.com|label>.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_BARE_LINK = re.compile(r"(?<![<|])\bhttps?://[^\s<>|]+")


def links_in(text: str) -> list[str]:
    found = _SLACK_LINK.findall(text) + _BARE_LINK.findall(_SLACK_LINK.sub(" ", text))
    return list(dict.fromkeys(url.rstrip(".,);") for url in found))


def keep_links(
    session: Session, *, group: Group, week: int | None, user_id: str, text: str, message_ts: str
) -> list[str]:
    """Store the message's links once each (a re-delivered event, or the same link shared
    twice at once, adds nothing). A link too long to keep is left out, not the message."""
    added = []
    for url in links_in(text):
        if len(url) > URL_MAX:
            log.info("left out a %d-character link shared in group %s", len(url), group.id)
            continue
        values = {
            "group_id": group.id,
            "week": week,
            "url": url,
            "shared_by": user_id,
            "message_ts": message_ts,
        }
        if insert_if_absent(session, Resource, values, unique=["group_id", "url"]):
            added.append(url)
    return added


def for_group(session: Session, group_id: int, week: int | None = None) -> list[Resource]:
    query = select(Resource).where(Resource.group_id == group_id)
    if week is not None:
        query = query.where(Resource.week == week)
    return list(session.scalars(query.order_by(Resource.created_at, Resource.id)))
