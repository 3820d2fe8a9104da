"""auth.test, users.info and conversations.*: who is who, and what a channel holds."""

from __future__ import annotations

import base64
import time
from typing import Any

from bot.devtools.fake_slack.args import SlackError, as_bool, as_int, ts_value
from bot.devtools.fake_slack.common import Context, Handler, find_channel, require_read
from bot.devtools.fake_slack.state import JsonDict, Message


def auth_test(ctx: Context, args: dict[str, Any]) -> JsonDict:
    ws = ctx.ws
    bot = ws.users[ws.bot_user_id]
    return {
        "ok": True,
        "url": f"https://{ws.team_domain}.slack.com/",
        "team": ws.team_domain,
        "user": bot.name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def users_info(ctx: Context, args: dict[str, Any]) -> JsonDict:
    user = ctx.ws.users.get(str(args["user"]))
    if user is None:
        raise SlackError("user_not_found")
    return {"ok": True, "user": user.to_api(ctx.ws.team_id, time.time())}


def conversations_info(ctx: Context, args: dict[str, Any]) -> JsonDict:
    channel = find_channel(ctx, args["channel"])
    if channel.is_private and ctx.ws.bot_user_id not in channel.members:
        raise SlackError("channel_not_found")
    num = as_bool(args.get("include_num_members"))
    return {"ok": True, "channel": channel.to_api(ctx.ws.bot_user_id, num_members=num)}


def conversations_open(ctx: Context, args: dict[str, Any]) -> JsonDict:
    ws = ctx.ws
    if args.get("channel"):
        channel = find_channel(ctx, args["channel"])
        if not channel.is_im:
            raise SlackError("method_not_supported_for_channel_type")
        return {"ok": True, "channel": {"id": channel.id}}
    user_ids = [u.strip() for u in str(args.get("users", "")).split(",") if u.strip()]
    if not user_ids:
        raise SlackError("users_list_not_supplied")
    if len(user_ids) > 1:
        ctx.violate("conversations.open: the fake has no group DMs (mpim)")
        raise SlackError("method_not_supported_for_channel_type")
    user = ws.users.get(user_ids[0])
    if user is None:
        raise SlackError("user_not_found")
    if user.deleted:
        raise SlackError("user_disabled")
    existing = ws.existing_im(user.id)
    channel = ws.im_channel(user.id)
    body: JsonDict = {"ok": True}
    if existing is not None:
        body |= {"no_op": True, "already_open": True}
    if as_bool(args.get("return_im")):
        body["channel"] = channel.to_api(ws.bot_user_id)
    else:
        body["channel"] = {"id": channel.id}
    return body


def conversations_join(ctx: Context, args: dict[str, Any]) -> JsonDict:
    channel = find_channel(ctx, args["channel"])
    if channel.is_im or channel.is_private:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    body: JsonDict = {"ok": True}
    if ctx.ws.bot_user_id in channel.members:
        body |= {
            "warning": "already_in_channel",
            "response_metadata": {"warnings": ["already_in_channel"]},
        }
    channel.members.add(ctx.ws.bot_user_id)
    body["channel"] = channel.to_api(ctx.ws.bot_user_id)
    return body


def conversations_members(ctx: Context, args: dict[str, Any]) -> JsonDict:
    channel = find_channel(ctx, args["channel"])
    require_read(ctx, channel)
    return {
        "ok": True,
        "members": sorted(channel.members),
        "response_metadata": {"next_cursor": ""},
    }


def _encode_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _decode_cursor(cursor: Any) -> str | None:
    if not cursor:
        return None
    try:
        text = base64.b64decode(str(cursor)).decode()
    except ValueError as exc:
        raise SlackError("invalid_cursor") from exc
    if not text.startswith("next_ts:"):
        raise SlackError("invalid_cursor")
    return text.removeprefix("next_ts:")


def _in_window(messages: list[Message], args: dict[str, Any]) -> list[Message]:
    oldest = ts_value(args.get("oldest") or 0, error="invalid_ts_oldest")
    latest = ts_value(args.get("latest") or time.time() + 1e6, error="invalid_ts_latest")
    inclusive = as_bool(args.get("inclusive"))

    def keep(message: Message) -> bool:
        ts = float(message.ts)
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    return [m for m in messages if keep(m)]


def _page(
    messages: list[Message], args: dict[str, Any], *, newest_first: bool, default_limit: int
) -> tuple[list[Message], str]:
    start = _decode_cursor(args.get("cursor"))
    if start is not None:
        if newest_first:
            messages = [m for m in messages if float(m.ts) <= float(start)]
        else:
            messages = [m for m in messages if float(m.ts) >= float(start)]
    limit = min(max(as_int(args.get("limit"), default_limit), 1), 999)
    page, rest = messages[:limit], messages[limit:]
    return page, _encode_cursor(rest[0].ts) if rest else ""


def _message_api(ctx: Context, message: Message, *, metadata: bool) -> JsonDict:
    data = message.to_api(ctx.ws.team_id, include_metadata=metadata)
    replies = ctx.ws.replies.get((message.channel, message.ts))
    if replies and not message.is_reply:
        data |= {
            "thread_ts": message.ts,
            "reply_count": len(replies),
            "reply_users": sorted({r.user for r in replies}),
            "reply_users_count": len({r.user for r in replies}),
            "latest_reply": replies[-1].ts,
        }
    return data


def conversations_history(ctx: Context, args: dict[str, Any]) -> JsonDict:
    channel = find_channel(ctx, args["channel"])
    require_read(ctx, channel)
    newest_first = list(reversed(_in_window(ctx.ws.messages.get(channel.id, []), args)))
    page, next_cursor = _page(newest_first, args, newest_first=True, default_limit=100)
    metadata = as_bool(args.get("include_all_metadata"))
    body: JsonDict = {
        "ok": True,
        "messages": [_message_api(ctx, m, metadata=metadata) for m in page],
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "channel_actions_ts": None,
        "channel_actions_count": 0,
    }
    if next_cursor:
        body["response_metadata"] = {"next_cursor": next_cursor}
    return body


def conversations_replies(ctx: Context, args: dict[str, Any]) -> JsonDict:
    channel = find_channel(ctx, args["channel"])
    require_read(ctx, channel)
    parent = ctx.ws.find_message(channel.id, str(args["ts"]))
    if parent is None:
        raise SlackError("thread_not_found")
    if parent.is_reply:
        parent = ctx.ws.find_message(channel.id, str(parent.thread_ts)) or parent
    thread = [parent, *ctx.ws.replies.get((channel.id, parent.ts), [])]
    page, next_cursor = _page(
        _in_window(thread, args), args, newest_first=False, default_limit=1000
    )
    metadata = as_bool(args.get("include_all_metadata"))
    body: JsonDict = {
        "ok": True,
        "messages": [_message_api(ctx, m, metadata=metadata) for m in page],
        "has_more": bool(next_cursor),
    }
    if next_cursor:
        body["response_metadata"] = {"next_cursor": next_cursor}
    return body


HANDLERS: dict[str, Handler] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "conversations.info": conversations_info,
    "conversations.open": conversations_open,
    "conversations.join": conversations_join,
    "conversations.members": conversations_members,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
}
