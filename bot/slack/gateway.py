"""Every call the bot makes to Slack goes through here: one place that knows Slack's errors.

The WebClient retries a call whose connection broke — except a post: Slack may have taken
it before the line went dead, and a blind retry would post it twice. Such a call raises
OutcomeUnknown, and the caller looks for the post before sending it again. Work done for a
workspace waits its turn in that workspace's rate budget (`bot/slack/ratelimit.py`), and a
`429` pauses the budget for Retry-After before the call is tried again. What is left when a
call fails is mapped to an exception that says what happened in our terms, and logged with
the context needed to act on it.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any, Protocol
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.models.views import View

from bot import clock
from bot.slack.ratelimit import Budgets, budgets_for
from bot.slack.render.message import Message

log = logging.getLogger(__name__)

CHANNEL_GONE = {"not_in_channel", "channel_not_found", "is_archived", "team_access_not_granted"}
USER_GONE = {
    "user_not_found",
    "user_disabled",
    "account_inactive",
    "cannot_dm_bot",
    "user_not_visible",
}
# Slack will never take this message as it is: retrying cannot help.
REFUSED = {
    "invalid_blocks",
    "invalid_blocks_format",
    "invalid_arguments",
    "invalid_attachments",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "metadata_too_large",
    "msg_too_long",
    "no_text",
    "too_many_attachments",
}
# Calls that change something each time: never repeated blindly.
NOT_IDEMPOTENT = {"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage"}
MESSAGE_GONE = {"message_not_found", "cant_update_message", "thread_not_found"}
VIEW_GONE = {"expired_trigger_id", "invalid_trigger_id", "trigger_exchanged", "not_found"}
# Tries after a 429: a person's request gives up soon; scheduled work is patient, since the
# workspace's budget spaces its calls out anyway.
RATE_LIMITED_RETRIES = 3
RATE_LIMITED_RETRIES_SCHEDULED = 20


FIND_PAGES = 20  # of 200 messages
# Our posts carry {event_type: POST_TAG, event_payload: {key}} so one whose outcome we never
# learnt can be found before it is sent again.
POST_TAG = "p2p_post"
FIND_MARGIN = timedelta(minutes=2)  # clocks differ; a post may land just before its claim

_acting_for: ContextVar[str | None] = ContextVar("p2p_acting_for_team", default=None)
_acting_org: ContextVar[str | None] = ContextVar("p2p_acting_for_enterprise", default=None)


@contextmanager
def acting_for(team_id: str, enterprise_id: str | None = None) -> Iterator[None]:
    """Work done outside a request (the scheduler) names the workspace it is done for, so
    every call inside is made for that workspace (its token, its rate budget). Under
    Enterprise Grid the org is named too: an org-wide install serves its workspaces."""
    reset = _acting_for.set(team_id)
    reset_org = _acting_org.set(enterprise_id)
    try:
        yield
    finally:
        _acting_org.reset(reset_org)
        _acting_for.reset(reset)


def acting_team() -> str | None:
    return _acting_for.get()


def acting_enterprise() -> str | None:
    return _acting_org.get()


class TokenSource(Protocol):
    """Which token acts for a workspace (bot/slack/tenants.py `Tokens`); None: not installed."""

    def token_for(self, team_id: str, enterprise_id: str | None = None) -> str | None: ...


class SlackCallFailed(Exception):
    def __init__(self, method: str, error: str, **context: Any) -> None:
        detail = " ".join(f"{k}={v}" for k, v in context.items() if v is not None)
        super().__init__(f"{method} failed: {error} {detail}".strip())
        self.method = method
        self.error = error
        self.context = context


class ChannelUnavailable(SlackCallFailed):
    """The bot is not in the channel (removed, never invited) or it is archived."""


class UserUnavailable(SlackCallFailed):
    """The person is deactivated, gone, or cannot be messaged."""


class Refused(SlackCallFailed):
    """Slack will not take this message as it is (e.g. invalid_blocks): a bug to fix."""


class SlackUnreachable(SlackCallFailed):
    """The connection failed or timed out before Slack answered."""


class OutcomeUnknown(SlackUnreachable):
    """A post whose connection broke after it was sent: Slack may or may not have it."""


class MessageUnavailable(SlackCallFailed):
    """The message to update was deleted."""


class ViewUnavailable(SlackCallFailed):
    """The modal could not open: the trigger expired (over 3 s) or was used."""


def tagged(key: str) -> dict[str, Any]:
    """The metadata that lets `Gateway.find_posted` find a post by its key."""
    return {"event_type": POST_TAG, "event_payload": {"key": key}}


def is_person(target: str) -> bool:
    """A user id (U…, or W… on Enterprise Grid) posts to that person's DM with the app."""
    return target.startswith(("U", "W"))


