"""FakeSlack: a fake Slack Web API on loopback, with the workspace a test sets up and reads."""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any, Self, TypeVar

from bot.devtools import slack_spec
from bot.devtools.block_walk import with_ids
from bot.devtools.fake_slack import checks, files, response_urls
from bot.devtools.fake_slack.args import SlackError
from bot.devtools.fake_slack.common import Context
from bot.devtools.fake_slack.faults import ArgsPredicate, Faults, Injected
from bot.devtools.fake_slack.files import UploadedFile
from bot.devtools.fake_slack.methods import HANDLERS
from bot.devtools.fake_slack.ratelimits import RateLimits
from bot.devtools.fake_slack.server import ApiRequest, HttpReply, HttpServer
from bot.devtools.fake_slack.state import (
    Call,
    Channel,
    JsonDict,
    Message,
    OpenedView,
    Response,
    ResponseUrl,
    Trigger,
    User,
    Workspace,
)
from bot.devtools.fake_slack.tenants import Grant, Team, Tenancy
from bot.devtools.fake_slack.views import (
    modal_stack,
    new_hash,
    open_view,
    view_payload,
)

T = TypeVar("T")
# Calls that only look: made with the wrong workspace's token they are refused, not a bug.
READS = frozenset(
    {
        "auth.test",
        "chat.getPermalink",
        "conversations.history",
        "conversations.info",
        "conversations.members",
        "conversations.replies",
        "users.info",
    }
)


