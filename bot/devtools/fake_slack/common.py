"""What every handler gets: the workspace, settings, and who may see which channel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.devtools.fake_slack.args import SlackError
from bot.devtools.fake_slack.state import Channel, JsonDict, Workspace


@dataclass
class Context:
    ws: Workspace
    trigger_ttl: float
    violate: Callable[[str], None]


Handler = Callable[[Context, dict[str, Any]], JsonDict]


def find_channel(ctx: Context, channel_id: Any) -> Channel:
    channel = ctx.ws.channels.get(str(channel_id))
    if channel is None:
        raise SlackError("channel_not_found")
    return channel


def post_target(ctx: Context, value: Any) -> Channel:
    """chat.postMessage takes a channel id, a channel name, or a user id (their DM with the app)."""
    target = str(value)
    ws = ctx.ws
    if target in ws.channels:
        return ws.channels[target]
    if target in ws.users:
        user = ws.users[target]
        if user.is_bot and user.id != ws.bot_user_id:
            raise SlackError("cannot_dm_bot")
        # Slack delivers to a deactivated user's DM without complaint (python-slack-sdk #1156).
        return ws.im_channel(target)
    name = target.removeprefix("#")
    for channel in ws.channels.values():
        if channel.name == name and not channel.is_im:
            return channel
    raise SlackError("channel_not_found")


def require_read(ctx: Context, channel: Channel) -> None:
    if channel.is_im:
        return
    if ctx.ws.bot_user_id not in channel.members:
        raise SlackError("channel_not_found" if channel.is_private else "not_in_channel")


def require_write(ctx: Context, channel: Channel) -> None:
    require_read(ctx, channel)
    if channel.is_archived:
        raise SlackError("is_archived")
