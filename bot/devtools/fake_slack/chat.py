"""chat.* and reactions.*: posting, editing and reacting, as the bot."""

from __future__ import annotations

from typing import Any

from bot.devtools.block_walk import with_ids
from bot.devtools.fake_slack.args import SlackError, as_bool, as_json, as_str
from bot.devtools.fake_slack.common import (
    Context,
    Handler,
    find_channel,
    post_target,
    require_read,
    require_write,
)
from bot.devtools.fake_slack.state import JsonDict, Message

MAX_TEXT = 40_000  # Slack truncates or refuses text longer than this


def _content(args: dict[str, Any], *, required: bool = True) -> tuple[str, list[JsonDict]]:
    text = as_str(args.get("text")) or as_str(args.get("markdown_text")) or ""
    blocks = args.get("blocks") or []
    if required and not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    return text, with_ids(blocks)


def _metadata(ctx: Context, method_name: str, args: dict[str, Any]) -> JsonDict | None:
    if args.get("metadata") in (None, ""):
        return None
    metadata = as_json(args["metadata"], error="invalid_metadata_format")
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        ctx.violate(f"{method_name}: metadata needs event_type (string) and event_payload (object)")
        raise SlackError("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


def _message_body(ctx: Context, message: Message) -> JsonDict:
    data = message.to_api(ctx.ws.team_id)
    data["bot_profile"] = {
        "id": ctx.ws.bot_id,
        "app_id": ctx.ws.app_id,
        "name": ctx.ws.users[ctx.ws.bot_user_id].name,
        "deleted": False,
    }
    return data


def chat_post_message(ctx: Context, args: dict[str, Any]) -> JsonDict:
    ws = ctx.ws
    channel = post_target(ctx, args["channel"])
    require_write(ctx, channel)
    text, blocks = _content(args)
    metadata = _metadata(ctx, "chat.postMessage", args)
    thread_ts = as_str(args.get("thread_ts")) or None
    if thread_ts is not None:
        parent = ws.find_message(channel.id, thread_ts)
        if parent is None:
            ctx.violate(f"chat.postMessage: thread_ts {thread_ts} is no message in {channel.id}")
        elif parent.is_reply:
            thread_ts = parent.thread_ts
    message = Message(
        ts=ws.next_ts(),
        channel=channel.id,
        user=ws.bot_user_id,
        text=text,
        blocks=blocks,
        thread_ts=thread_ts,
        metadata=metadata,
        bot_id=ws.bot_id,
        app_id=ws.app_id,
        reply_broadcast=bool(thread_ts) and as_bool(args.get("reply_broadcast")),
        unfurl_links=as_bool(args["unfurl_links"]) if "unfurl_links" in args else None,
        unfurl_media=as_bool(args["unfurl_media"]) if "unfurl_media" in args else None,
    )
    if thread_ts is None:
        ws.messages.setdefault(channel.id, []).append(message)
    else:
        ws.thread_of(channel.id, thread_ts).append(message)
        if message.reply_broadcast:
            ws.messages.setdefault(channel.id, []).append(message)
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "message": _message_body(ctx, message),
    }


def _own_message(ctx: Context, args: dict[str, Any], ts_arg: str, not_yours: str) -> Message:
    channel = find_channel(ctx, args["channel"])
    require_read(ctx, channel)
    message = ctx.ws.find_message(channel.id, str(args[ts_arg]))
    if message is None:
        raise SlackError("message_not_found")
    if message.user != ctx.ws.bot_user_id:
        raise SlackError(not_yours)
    return message