class FakeSlack:
    """Start it, point `WebClient(base_url=fake.api_url)` at it, then read what users see."""

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        team_id: str = "T0P2P",
        team_domain: str = "p2p-test",
        *,
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        bot_name: str = "p2p",
        app_id: str = "A0P2P",
        enforce_rate_limits: bool = False,
        rate_limit_scale: float = 1.0,
        trigger_ttl: float = 3.0,
        token_rotation: bool = False,
        token_ttl: float = 12 * 3600,
    ) -> None:
        self.bot_token = bot_token
        # Workspaces, tokens and installs (tenants.py): one team and its token to start.
        self.tenancy = Tenancy(token_rotation=token_rotation, token_ttl=token_ttl)
        self.tenancy.teams[team_id] = Team(team_id, team_domain, team_domain)
        self.tenancy.grants[bot_token] = Grant(team_id)
        self.ws = Workspace(
            team_id=team_id,
            team_domain=team_domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
        )
        self.ws.users[bot_user_id] = User(
            id=bot_user_id, name=bot_name, real_name=bot_name, is_bot=True
        )
        self.faults = Faults()
        # Slack's own limits, per workspace (ratelimits.py); off unless asked for.
        self.limits = RateLimits(team_id, scale=rate_limit_scale) if enforce_rate_limits else None
        self.trigger_ttl = trigger_ttl
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self._server = HttpServer(self._on_api, self._on_response_url, self._on_upload)
        self.ws.upload_base = self.base_url

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    @property
    def team_id(self) -> str:
        return self.ws.team_id

    @property
    def team_domain(self) -> str:
        return self.ws.team_domain

    @property
    def bot_user_id(self) -> str:
        return self.ws.bot_user_id

    @property
    def bot_id(self) -> str:
        return self.ws.bot_id

    @property
    def app_id(self) -> str:
        return self.ws.app_id

    # --- setting up the workspace ------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "UTC",
        tz_label: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        team: str | None = None,
    ) -> User:
        self.tenancy.user_team[user_id] = team or self.team_id
        user = User(
            id=user_id,
            name=name,
            real_name=real_name or name,
            tz=tz,
            tz_label=tz_label,
            email=email,
            is_bot=is_bot,
            deleted=deleted,
            is_admin=is_admin,
        )
        with self.ws.lock:
            self.ws.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        members: Iterable[str] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
        team: str | None = None,
    ) -> Channel:
        self.tenancy.channel_team[channel_id] = team or self.team_id
        channel = Channel(
            id=channel_id,
            name=name,
            members=set(members),
            is_private=is_private,
            is_archived=is_archived,
        )
        if bot_is_member:
            channel.members.add(self.bot_user_id)
        with self.ws.lock:
            self.ws.channels[channel_id] = channel
            self.ws.messages.setdefault(channel_id, [])
        return channel

    # --- many workspaces (tenants.py) ----------------------------------------------------

    def add_team(
        self, team_id: str, *, domain: str | None = None, enterprise_id: str | None = None
    ) -> Team:
        """Another workspace (in an org if `enterprise_id`). The app is not installed there
        until an install (`install_code` and the app's OAuth redirect) gives it a token."""
        team = Team(team_id, domain or team_id.lower(), domain or team_id, enterprise_id)
        with self.ws.lock:
            self.tenancy.teams[team_id] = team
        return team

    def domain_of(self, team_id: str) -> str:
        team = self.tenancy.teams.get(team_id)
        return team.domain if team else team_id.lower()

    def install_code(
        self,
        team_id: str | None = None,
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> str:
        """What Slack hands the app's redirect after someone approved the install: a code
        that `oauth.v2.access` exchanges for the workspace's (or org's) bot token."""
        code = "code-" + secrets.token_hex(8)
        if team_id and enterprise_id is None:
            team = self.tenancy.teams.get(team_id)
            enterprise_id = team.enterprise_id if team else None
        with self.ws.lock:
            # The workspace's first person approves it (a made-up one where it has nobody).
            people = [u for u, t in self.tenancy.user_team.items() if t == team_id]
            self.tenancy.codes[code] = Grant(
                None if org_wide else team_id,
                enterprise_id,
                org_wide=org_wide,
                installer=people[0] if people else "UINSTALLER",
            )
        return code

    def uninstall(self, key: str) -> None:
        """The workspace (or org) removed the app: its tokens answer token_revoked."""
        with self.ws.lock:
            self.tenancy.revoke(key)

    def tokens_of(self, key: str) -> list[str]:
        with self.ws.lock:
            return [t for t, g in self.tenancy.grants.items() if g.key == key]

    def add_member(self, channel_id: str, user_id: str) -> None:
        with self.ws.lock:
            self._channel(channel_id).members.add(user_id)

    def remove_member(self, channel_id: str, user_id: str) -> None:
        with self.ws.lock:
            self._channel(channel_id).members.discard(user_id)

    def remove_bot(self, channel_id: str) -> None:
        self.remove_member(channel_id, self.bot_user_id)

    def deactivate(self, user_id: str) -> None:
        with self.ws.lock:
            self.ws.users[user_id].deleted = True

    def delete_channel(self, channel_id: str) -> None:
        """Someone deleted the channel: Slack answers channel_not_found from now on."""
        with self.ws.lock:
            del self.ws.channels[channel_id]

    def archive(self, channel_id: str) -> None:
        with self.ws.lock:
            self._channel(channel_id).is_archived = True

    def dm_channel_id(self, user_id: str) -> str:
        """The id of the user's DM with the app (opened now if it was not)."""
        return self.ws.im_channel(user_id).id

    def add_user_message(
        self,
        channel: str,
        user_id: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[JsonDict] | None = None,
    ) -> Message:
        """A message a person wrote (SlackDriver.user_posts also sends its event)."""
        with self.ws.lock:
            channel_id = self.resolve_channel(channel)
            message = Message(
                ts=self.ws.next_ts(),
                channel=channel_id,
                user=user_id,
                text=text,
                blocks=blocks or [],
                thread_ts=thread_ts,
            )
            if thread_ts is None:
                self.ws.messages.setdefault(channel_id, []).append(message)
            else:
                self.ws.thread_of(channel_id, thread_ts).append(message)
            return message

    def channel(self, channel_id: str) -> Channel:
        return self._channel(channel_id)

    def user(self, user_id: str) -> User:
        try:
            return self.ws.users[user_id]
        except KeyError:
            raise KeyError(f"no user {user_id!r} in the fake; add_user() them first") from None

    # --- what people see ---------------------------------------------------------------

    def messages(self, channel: str) -> list[Message]:
        """Top-level messages (and thread replies sent to the channel too), oldest first.
        `channel` may be a user id: their DM with the app."""
        with self.ws.lock:
            return list(self.ws.messages.get(self.resolve_channel(channel), []))

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The replies under message `ts`, oldest first (the parent is not included)."""
        with self.ws.lock:
            return list(self.ws.replies.get((self.resolve_channel(channel), ts), []))

    def dm(self, user_id: str) -> list[Message]:
        """Messages in the user's DM with the app, oldest first."""
        with self.ws.lock:
            channel = self.ws.existing_im(user_id)
            return list(self.ws.messages.get(channel.id, [])) if channel else []

    def message(self, channel: str, ts: str) -> Message | None:
        with self.ws.lock:
            return self.ws.find_message(self.resolve_channel(channel), ts)

    def find_message(self, channel: str, contains: str) -> Message:
        """The latest message (top level or in a thread) whose `.plain` contains the text."""
        with self.ws.lock:
            channel_id = self.resolve_channel(channel)
            candidates = list(self.ws.messages.get(channel_id, []))
            for (reply_channel, _parent), replies in self.ws.replies.items():
                if reply_channel == channel_id:
                    candidates.extend(replies)
        candidates.sort(key=lambda m: float(m.ts))
        for message in reversed(candidates):
            if contains in message.plain:
                return message
        seen = "\n".join(f"  {m.ts}: {m.plain[:80]!r}" for m in candidates) or "  (none)"
        raise LookupError(f"no message in {channel} contains {contains!r}; there are:\n{seen}")

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Message]:
        with self.ws.lock:
            channel_id = self.resolve_channel(channel) if channel else None
            return [
                m
                for m in self.ws.ephemerals
                if (user is None or m.ephemeral_to == user)
                and (channel_id is None or m.channel == channel_id)
            ]

    def views(self, user_id: str) -> list[OpenedView]:
        """Modals opened for the user, latest last, as they look now (closed ones too)."""
        with self.ws.lock:
            return [v for v in self.ws.views.values() if v.user == user_id]

    def open_modal(self, user_id: str) -> OpenedView | None:
        """The modal on top of the user's screen, if any."""
        with self.ws.lock:
            stack = modal_stack(self.ws, user_id)
            return stack[-1] if stack else None

    def home(self, user_id: str) -> OpenedView | None:
        with self.ws.lock:
            return self.ws.homes.get(user_id)

    def files(self, user_or_channel: str | None = None) -> list[UploadedFile]:
        """Files uploaded and shared (in `user_or_channel`: a channel, or a user's DM)."""
        with self.ws.lock:
            channel = self.resolve_channel(user_or_channel) if user_or_channel else None
            return [
                f
                for f in self.ws.files.values()
                if f.completed and (channel is None or f.channel == channel)
            ]

    def responses(self, user: str | None = None) -> list[Response]:
        """Posts to response_urls and slash-command ack bodies, oldest first."""
        with self.ws.lock:
            return [r for r in self.ws.responses if user is None or r.user == user]

    # --- recording ---------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in list(self.calls) if call.method == method]

    def reset_calls(self) -> None:
        self.calls.clear()

    def take_violations(self) -> list[str]:
        """Return the violations so far and forget them (for tests that expect some)."""
        taken = list(self.violations)
        self.violations.clear()
        return taken

    def wait_until(self, condition: Callable[[], T | None], *, timeout: float = 3.0) -> T:
        """Poll until `condition()` is truthy and return it. Bolt acks before its listener
        finishes (unless process_before_response=True), so what the listener does comes later."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout}s: {condition}")
            time.sleep(0.01)

    # --- failures ----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        error: str,
        *,
        times: int = 1,
        when: ArgsPredicate | None = None,
        status: int = 200,
    ) -> None:
        """The next `times` calls to `method` (whose args satisfy `when`) answer `error`."""
        self.faults.add(Injected(method=method, times=times, when=when, error=error, status=status))

    def rate_limit(
        self,
        method: str,
        *,
        retry_after: int = 1,
        times: int = 1,
        when: ArgsPredicate | None = None,
    ) -> None:
        """The next `times` calls answer HTTP 429 with Retry-After, as Slack does."""
        self.faults.add(
            Injected(
                method=method,
                times=times,
                when=when,
                error="ratelimited",
                status=429,
                retry_after=retry_after,
            )
        )

    def drop_after(self, method: str, *, times: int = 1, when: ArgsPredicate | None = None) -> None:
        """The next `times` calls are carried out (a post is posted), then the connection is
        dropped before the answer: the caller cannot tell whether it happened."""
        self.faults.add(Injected(method=method, times=times, when=when, drop=True))

    def slow(self, seconds: float, method: str | None = None) -> None:
        """Every call (or every call to `method`) takes `seconds` before it is answered."""
        self.faults.latency[method] = seconds

    def clear_faults(self) -> None:
        self.faults.clear()
        if self.limits is not None:
            self.limits.reset()

    # --- interactivity (SlackDriver uses these) ----------------------------------------

    def new_trigger_id(self, user_id: str | None = None) -> str:
        trigger_id = f"{secrets.randbelow(10**10)}.{int(time.time())}.{secrets.token_hex(16)}"
        with self.ws.lock:
            self.ws.triggers[trigger_id] = Trigger(
                id=trigger_id, user=user_id, issued=time.monotonic()
            )
        return trigger_id

    def new_response_url(
        self,
        user_id: str,
        channel_id: str | None,
        *,
        message_ts: str | None = None,
        is_ephemeral: bool = False,
    ) -> str:
        url_id = secrets.token_hex(12)
        with self.ws.lock:
            self.ws.response_urls[url_id] = ResponseUrl(
                id=url_id,
                user=user_id,
                channel=channel_id,
                message_ts=message_ts,
                is_ephemeral=is_ephemeral,
                issued=time.time(),
            )
        return f"{self.base_url}/response/{url_id}"

    def record_ack(self, user_id: str, channel_id: str | None, body: JsonDict) -> None:
        """A slash command's ack body with text/blocks: Slack shows it to the user."""
        with self.ws.lock:
            response = Response(
                user=user_id,
                channel=channel_id,
                text=str(body.get("text") or ""),
                blocks=with_ids(body.get("blocks")),
                response_type=str(body.get("response_type") or "ephemeral"),
                via="ack",
            )
            self.ws.responses.append(response)
            response_urls.show(self.ws, response)

    def apply_view_submission_reply(self, view: OpenedView, body: JsonDict | None) -> None:
        """What Slack does with the app's answer to a view_submission."""
        action = (body or {}).get("response_action")
        with self.ws.lock:
            if action == "update":
                view.payload = view_payload(body["view"])  # type: ignore[index]
                view.hash = new_hash()
                view.updates += 1
            elif action == "push":
                open_view(self.ws, view.user, body["view"], on_top_of=view)  # type: ignore[index]
            elif action == "clear":
                for opened in modal_stack(self.ws, view.user):
                    opened.is_open = False
            elif action != "errors":
                view.is_open = False

    # --- HTTP callbacks ----------------------------------------------------------------

    def _on_api(self, request: ApiRequest) -> HttpReply:
        at = time.time()
        if delay := self.faults.delay(request.method):
            time.sleep(delay)
        reply = self._answer(request)
        grant = self.tenancy.grants.get(request.token or "")
        self.calls.append(
            Call(
                method=request.method,
                args=copy.deepcopy(request.args),
                at=at,
                status=reply.status,
                response=reply.body,
                team=grant.key if grant else None,
            )
        )
        return reply

    def _answer(self, request: ApiRequest) -> HttpReply:
        method, args = request.method, request.args
        if request.body_error:
            return HttpReply(200, {"ok": False, "error": request.body_error})
        if method == "oauth.v2.access":
            try:
                checks.check(method, args, self.violations.append)
                with self.ws.lock:
                    return HttpReply(200, self._oauth_access(args))
            except SlackError as error:
                return HttpReply(200, error.body())
        if request.token is None:
            return HttpReply(200, {"ok": False, "error": "not_authed"})
        with self.ws.lock:
            grant = self.tenancy.grants.get(request.token)
            revoked = request.token in self.tenancy.revoked
        if grant is None:
            return HttpReply(
                200, {"ok": False, "error": "token_revoked" if revoked else "invalid_auth"}
            )
        if grant.expires_at is not None and time.time() >= grant.expires_at:
            return HttpReply(200, {"ok": False, "error": "token_expired"})
        with self.ws.lock:
            reached = self.tenancy.check_reach(self.ws, grant, method, args)
        if reached:
            # Real Slack cannot even see another workspace's channel or person. Asking is
            # refused; trying to change something there is a bug in the app as well.
            if method not in READS:
                self.violations.append(f"{method}: a token of {grant.key} reached for {reached}")
            missing = "user_not_found" if reached.startswith("user") else "channel_not_found"
            return HttpReply(200, {"ok": False, "error": missing})
        if method == "auth.test" and grant.key != self.team_id:
            return HttpReply(200, self._auth_test(grant))
        handler = HANDLERS.get(method)
        if handler is None:
            known = slack_spec.method_spec(method) is not None
            self.violations.append(
                f"{method}: the fake does not implement it"
                if known
                else f"{method}: no such method (or not yet in spec/web_api_methods.json)"
            )
            return HttpReply(200, {"ok": False, "error": "unknown_method"})
        limited = self.faults.take(method, args, rate_limits=True)
        if limited is not None:
            wait: str | None = str(limited.retry_after)
        else:
            wait = self.limits.over(method, args) if self.limits else None
        if wait is not None:
            return HttpReply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": wait})
        try:
            checks.check(method, args, self.violations.append)
            injected = self.faults.take(method, args, rate_limits=False)
            if injected is not None and not injected.drop:
                return HttpReply(injected.status, {"ok": False, "error": injected.error})
            context = Context(
                ws=self.ws, trigger_ttl=self.trigger_ttl, violate=self.violations.append
            )
            with self.ws.lock:
                return HttpReply(200, handler(context, args), drop=injected is not None)
        except SlackError as error:
            return HttpReply(200, error.body())

    def _on_upload(self, file_id: str, content: bytes) -> HttpReply:
        if files.receive(self.ws, file_id, content):
            return HttpReply(200, {"ok": True})
        self.violations.append(f"upload to an unknown or completed upload URL ({file_id})")
        return HttpReply(404, {"ok": False, "error": "not_found"})

    def _on_response_url(self, url_id: str, payload: Any) -> HttpReply:
        try:
            response_urls.post(self.ws, url_id, payload, self.violations.append)
        except SlackError as error:
            status = 404 if error.code in ("invalid_url", "expired_url", "used_url") else 400
            return HttpReply(status, error.body())
        return HttpReply(200, {"ok": True})

    # --- helpers -----------------------------------------------------------------------

    def _oauth_access(self, args: dict[str, Any]) -> JsonDict:
        scopes = "channels:history,channels:read,chat:write,commands,groups:history,groups:read,im:history,im:write,users:read"
        return self.tenancy.oauth_access(
            args, app_id=self.app_id, bot_user_id=self.bot_user_id, scopes=scopes
        )

    def _auth_test(self, grant: Grant) -> JsonDict:
        team = self.tenancy.teams.get(grant.team_id or "")
        return {
            "ok": True,
            "url": f"https://{team.domain if team else 'org'}.slack.com/",
            "team": team.name if team else None,
            "user": "p2p",
            "team_id": grant.team_id,
            "enterprise_id": grant.enterprise_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": grant.org_wide,
        }

    def _channel(self, channel_id: str) -> Channel:
        try:
            return self.ws.channels[channel_id]
        except KeyError:
            raise KeyError(
                f"no channel {channel_id!r} in the fake; add_channel() it first"
            ) from None

    def resolve_channel(self, channel: str) -> str:
        """A channel id, or a user id meaning their DM with the app."""
        if channel in self.ws.channels:
            return channel
        if channel in self.ws.users:
            im = self.ws.existing_im(channel)
            return im.id if im else f"(no DM with {channel})"
        return channel
