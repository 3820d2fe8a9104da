"""What happens when the app posts to a response_url Slack gave it.

Slack allows 5 posts per response_url within 30 minutes (docs.slack.dev/interactivity/
handling-user-interaction#message_responses). The reply is shown to the user who acted:
ephemeral by default, in the channel with response_type=in_channel, or in place of the
original message with replace_original / delete_original.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.devtools.block_walk import with_ids
from bot.devtools.blockkit import check_blocks
from bot.devtools.fake_slack.args import SlackError, as_bool
from bot.devtools.fake_slack.state import Message, Response, ResponseUrl, Workspace

MAX_USES = 5
LIFETIME_SECONDS = 30 * 60


def post(ws: Workspace, url_id: str, payload: Any, violate: Callable[[str], None]) -> None:
    with ws.lock:
        url = ws.response_urls.get(url_id)
        if url is None:
            violate(f"response_url {url_id}: not issued by this fake")
            raise SlackError("invalid_url")
        if time.time() - url.issued > LIFETIME_SECONDS:
            violate(f"response_url {url_id}: used after 30 minutes")
            raise SlackError("expired_url")
        url.uses += 1
        if url.uses > MAX_USES:
            violate(f"response_url {url_id}: used more than {MAX_USES} times")
            raise SlackError("used_url")
        if not isinstance(payload, dict):
            violate(f"response_url {url_id}: body is not a JSON object")
            raise SlackError("invalid_payload")
        blocks = payload.get("blocks") or []
        problems = check_blocks(blocks, "message") if blocks else []
        for problem in problems:
            violate(f"response_url: {problem}")
        if problems:
            raise SlackError("invalid_blocks")
        _apply(ws, url, payload, with_ids(blocks))


def _apply(ws: Workspace, url: ResponseUrl, payload: dict[str, Any], blocks: list[Any]) -> None:
    response = Response(
        user=url.user,
        channel=url.channel,
        text=str(payload.get("text") or ""),
        blocks=blocks,
        response_type=str(payload.get("response_type") or "ephemeral"),
        replace_original=as_bool(payload.get("replace_original")),
        delete_original=as_bool(payload.get("delete_original")),
    )
    ws.responses.append(response)
    original = _original(ws, url)
    if response.delete_original and original is not None:
        _remove(ws, original)
        return
    if response.replace_original and original is not None:
        original.history.append(
            {
                "text": original.text,
                "blocks": original.blocks,
                "metadata": original.metadata,
                "edited_ts": ws.next_ts(),
            }
        )
        original.text, original.blocks = response.text, blocks
        original.edits += 1
        return
    show(ws, response, thread_ts=str(payload["thread_ts"]) if payload.get("thread_ts") else None)


def show(ws: Workspace, response: Response, *, thread_ts: str | None = None) -> None:
    """Put a response where the user sees it: the channel (in_channel) or an ephemeral."""
    if response.channel is None:
        return
    message = Message(
        ts=ws.next_ts(),
        channel=response.channel,
        user=ws.bot_user_id,
        text=response.text,
        blocks=response.blocks,
        bot_id=ws.bot_id,
        app_id=ws.app_id,
        thread_ts=thread_ts,
    )
    if response.response_type == "in_channel":
        ws.messages.setdefault(response.channel, []).append(message)
    else:
        message.ephemeral_to = response.user
        ws.ephemerals.append(message)


def _original(ws: Workspace, url: ResponseUrl) -> Message | None:
    if url.message_ts is None or url.channel is None:
        return None
    if url.is_ephemeral:
        for message in ws.ephemerals:
            if message.ts == url.message_ts and message.channel == url.channel:
                return message
        return None
    return ws.find_message(url.channel, url.message_ts)


def _remove(ws: Workspace, message: Message) -> None:
    for bucket in (ws.ephemerals, ws.messages.get(message.channel, [])):
        if message in bucket:
            bucket.remove(message)
    if message.thread_ts:
        thread = ws.replies.get((message.channel, message.thread_ts), [])
        if message in thread:
            thread.remove(message)
