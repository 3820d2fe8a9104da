"""The fake workspace: users, channels, messages, views, and what was called.

Plain data. `Workspace` holds it behind one lock; the handlers in methods.py change it.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.devtools.block_walk import shown, visible_text

JsonDict = dict[str, Any]


@dataclass
class User:
    id: str
    name: str
    real_name: str
    tz: str = "UTC"
    tz_label: str | None = None
    email: str | None = None
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False

    def to_api(self, team_id: str, now: float) -> JsonDict:
        zone = ZoneInfo(self.tz)
        local = datetime.fromtimestamp(now, zone)
        offset = local.utcoffset()
        profile: JsonDict = {
            "real_name": self.real_name,
            "display_name": self.name,
            "real_name_normalized": self.real_name,
            "display_name_normalized": self.name,
            "team": team_id,
            "image_48": f"https://avatars.invalid/{self.id}_48.png",
        }
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            # Slack gives a long name ("Central European Summer Time"); zoneinfo has only the
            # abbreviation, so that is what the fake says unless the test set a label.
            "tz_label": self.tz_label or local.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "is_admin": self.is_admin,
            "is_owner": False,
            "updated": int(now),
            "profile": profile,
        }


@dataclass
class Channel:
    id: str
    name: str
    members: set[str] = field(default_factory=set)
    is_private: bool = False
    is_archived: bool = False
    im_user: str | None = None  # set for a DM between the bot and this user
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def is_im(self) -> bool:
        return self.im_user is not None

    @property
    def channel_type(self) -> str:
        """As in message events: channel, group (private) or im."""
        if self.is_im:
            return "im"
        return "group" if self.is_private else "channel"

    def to_api(self, bot_user_id: str, *, num_members: bool = False) -> JsonDict:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        info: JsonDict = {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": bot_user_id in self.members,
            "created": self.created,
            "creator": "",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if num_members:
            info["num_members"] = len(self.members)
        return info


@dataclass
class Message:
    """A message as people see it. `user` is the author (the bot's user id for bot posts)."""

    ts: str
    channel: str
    user: str
    text: str = ""
    blocks: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None
    metadata: JsonDict | None = None
    edits: int = 0
    bot_id: str | None = None
    app_id: str | None = None
    reply_broadcast: bool = False
    unfurl_links: bool | None = None
    unfurl_media: bool | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    history: list[JsonDict] = field(default_factory=list)  # earlier versions, oldest first
    ephemeral_to: str | None = None  # the only user who sees it
    files: list[JsonDict] = field(default_factory=list)  # files shared with the message

    @property
    def plain(self) -> str:
        """Everything a person can read in it, top-level text and block text, one string."""
        return "\n".join(p for p in (shown(self.text), visible_text(self.blocks)) if p)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self, team_id: str, *, include_metadata: bool = True) -> JsonDict:
        data: JsonDict = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
        if self.bot_id:
            data |= {"bot_id": self.bot_id, "app_id": self.app_id}
        data["team"] = team_id
        if self.blocks:
            data["blocks"] = self.blocks
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if self.reply_broadcast:
            data["subtype"] = "thread_broadcast"
        if self.edits and self.history and self.history[-1].get("text") != self.text:
            data["edited"] = {"user": self.user, "ts": self.history[-1]["edited_ts"]}
        if self.reactions:
            data["reactions"] = [
                {"name": name, "users": users, "count": len(users)}
                for name, users in self.reactions.items()
            ]
        if include_metadata and self.metadata is not None:
            data["metadata"] = self.metadata
        return data