def chat_update(ctx: Context, args: dict[str, Any]) -> JsonDict:
    message = _own_message(ctx, args, "ts", "cant_update_message")
    if ctx.ws.channels[message.channel].is_archived:
        raise SlackError("is_archived")
    has_content = any(
        args.get(k) not in (None, "") for k in ("text", "markdown_text", "blocks", "attachments")
    )
    if not has_content and args.get("metadata") in (None, ""):
        raise SlackError("no_text")
    text, blocks = _content(args, required=False)
    metadata = _metadata(ctx, "chat.update", args)
    message.history.append(
        {
            "text": message.text,
            "blocks": message.blocks,
            "metadata": message.metadata,
            "edited_ts": ctx.ws.next_ts(),
        }
    )
    # docs.slack.dev chat.update: text without blocks removes the blocks; neither keeps them.
    if args.get("blocks") not in (None, ""):
        message.blocks = blocks
    elif args.get("text") not in (None, ""):
        message.blocks = []
    if has_content:
        message.text = text
    if metadata is not None:
        message.metadata = metadata
    message.edits += 1
    return {
        "ok": True,
        "channel": message.channel,
        "ts": message.ts,
        "text": message.text,
        "message": _message_body(ctx, message),
    }


def chat_delete(ctx: Context, args: dict[str, Any]) -> JsonDict:
    message = _own_message(ctx, args, "ts", "cant_delete_message")
    ws = ctx.ws
    top = ws.messages.get(message.channel, [])
    if message in top:
        top.remove(message)
    if message.thread_ts:
        thread = ws.replies.get((message.channel, message.thread_ts), [])
        if message in thread:
            thread.remove(message)
    return {"ok": True, "channel": message.channel, "ts": message.ts}


def chat_post_ephemeral(ctx: Context, args: dict[str, Any]) -> JsonDict:
    ws = ctx.ws
    channel = post_target(ctx, args["channel"])
    require_write(ctx, channel)
    user_id = str(args["user"])
    if user_id not in ws.users:
        raise SlackError("user_not_found")
    if user_id not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks = _content(args)
    message = Message(
        ts=ws.next_ts(),
        channel=channel.id,
        user=ws.bot_user_id,
        text=text,
        blocks=blocks,
        thread_ts=as_str(args.get("thread_ts")) or None,
        bot_id=ws.bot_id,
        app_id=ws.app_id,
        ephemeral_to=user_id,
    )
    ws.ephemerals.append(message)
    return {"ok": True, "message_ts": message.ts}


def chat_get_permalink(ctx: Context, args: dict[str, Any]) -> JsonDict:
    channel = find_channel(ctx, args["channel"])
    require_read(ctx, channel)
    message = ctx.ws.find_message(channel.id, str(args["message_ts"]))
    if message is None:
        raise SlackError("message_not_found")
    link = f"https://{ctx.ws.team_domain}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
    if message.is_reply:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"ok": True, "channel": channel.id, "permalink": link}


# --- reactions -------------------------------------------------------------------------


def _reaction_target(ctx: Context, args: dict[str, Any]) -> tuple[Message, str]:
    channel = find_channel(ctx, args["channel"])
    require_read(ctx, channel)
    message = ctx.ws.find_message(channel.id, str(args["timestamp"]))
    if message is None:
        raise SlackError("message_not_found")
    name = str(args["name"])
    if not name or ":" in name:
        raise SlackError("invalid_name")
    return message, name


def reactions_add(ctx: Context, args: dict[str, Any]) -> JsonDict:
    message, name = _reaction_target(ctx, args)
    users = message.reactions.setdefault(name, [])
    if ctx.ws.bot_user_id in users:
        raise SlackError("already_reacted")
    users.append(ctx.ws.bot_user_id)
    return {"ok": True}


def reactions_remove(ctx: Context, args: dict[str, Any]) -> JsonDict:
    message, name = _reaction_target(ctx, args)
    users = message.reactions.get(name, [])
    if ctx.ws.bot_user_id not in users:
        raise SlackError("no_reaction")
    users.remove(ctx.ws.bot_user_id)
    if not users:
        del message.reactions[name]
    return {"ok": True}


HANDLERS: dict[str, Handler] = {
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
}