def make_client(token: str | None, base_url: str) -> WebClient:
    """429s are not retried here but in `Gateway`, which pauses the workspace's budget."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[SafeConnectionRetry(max_retry_count=2)],
    )


class SafeConnectionRetry(ConnectionErrorRetryHandler):
    """Retries a broken connection only when repeating the call cannot do it twice: the
    call is idempotent, or the connection was refused before anything was sent."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        method = request.url.rstrip("/").rsplit("/", 1)[-1]
        return method not in NOT_IDEMPOTENT or _never_sent(error)


def _never_sent(error: BaseException | None) -> bool:
    return isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError)


class NotInstalled(SlackCallFailed):
    """The workspace acted for has no installation (uninstalled, or tokens revoked)."""


class Gateway:
    """`tokens`: with many workspaces (OAuth), the token for the workspace acted for
    (`acting_for`) is chosen here at each call; without, the client's own token is used
    (one workspace, or a request whose client Bolt gave the installation's token)."""

    def __init__(
        self,
        client: WebClient,
        budgets: Budgets | None = None,
        *,
        tokens: TokenSource | None = None,
    ) -> None:
        self.client = client
        self.budgets = budgets or budgets_for(client)
        self.tokens = tokens

    def post(
        self,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        broadcast: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Post and return (channel id, ts). A user id as channel posts to the app's DM."""
        extra: dict[str, Any] = {}
        if thread_ts:
            extra["thread_ts"] = thread_ts
            if broadcast:
                extra["reply_broadcast"] = True
        if metadata:
            extra["metadata"] = metadata
        response = self._call(
            "chat_postMessage",
            channel=channel,
            unfurl_links=False,
            unfurl_media=False,
            **message.as_kwargs(),
            **extra,
        )
        return response["channel"], response["ts"]

    def update(self, channel: str, ts: str, message: Message) -> None:
        self._call("chat_update", channel=channel, ts=ts, **message.as_kwargs())

    def ephemeral(self, channel: str, user: str, message: Message) -> None:
        self._call("chat_postEphemeral", channel=channel, user=user, **message.as_kwargs())

    def dm(self, user: str, message: Message) -> tuple[str, str]:
        return self.post(user, message)

    def permalink(self, channel: str, ts: str) -> str | None:
        try:
            return str(self._call("chat_getPermalink", channel=channel, message_ts=ts)["permalink"])
        except SlackCallFailed:
            return None

    def dm_channel(self, user: str) -> str:
        return self._call("conversations_open", users=user)["channel"]["id"]

    def find_tagged(
        self,
        channel: str,
        event_type: str,
        key: str,
        *,
        since: datetime,
        thread_ts: str | None = None,
    ) -> str | None:
        """The ts of a message we posted with metadata {event_type, key}, if it is there.
        Reads at most FIND_PAGES pages since `since`: a channel busier than that in the
        window searched is not read to its end (logged)."""
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{since.timestamp():.6f}",
            "include_all_metadata": True,
            "limit": 200,
        }
        for _ in range(FIND_PAGES):
            if thread_ts:
                response = self._call("conversations_replies", ts=thread_ts, **args)
            else:
                response = self._call("conversations_history", **args)
            for message in response.get("messages", []):
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == event_type and payload.get("key") == key:
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
            args["cursor"] = cursor
        log.warning("looked for %s in %d pages of %s and stopped", key, FIND_PAGES, channel)
        return None

    def find_posted(
        self, target: str, key: str, *, since: datetime, thread_ts: str | None = None
    ) -> tuple[str, str] | None:
        """(channel, ts) of our post tagged `key` in `target` (a channel, or a person's DM
        with the app) since about `since`, if Slack has it."""
        where = self.dm_channel(target) if is_person(target) else target
        found = self.find_tagged(
            where, POST_TAG, key, since=since - FIND_MARGIN, thread_ts=thread_ts
        )
        if found is None:
            return None
        log.info("found %s already posted in %s; not posting it again", key, where)
        return where, found

    def post_once(
        self,
        channel: str,
        message: Message,
        *,
        key: str,
        recovering_since: datetime | None = None,
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> tuple[str, str]:
        """Post `message` tagged `key` unless Slack has it already: a post taken over from a
        process that may have sent it (`recovering_since`), or whose answer was lost, is
        looked for before it is sent (again). Raises OutcomeUnknown when it may have gone
        out and could not be looked for."""
        if recovering_since is not None:
            found = self._look(channel, key, since=recovering_since, thread_ts=thread_ts)
            if found is not None:
                return found

        def send() -> tuple[str, str]:
            return self.post(
                channel, message, thread_ts=thread_ts, broadcast=broadcast, metadata=tagged(key)
            )

        started = clock.now()
        try:
            return send()
        except OutcomeUnknown:
            # A second unknown outcome is the caller's to retry, looking again first.
            found = self._look(channel, key, since=started, thread_ts=thread_ts)
            if found is not None:
                return found
            return send()

    def _look(
        self, channel: str, key: str, *, since: datetime, thread_ts: str | None
    ) -> tuple[str, str] | None:
        try:
            return self.find_posted(channel, key, since=since, thread_ts=thread_ts)
        except (ChannelUnavailable, UserUnavailable, NotInstalled, Refused):
            raise
        except SlackCallFailed as failed:  # transient: the post may be there, unseen
            raise OutcomeUnknown(failed.method, failed.error, **failed.context) from failed

    def open_view(self, trigger_id: str, view: View) -> str:
        response = self._call("views_open", trigger_id=trigger_id, view=view)
        return response["view"]["id"]

    def update_view(self, view_id: str, view: View) -> None:
        self._call("views_update", view_id=view_id, view=view)

    def publish_home(self, user: str, view: View) -> None:
        self._call("views_publish", user_id=user, view=view)

    def user_info(self, user: str) -> dict[str, Any] | None:
        """The person as Slack knows them (tz, is_admin, is_owner), or None if gone."""
        try:
            response = self._call("users_info", user=user)
        except UserUnavailable:
            return None
        return dict(response["user"])

    def upload_file(
        self, *, channel: str, filename: str, content: bytes, title: str, comment: str = ""
    ) -> str:
        """Share a file in `channel` (a DM channel id) with Slack's current upload API: ask
        for an upload URL, send the bytes there, then complete the upload. Returns the file id."""
        ticket = self._call("files_getUploadURLExternal", filename=filename, length=len(content))
        self._send_bytes(str(ticket["upload_url"]), content, filename)
        file_id = str(ticket["file_id"])
        extra: dict[str, Any] = {"initial_comment": comment} if comment else {}
        self._call(
            "files_completeUploadExternal",
            files=[{"id": file_id, "title": title}],
            channel_id=channel,
            **extra,
        )
        return file_id

    def _send_bytes(self, url: str, content: bytes, filename: str) -> None:
        request = urllib.request.Request(
            url,
            data=content,
            method="POST",
            headers={"Content-Type": "application/octet-stream"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status != 200:
                    raise SlackCallFailed("files.upload", f"http_{response.status}", file=filename)
        except urllib.error.HTTPError as exc:
            raise SlackCallFailed("files.upload", f"http_{exc.code}", file=filename) from exc
        except (OSError, HTTPException) as exc:
            raise SlackUnreachable("files.upload", "connection_error", file=filename) from exc

    def user_timezone(self, user: str) -> str | None:
        try:
            response = self._call("users_info", user=user)
        except UserUnavailable:
            return None
        return response["user"].get("tz")

    def channel_is_private(self, channel: str) -> bool:
        """Private channel (or unknown: treated as private, so it is never advertised)."""
        try:
            response = self._call("conversations_info", channel=channel)
        except SlackCallFailed:
            return True
        return bool(response["channel"].get("is_private"))

    def bot_is_member(self, channel: str) -> bool:
        try:
            response = self._call("conversations_info", channel=channel)
        except ChannelUnavailable:
            return False
        info = response["channel"]
        return bool(info.get("is_member")) and not info.get("is_archived")

    def _call(self, method: str, **kwargs: Any) -> Any:
        api_method = method.replace("_", ".", 1)
        context = {k: kwargs.get(k) for k in ("channel", "user", "ts", "thread_ts")}
        team = acting_team()
        retries = RATE_LIMITED_RETRIES_SCHEDULED if team else RATE_LIMITED_RETRIES
        attempt = 0
        while True:
            self.budgets.wait_turn(team, api_method, kwargs.get("channel"))
            client = self._client_for(team, api_method, context)
            try:
                return getattr(client, method)(**kwargs)
            except (OSError, HTTPException) as exc:  # URLError, timeouts, dropped connections
                unknown = api_method in NOT_IDEMPOTENT and not _never_sent(exc)
                log.warning(
                    "Slack %s: no answer (%s)%s",
                    api_method,
                    exc,
                    "; it may have been carried out" if unknown else "",
                )
                kind = OutcomeUnknown if unknown else SlackUnreachable
                raise kind(api_method, "connection_error", **context) from exc
            except SlackApiError as exc:
                wait = _retry_after(exc)
                if wait is None or attempt >= retries:
                    raise self._failed(api_method, exc, context) from exc
                log.info("Slack %s rate-limited for %s; waiting %.2fs", api_method, team, wait)
                self.budgets.pause(team, api_method, wait)
                attempt += 1

    def _client_for(self, team: str | None, api_method: str, context: dict[str, Any]) -> WebClient:
        if self.tokens is None or not team:
            return self.client
        token = self.tokens.token_for(team, acting_enterprise())
        if token is None:
            log.warning("Slack %s not made: %s has no installation", api_method, team)
            raise NotInstalled(api_method, "not_installed", team=team, **context)
        if token == self.client.token:
            return self.client
        return _client_with(self.client, token)

    @staticmethod
    def _failed(api_method: str, exc: SlackApiError, context: dict[str, Any]) -> SlackCallFailed:
        error = str(exc.response.get("error", "unknown_error"))
        log.warning(
            "Slack %s failed with %s (%s)",
            api_method,
            error,
            ", ".join(f"{k}={v}" for k, v in context.items() if v),
        )
        return _classify(error)(api_method, error, **context)


def _client_with(client: WebClient, token: str) -> WebClient:
    """The same client (address, timeout, retries) with a workspace's token."""
    return WebClient(
        token=token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=client.retry_handlers,
    )


def _retry_after(exc: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait, if this was a 429."""
    if exc.response.status_code != 429:
        return None
    headers = {name.lower(): value for name, value in (exc.response.headers or {}).items()}
    try:
        return max(float(headers.get("retry-after", 1)), 0.0)
    except (TypeError, ValueError):
        return 1.0


def _classify(error: str) -> type[SlackCallFailed]:
    if error in CHANNEL_GONE:
        return ChannelUnavailable
    if error in USER_GONE:
        return UserUnavailable
    if error in MESSAGE_GONE:
        return MessageUnavailable
    if error in VIEW_GONE:
        return ViewUnavailable
    if error in REFUSED:
        return Refused
    return SlackCallFailed