@dataclass
class OpenedView:
    """A modal (or Home tab) as the user sees it now; views.update changes it in place."""

    id: str
    user: str | None
    payload: JsonDict
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    is_open: bool = True
    updates: int = 0

    @property
    def type(self) -> str:
        return str(self.payload.get("type", "modal"))

    @property
    def callback_id(self) -> str:
        return str(self.payload.get("callback_id") or "")

    @property
    def external_id(self) -> str:
        return str(self.payload.get("external_id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.payload.get("private_metadata") or "")

    @property
    def blocks(self) -> list[JsonDict]:
        return list(self.payload.get("blocks") or [])

    @property
    def title(self) -> str:
        title = self.payload.get("title") or {}
        return str(title.get("text", "")) if isinstance(title, dict) else str(title)

    @property
    def plain(self) -> str:
        return "\n".join(p for p in (self.title, visible_text(self.blocks)) if p)

    def to_api(self, *, team_id: str, app_id: str, bot_id: str) -> JsonDict:
        return {
            "id": self.id,
            "team_id": team_id,
            "type": self.type,
            "title": self.payload.get("title"),
            "submit": self.payload.get("submit"),
            "close": self.payload.get("close"),
            "blocks": self.blocks,
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
            "external_id": self.external_id,
            "state": {"values": {}},
            "hash": self.hash,
            "clear_on_close": bool(self.payload.get("clear_on_close", False)),
            "notify_on_close": bool(self.payload.get("notify_on_close", False)),
            "root_view_id": self.root_view_id,
            "previous_view_id": self.previous_view_id,
            "app_id": app_id,
            "app_installed_team_id": team_id,
            "bot_id": bot_id,
        }


@dataclass
class Response:
    """Something posted to a response_url (or a slash command's ack body): what `user` saw."""

    user: str
    channel: str | None
    text: str
    blocks: list[JsonDict]
    response_type: str  # "ephemeral" or "in_channel"
    replace_original: bool = False
    delete_original: bool = False
    via: str = "response_url"  # or "ack"

    @property
    def plain(self) -> str:
        return "\n".join(p for p in (shown(self.text), visible_text(self.blocks)) if p)


@dataclass(frozen=True)
class Call:
    method: str
    args: JsonDict
    at: float
    status: int
    response: JsonDict
    team: str | None = None  # the workspace (or org) whose token made the call


@dataclass
class Trigger:
    id: str
    user: str | None
    issued: float  # time.monotonic()
    used: bool = False


@dataclass
class ResponseUrl:
    id: str
    user: str
    channel: str | None
    message_ts: str | None
    is_ephemeral: bool
    issued: float  # time.time(): Slack's 30-minute window is wall-clock
    uses: int = 0


class Workspace:
    """All the fake's state. Take `lock` around anything that reads then writes."""

    def __init__(
        self, *, team_id: str, team_domain: str, bot_user_id: str, bot_id: str, app_id: str
    ) -> None:
        self.lock = threading.RLock()
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[Message]] = {}  # channel -> top level, oldest first
        self.replies: dict[tuple[str, str], list[Message]] = {}  # (channel, parent ts)
        self.ephemerals: list[Message] = []
        self.views: dict[str, OpenedView] = {}  # id -> view, in opening order
        self.homes: dict[str, OpenedView] = {}
        self.responses: list[Response] = []
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.files: dict[str, Any] = {}  # file id -> files.UploadedFile
        self.upload_base = ""  # where upload URLs point (the fake's own address)
        self._ims: dict[str, str] = {}  # user -> their DM's channel id (thousands in benchmarks)
        self._last_ts = 0.0
        self._ids = itertools.count(1)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def next_ts(self) -> str:
        """A message ts from time.time() (so time-machine moves it), unique and increasing."""
        with self.lock:
            now = round(time.time(), 6)
            self._last_ts = max(now, round(self._last_ts + 0.000001, 6))
            return f"{self._last_ts:.6f}"

    def existing_im(self, user_id: str) -> Channel | None:
        with self.lock:
            channel_id = self._ims.get(user_id)
            return self.channels.get(channel_id) if channel_id else None

    def im_channel(self, user_id: str) -> Channel:
        """The user's DM with the app, opened now if it was not."""
        with self.lock:
            channel = self.existing_im(user_id)
            if channel is None:
                channel = Channel(
                    id=self.next_id("D"),
                    name=user_id,
                    members={user_id, self.bot_user_id},
                    im_user=user_id,
                )
                self.channels[channel.id] = channel
                self.messages[channel.id] = []
                self._ims[user_id] = channel.id
            return channel

    def find_message(self, channel_id: str, ts: str) -> Message | None:
        for message in self.messages.get(channel_id, []):
            if message.ts == ts:
                return message
        for (channel, _parent), replies in self.replies.items():
            if channel == channel_id:
                for message in replies:
                    if message.ts == ts:
                        return message
        return None

    def thread_of(self, channel_id: str, ts: str) -> list[Message]:
        return self.replies.setdefault((channel_id, ts), [])
