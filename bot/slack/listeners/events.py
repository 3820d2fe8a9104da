"""Messages people post that the bot keeps:

- links in a week's thread become the group's material;
- a reply to the check-in DM is kept as the member's check-in (people answer in chat);
- replies in the retro thread are kept with the group's retro.

Each is stored before Slack is answered (a message the database could not take is
delivered again by Slack), and once: a re-delivery changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import checkins, resources, retro
from bot.domain.errors import DomainError
from bot.schedule import ledger
from bot.schedule.due import Kind
from bot.slack.context import deps, team
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.incoming import plain
from bot.slack.render import checkins as checkins_render
from bot.slack.render.message import Message
from bot.store.engine import is_unavailable
from bot.store.inserts import insert_if_absent
from bot.store.models import Group, SlackEvent, Week
from bot.store.types import utcnow

log = logging.getLogger(__name__)

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join"}


# Slack retries a delivery we did not answer with 2xx at once, after 1 and after 5 minutes.
LAST_RETRY = 3
NOT_KEPT = (
    "I couldn't save your message just now (my database is unreachable), so it did not "
    "count. Please send it again in a few minutes."
)


@dataclass(frozen=True)
class Confirmation:
    channel: str
    thread_ts: str
    message: Message


def register(app: App) -> None:
    app.event("message", middleware=[store_before_answering])(confirm)


def store_before_answering(
    body: dict[str, Any], context: BoltContext, request: BoltRequest, next: Callable[[], None]
) -> BoltResponse | None:
    """Slack hears "received" only once the message is stored. When the database cannot
    take it, the answer is 503 and Slack delivers it again — Slack's queue is the inbox —
    and the person is told, on the last delivery, that it did not count."""
    event = body.get("event") or {}
    if event.get("subtype") in IGNORED_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return BoltResponse(status=200, body="")
    if not _well_formed(event):
        log.warning("ignored a message event without its usual fields: %s", sorted(event)[:12])
        return BoltResponse(status=200, body="")
    event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
    try:
        if event.get("channel_type") == "im":
            context["p2p_confirmation"] = _dm_reply(event, event_id, context)
        elif event.get("thread_ts") and event.get("channel_type") in {"channel", "group"}:
            _thread_reply(event, event_id, context)
    except Exception as error:
        if not is_unavailable(error):
            raise
        retry = int((request.headers.get("x-slack-retry-num") or ["0"])[0] or 0)
        log.warning("could not store event %s (delivery %d): %s", event_id, retry + 1, error)
        if retry >= LAST_RETRY:
            _tell_not_kept(context.client, event)
        return BoltResponse(status=503, body="")
    next()
    return None


def _well_formed(event: dict[str, Any]) -> bool:
    """A message as Slack sends it: who, where and when as strings; text and thread if any."""
    required = all(isinstance(event.get(k), str) and event[k] for k in ("user", "channel", "ts"))
    optional = all(isinstance(event.get(k), str | None) for k in ("text", "thread_ts"))
    return required and optional


def confirm(context: BoltContext, client: WebClient) -> None:
    """After Slack has its answer: tell the person their check-in reply was saved."""
    confirmation: Confirmation | None = context.get("p2p_confirmation")
    if confirmation is None:
        return
    try:
        Gateway(client).post(
            confirmation.channel, confirmation.message, thread_ts=confirmation.thread_ts
        )
    except SlackCallFailed:
        log.warning("could not confirm a check-in reply in %s", confirmation.channel)


def _tell_not_kept(client: WebClient | None, event: dict[str, Any]) -> None:
    if client is None:
        return
    gateway = Gateway(client)
    try:
        if event.get("channel_type") == "im":
            gateway.post(event["channel"], Message(text=NOT_KEPT), thread_ts=event["ts"])
        else:
            gateway.ephemeral(event["channel"], event["user"], Message(text=NOT_KEPT))
    except SlackCallFailed:
        log.warning("could not tell %s their message was not kept", event.get("user"))


def _first_delivery(session: Session, event_id: str) -> bool:
    """Claimed in the same transaction as the event's effects: a retry of an event that was
    handled finds the claim; a retry of one that failed midway finds nothing and goes on."""
    return insert_if_absent(
        session, SlackEvent, {"event_id": event_id, "received_at": utcnow()}, unique=["event_id"]
    )


def _thread_reply(event: dict[str, Any], event_id: str, context: BoltContext) -> None:
    thread_ts = event["thread_ts"]
    with deps(context).store.transaction() as session:
        # Any prompt the bot posted for a week counts (a skipped week was prompted twice).
        sent = ledger.sent_at_ts(session, channel_id=event["channel"], ts=thread_ts)
        if sent is not None and sent.kind == Kind.PROMPT.value and sent.group_id:
            group = session.get(Group, sent.group_id)
        else:
            group = session.scalars(
                select(Group).where(
                    Group.channel_id == event["channel"], Group.retro_ts == thread_ts
                )
            ).first()
        if group is None or group.team_id != team(context):
            return
        if not _first_delivery(session, event_id):
            return
        text = plain(event.get("text") or "")
        if sent is not None and sent.week is not None:
            resources.keep_links(
                session,
                group=group,
                week=sent.week,
                user_id=event["user"],
                text=text,
                message_ts=event["ts"],
            )
        if group.retro_ts == thread_ts:
            retro.keep_reply(
                session, group=group, user_id=event["user"], text=text, message_ts=event["ts"]
            )


def _dm_reply(event: dict[str, Any], event_id: str, context: BoltContext) -> Confirmation | None:
    user, text = event["user"], plain(event.get("text") or "").strip()
    if not text:
        return None
    now = utcnow()
    with deps(context).store.transaction() as session:
        if not _first_delivery(session, event_id):
            return None
        try:
            answering = _checkin_answered(session, team(context), user, event, now)
            if answering is None:
                return None  # a reply under another DM (a catch-up, a digest): not a check-in
            group, week = answering
            checkins.add_reply(
                session, group=group, week=week.number, user_id=user, text=text, now=now
            )
            reply = checkins_render.reply_saved(group, week)
        except NoOpenCheckIn:
            reply = Message(text=checkins_render.NO_OPEN_CHECKIN)
        except DomainError as error:
            reply = Message(text=error.message)
    return Confirmation(event["channel"], event.get("thread_ts") or event["ts"], reply)


class NoOpenCheckIn(DomainError):
    def __init__(self) -> None:
        super().__init__(checkins_render.NO_OPEN_CHECKIN)


def _checkin_answered(
    session: Session, team_id: str, user: str, event: dict[str, Any], now: datetime
) -> tuple[Group, Week] | None:
    """Which check-in a DM answers: the one it replies to in a thread, or — written
    straight into the DM — the latest still open. None: the reply is to another DM."""
    thread_ts = event.get("thread_ts")
    if thread_ts:
        sent = ledger.sent_at_ts(session, channel_id=event["channel"], ts=thread_ts)
        if sent is None or sent.kind not in CHECKIN_KINDS or sent.week is None:
            return None
        group = session.get(Group, sent.group_id)
        week = group.week(sent.week) if group and group.team_id == team_id else None
        if group is None or week is None:
            return None
        return group, week
    windows = checkins.open_windows(session, team_id=team_id, user_id=user, now=now)
    if not windows:
        raise NoOpenCheckIn()
    return windows[0]


CHECKIN_KINDS = {Kind.CHECKIN.value, Kind.CHECKIN_REMINDER.value}
