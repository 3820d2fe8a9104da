"""files.getUploadURLExternal / files.completeUploadExternal: Slack's current upload API.

The app asks for an upload URL, POSTs the bytes there (HttpServer's /upload/<id>), then
completes the upload, which shares the file in a channel or DM as a message with `files`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.devtools.fake_slack.args import SlackError, as_int, as_json
from bot.devtools.fake_slack.common import Context, Handler, find_channel, require_write
from bot.devtools.fake_slack.state import JsonDict, Message, Workspace


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str = ""
    channel: str | None = None
    completed: bool = False

    @property
    def text(self) -> str:
        return (self.content or b"").decode("utf-8")


def get_upload_url(ctx: Context, args: dict[str, Any]) -> JsonDict:
    length = as_int(args.get("length"), 0)
    if length <= 0:
        raise SlackError("invalid_length")
    ws = ctx.ws
    file_id = ws.next_id("F")
    ws.files[file_id] = UploadedFile(id=file_id, filename=str(args["filename"]), length=length)
    return {"ok": True, "upload_url": f"{ws.upload_base}/upload/{file_id}", "file_id": file_id}


def receive(ws: Workspace, file_id: str, content: bytes) -> bool:
    """The bytes POSTed to the upload URL; False if there is no such upload."""
    with ws.lock:
        upload = ws.files.get(file_id)
        if upload is None or upload.completed:
            return False
        upload.content = content
        return True


def complete_upload(ctx: Context, args: dict[str, Any]) -> JsonDict:
    ws = ctx.ws
    entries = as_json(args.get("files"), error="invalid_arguments")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments")
    channel = None
    if args.get("channel_id"):
        channel = find_channel(ctx, args["channel_id"])
        require_write(ctx, channel)
    shared: list[JsonDict] = []
    for entry in entries:
        upload = ws.files.get(str(entry.get("id")))
        if upload is None:
            raise SlackError("file_not_found")
        if upload.content is None:
            ctx.violate(f"files.completeUploadExternal: {upload.id} was never uploaded")
            raise SlackError("file_not_found")
        if len(upload.content) != upload.length:
            ctx.violate(
                f"files.completeUploadExternal: {upload.id} has {len(upload.content)} bytes, "
                f"getUploadURLExternal was told {upload.length}"
            )
        upload.completed = True
        upload.title = str(entry.get("title") or upload.filename)
        upload.channel = channel.id if channel else None
        shared.append({"id": upload.id, "title": upload.title, "name": upload.filename})
    if channel is not None:
        message = Message(
            ts=ws.next_ts(),
            channel=channel.id,
            user=ws.bot_user_id,
            text=str(args.get("initial_comment") or ""),
            blocks=[],
        )
        message.files = shared
        ws.messages.setdefault(channel.id, []).append(message)
    return {"ok": True, "files": shared}


HANDLERS: dict[str, Handler] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
