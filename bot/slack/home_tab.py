"""Building and publishing a person's Home tab: from a listener (they opened it, or did
something it shows) and from the scheduler (something it shows changed for them)."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.domain import home, interest, program
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.render import board as board_render
from bot.slack.render import home as render
from bot.slack.render import program as program_render
from bot.store import Store
from bot.store.types import utcnow

log = logging.getLogger(__name__)

HOME_BOARD = 5  # the most wanted topics shown in Home; `/p2p want` shows the whole board
# The scheduler republishes many people's Home at once (a busy minute): who they are (time
# zone, admin) is asked of Slack at most this often per person, as users.info is Tier 4.
KNOWN_FOR_SECONDS = 600.0
_known: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}


def who(gateway: Gateway, user_id: str) -> dict[str, Any] | None:
    """The person as Slack knows them; None if Slack can't say now (they are then treated as
    no admin: a named program owner still gets in)."""
    try:
        return gateway.user_info(user_id)
    except SlackCallFailed:
        return None


def is_admin(info: dict[str, Any] | None) -> bool:
    info = info or {}
    return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))


def _who_recently(gateway: Gateway, team_id: str, user_id: str) -> dict[str, Any] | None:
    known = _known.get((team_id, user_id))
    if known is not None and time.monotonic() - known[0] < KNOWN_FOR_SECONDS:
        return known[1]
    info = who(gateway, user_id)
    if len(_known) > 50_000:  # a long-running process: start over rather than grow
        _known.clear()
    _known[(team_id, user_id)] = (time.monotonic(), info)
    return info


def publish(
    store: Store,
    client: WebClient | Gateway,
    team_id: str,
    user_id: str,
    *,
    recently_known: bool = False,
) -> None:
    """Build the person's Home tab from the database and publish it. A failure is logged:
    the tab keeps its previous look until the next time. A listener passes its request's
    client; the scheduler its gateway (which picks the workspace's token) and
    `recently_known`: who the person is may come from the last few minutes."""
    gateway = client if isinstance(client, Gateway) else Gateway(client)
    info = _who_recently(gateway, team_id, user_id) if recently_known else who(gateway, user_id)
    timezone = (info or {}).get("tz") or "UTC"
    now = utcnow()
    with store.transaction() as session:
        data = home.home_for(session, team_id=team_id, user_id=user_id, timezone=timezone, now=now)
        owner = program.is_owner(session, team_id=team_id, user_id=user_id, is_admin=is_admin(info))
        stats = program.stats(session, team_id=team_id, now=now) if owner else None
        wanted = interest.board(session, team_id=team_id, user_id=user_id, limit=HOME_BOARD)
    links: dict[tuple[int, str, int], str] = {}
    for mine in data.mine:
        for waiting in mine.waiting:
            if waiting.channel_id and waiting.message_ts:
                link = gateway.permalink(waiting.channel_id, waiting.message_ts)
                if link:
                    links[(mine.group.id, waiting.kind, waiting.week)] = link
    sections: list[list[Block]] = [
        render.your_groups(data, links),
        render.open_groups(data),
        render.start_section(),
        board_render.home_section(wanted),
    ]
    if stats is not None:
        sections.append(program_render.program_blocks(stats))
    try:
        gateway.publish_home(user_id, render.home_view(sections))
    except SlackCallFailed as failed:
        log.warning("could not publish the Home tab of %s: %s", user_id, failed.error)


def republish_for(store: Store, gateway: Gateway, team_id: str, user_ids: list[str]) -> None:
    """The scheduler changed what these people's Home shows (a check-in opened, a vote, the
    attendance check): republish it for those who have opened it before. Never raises."""
    try:
        with store.transaction() as session:
            viewers = home.home_viewers(session, team_id=team_id, user_ids=user_ids)
        for user_id in viewers:
            publish(store, gateway, team_id, user_id, recently_known=True)
    except Exception:
        log.exception("could not republish Home tabs in %s", team_id)
