"""SlackDriver: send the app what Slack sends when people use it, signed, over real HTTP.

Payload shapes: SLACK-FACTS.md "Payloads"; signing: slack_sdk.signature (v0 HMAC-SHA256).
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.devtools.block_walk import FoundElement, interactive_elements
from bot.devtools.blockkit import check_view
from bot.devtools.fake_slack import FakeSlack, Message, OpenedView
from bot.devtools.payloads import (
    action_entry,
    check_submittable,
    input_blocks,
    state_value,
)
from bot.devtools.slack_text import as_slack_sends

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    status: int
    body_text: str
    json: Any | None
    headers: dict[str, str]


class SlackDriver:
    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: FakeSlack,
        *,
        api_app_id: str | None = None,
        verification_token: str = "legacy-verification-token",
        timeout: float = 10.0,
    ) -> None:
        self.app_url = app_url
        self.fake = fake
        self.api_app_id = api_app_id or fake.app_id
        self.verification_token = verification_token
        self.timeout = timeout
        self._verifier = SignatureVerifier(signing_secret)
        self._signing_secret = signing_secret
        # The workspace people act from (another of the fake's teams: `as_team`).
        self.team_id = fake.team_id
        self.enterprise_id: str | None = None
        self.org_wide = False

    def as_team(
        self, team_id: str, *, enterprise_id: str | None = None, org_wide: bool = False
    ) -> SlackDriver:
        """The same Slack, seen from another workspace (under an org-wide install if
        `org_wide`: Slack then sends no `team` with interactions)."""
        other = SlackDriver(
            self.app_url,
            self._signing_secret,
            self.fake,
            api_app_id=self.api_app_id,
            verification_token=self.verification_token,
            timeout=self.timeout,
        )
        other.team_id = team_id
        other.enterprise_id = enterprise_id
        other.org_wide = org_wide
        return other

    @property
    def team_domain(self) -> str:
        return self.fake.domain_of(self.team_id)

    # --- slash commands ----------------------------------------------------------------

    def command(self, user_id: str, text: str, *, channel_id: str, command: str = "/p2p") -> Reply:
        channel = self.fake.channel(self.fake.resolve_channel(channel_id))
        form = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            "channel_id": channel.id,
            "channel_name": "directmessage" if channel.is_im else channel.name,
            "user_id": user_id,
            "user_name": self.fake.user(user_id).name,
            "command": command,
            "text": self._as_sent(text, named=True),  # the manifest has should_escape
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "true" if self.org_wide else "false",
            "response_url": self.fake.new_response_url(user_id, channel.id),
            "trigger_id": self.fake.new_trigger_id(user_id),
        }
        reply = self._post(urlencode(form).encode(), "application/x-www-form-urlencoded")
        if reply.status == 200 and reply.body_text.strip():
            body = reply.json if isinstance(reply.json, dict) else {"text": reply.body_text}
            if body.get("text") or body.get("blocks"):
                self.fake.record_ack(user_id, channel.id, body)
        return reply

    def _as_sent(self, typed: str, *, named: bool) -> str:
        users = {u.name: u.id for u in self.fake.ws.users.values()}
        channels = {c.name: c.id for c in self.fake.ws.channels.values() if not c.is_im}
        return as_slack_sends(typed, users=users, channels=channels, named=named)

    # --- interactivity -----------------------------------------------------------------

    def click(self, user_id: str, message: Message, action_id: str, *, value: Any = None) -> Reply:
        """The user uses element `action_id` in `message` (a button, or a menu/picker choosing
        `value`). When several buttons share the action_id, `value` picks one."""
        found = _find(message.blocks, action_id, value, where=f"message {message.ts}")
        channel = self.fake.channel(message.channel)
        ephemeral = message.ephemeral_to is not None
        payload = self._interaction("block_actions", user_id)
        payload |= {
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": channel.id,
                "is_ephemeral": ephemeral,
            },
            "channel": {
                "id": channel.id,
                "name": "directmessage" if channel.is_im else channel.name,
            },
            "state": {"values": {}},
            "response_url": self.fake.new_response_url(
                user_id, channel.id, message_ts=message.ts, is_ephemeral=ephemeral
            ),
            "actions": [_action(found, value)],
        }
        if not ephemeral:  # Slack leaves the message out for ephemeral ones
            payload["message"] = message.to_api(self.team_id)
        return self._post_payload(payload)

    def click_in_view(
        self,
        user_id: str,
        view: OpenedView,
        action_id: str,
        *,
        value: Any = None,
        values: Mapping[str, Any] | None = None,
    ) -> Reply:
        """Like click, in a modal or the Home tab; `values` is what is typed in its inputs."""
        found = _find(view.blocks, action_id, value, where=f"view {view.id}")
        payload = self._interaction("block_actions", user_id)
        payload |= {
            "container": {"type": "view", "view_id": view.id},
            "view": self._view_payload(view, _state(view, values or {}, strict=False)),
            "state": {"values": _state(view, values or {}, strict=False)},
            "actions": [_action(found, value)],
        }
        return self._post_payload(payload)

    def submit(
        self, user_id: str, view: OpenedView, values: Mapping[str, Any] | None = None
    ) -> Reply:
        """The user submits the modal with `values` keyed by input block_id. Inputs left out
        keep their initial value. Then Slack's handling of the app's answer is applied to the
        fake: update / push / clear / close; `errors` stay in Reply.json for the test."""
        state = _state(view, values or {}, strict=True)
        payload = self._interaction("view_submission", user_id)
        payload |= {"view": self._view_payload(view, state), "response_urls": []}
        reply = self._post_payload(payload)
        if reply.status == 200:
            body = reply.json if isinstance(reply.json, dict) else None
            if body and body.get("response_action") in ("update", "push"):
                for problem in check_view(body.get("view")):
                    self.fake.violations.append(f"view_submission response_action: {problem}")
            self.fake.apply_view_submission_reply(view, body)
        return reply

    def close_view(self, user_id: str, view: OpenedView) -> Reply:
        """The user closes the modal (Slack sends view_closed only if notify_on_close)."""
        view.is_open = False
        payload = self._interaction("view_closed", user_id)
        payload |= {"view": self._view_payload(view, {}), "is_cleared": False}
        return self._post_payload(payload)

    # --- Events API --------------------------------------------------------------------

    def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        channel_owner: str | None = None,
    ) -> Reply:
        """`channel_owner`: in a Slack Connect channel, Slack may put the team that owns the
        channel at the top level; `authorizations` still names the installation."""
        envelope = {
            "token": self.verification_token,
            "team_id": channel_owner or self.team_id,
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            "api_app_id": self.api_app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": None if self.org_wide else self.team_id,
                    "user_id": self.fake.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": self.org_wide,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_urlsafe(24)}",
        }
        headers = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self._post(json.dumps(envelope).encode(), "application/json", headers)

    def url_verification(self, challenge: str) -> Reply:
        body = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self._post(json.dumps(body).encode(), "application/json")

    def user_posts(
        self, user_id: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> Reply | None:
        """The user writes in a channel, thread or their DM with the app (`channel` may be the
        user id for that). Slack sends the `message` event only where the app is a member:
        otherwise this returns None."""
        channel_id = (
            self.fake.dm_channel_id(user_id)
            if channel == user_id
            else self.fake.resolve_channel(channel)
        )
        text = self._as_sent(text, named=False)
        message = self.fake.add_user_message(channel_id, user_id, text, thread_ts=thread_ts)
        where = self.fake.channel(channel_id)
        if not where.is_im and self.fake.bot_user_id not in where.members:
            return None
        event: JsonDict = {
            "type": "message",
            "client_msg_id": str(uuid.uuid4()),
            "text": text,
            "user": user_id,
            "ts": message.ts,
            "team": self.team_id,
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": secrets.token_hex(2),
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                    ],
                }
            ],
            "channel": channel_id,
            "event_ts": message.ts,
            "channel_type": where.channel_type,
        }
        if thread_ts is not None:
            parent = self.fake.message(channel_id, thread_ts)
            event["thread_ts"] = thread_ts
            if parent is not None:
                event["parent_user_id"] = parent.user
        return self.event(event)

    def open_home(self, user_id: str) -> Reply:
        """The user opens the app's Home tab (app_home_opened)."""
        home = self.fake.home(user_id)
        event: JsonDict = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.fake.dm_channel_id(user_id),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        if home is not None:
            event["view"] = home.to_api(
                team_id=self.team_id, app_id=self.fake.app_id, bot_id=self.fake.bot_id
            )
        return self.event(event)

    # --- raw HTTP ----------------------------------------------------------------------

    def sign(self, body: bytes, timestamp: int | str) -> str:
        """X-Slack-Signature for `body` sent at `timestamp`."""
        signature = self._verifier.generate_signature(timestamp=str(timestamp), body=body)
        assert signature is not None  # None only when the signing secret is empty
        return signature

    def raw(self, body: bytes, headers: Mapping[str, str]) -> Reply:
        """POST exactly this (for forged or stale signatures)."""
        request = urllib.request.Request(
            self.app_url, data=body, headers=dict(headers), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _reply(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return _reply(error.code, error.read(), dict(error.headers))

    # --- helpers -----------------------------------------------------------------------

    def _post(
        self, body: bytes, content_type: str, extra: Mapping[str, str] | None = None
    ) -> Reply:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.sign(body, timestamp),
            **(extra or {}),
        }
        return self.raw(body, headers)

    def _post_payload(self, payload: JsonDict) -> Reply:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._post(body, "application/x-www-form-urlencoded")

    def _interaction(self, kind: str, user_id: str) -> JsonDict:
        user = self.fake.user(user_id)
        return {
            "type": kind,
            "user": {
                "id": user.id,
                "username": user.name,
                "name": user.name,
                "team_id": self.team_id,
            },
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self.fake.new_trigger_id(user_id),
            # Under an org-wide install Slack sends no team with a modal's submission.
            "team": None
            if self.org_wide and kind == "view_submission"
            else {"id": self.team_id, "domain": self.team_domain},
            "enterprise": {"id": self.enterprise_id} if self.enterprise_id else None,
            "is_enterprise_install": self.org_wide,
        }

    def _view_payload(self, view: OpenedView, values: JsonDict) -> JsonDict:
        data = view.to_api(team_id=self.team_id, app_id=self.fake.app_id, bot_id=self.fake.bot_id)
        if self.org_wide and self.enterprise_id:
            data["app_installed_team_id"] = self.enterprise_id
        data["state"] = {"values": values}
        return data


def _find(blocks: list[JsonDict], action_id: str, value: Any, *, where: str) -> FoundElement:
    matches = [e for e in interactive_elements(blocks) if e.action_id == action_id]
    if len(matches) > 1 and value is not None:
        matches = [e for e in matches if e.element.get("value") == value] or matches[:1]
    if not matches:
        available = sorted({str(e.action_id) for e in interactive_elements(blocks)})
        raise LookupError(f"no element {action_id!r} in {where}; there are {available}")
    if len(matches) > 1:
        raise LookupError(
            f"{len(matches)} elements {action_id!r} in {where}: pass value= to pick one"
        )
    return matches[0]


def _action(found: FoundElement, value: Any) -> JsonDict:
    return action_entry(found.element, found.block_id, value)


def _state(view: OpenedView, values: Mapping[str, Any], *, strict: bool) -> JsonDict:
    """view.state.values for every input block: given values, else initial or empty ones."""
    blocks = input_blocks(view.blocks)
    known = {str(b.get("block_id")) for b in blocks}
    unknown = sorted(set(values) - known)
    if unknown:
        raise KeyError(f"view {view.id} has no input blocks {unknown}; it has {sorted(known)}")
    state: JsonDict = {}
    problems: list[str] = []
    for block in blocks:
        element = block["element"]
        block_id = str(block.get("block_id"))
        entry = (
            state_value(element, values[block_id]) if block_id in values else state_value(element)
        )
        state[block_id] = {str(element.get("action_id")): entry}
        problem = check_submittable(block, entry)
        if problem:
            problems.append(problem)
    if strict and problems:
        raise ValueError("Slack would not let the user submit: " + "; ".join(problems))
    return state


def _reply(status: int, raw: bytes, headers: dict[str, str]) -> Reply:
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text) if text.strip() else None
    except ValueError:
        parsed = None
    return Reply(status=status, body_text=text, json=parsed, headers=headers)
