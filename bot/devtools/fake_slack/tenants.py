"""Many workspaces in one fake Slack: which token acts for which workspace, the OAuth
exchange (`oauth.v2.access`, with token rotation when asked for), and the rule real Slack
keeps: a token only reaches its own workspace's channels and people.

One `Workspace` holds every team's channels, people and messages (ids never collide in a
test); this module knows which team each belongs to.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from bot.devtools.fake_slack.args import SlackError
from bot.devtools.fake_slack.state import JsonDict, Workspace


@dataclass
class Team:
    id: str
    domain: str
    name: str
    enterprise_id: str | None = None


@dataclass
class Grant:
    """What a bot token acts for: a workspace, or an org (org-wide install)."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False
    expires_at: float | None = None  # time.time(); None: never (no rotation)
    installer: str = "UINSTALLER"  # who approved the install

    @property
    def key(self) -> str:
        return (self.enterprise_id if self.org_wide else self.team_id) or ""


@dataclass
class Tenancy:
    client_id: str = "1111.2222"
    client_secret: str = "fake-client-secret"
    token_rotation: bool = False
    token_ttl: float = 12 * 3600
    teams: dict[str, Team] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)  # bot token -> grant
    revoked: set[str] = field(default_factory=set)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)  # unused ones only
    spent_refresh_tokens: set[str] = field(default_factory=set)
    codes: dict[str, Grant] = field(default_factory=dict)
    channel_team: dict[str, str] = field(default_factory=dict)
    user_team: dict[str, str] = field(default_factory=dict)
    refreshes: int = 0

    def team_of_channel(self, ws: Workspace, channel_id: str) -> str | None:
        channel = ws.channels.get(channel_id)
        if channel is not None and channel.im_user:
            return self.user_team.get(channel.im_user)
        return self.channel_team.get(channel_id)

    def reaches(self, grant: Grant, team_id: str | None) -> bool:
        if team_id is None:
            return True  # not something the fake placed in a team
        if grant.org_wide:
            team = self.teams.get(team_id)
            return team is not None and team.enterprise_id == grant.enterprise_id
        return team_id == grant.team_id

    def check_reach(self, ws: Workspace, grant: Grant, method: str, args: dict[str, Any]) -> str:
        """'' if the call stays in the token's workspace, else what it reached for."""
        channel = args.get("channel")
        if isinstance(channel, str) and channel:
            team = (
                self.user_team.get(channel)
                if channel in ws.users
                else self.team_of_channel(ws, channel)
            )
            if not self.reaches(grant, team):
                return f"channel {channel} of {team}"
        for name in ("user", "users"):
            value = args.get(name)
            if isinstance(value, str) and value:
                for user in value.split(","):
                    if not self.reaches(grant, self.user_team.get(user.strip())):
                        return f"user {user} of {self.user_team.get(user.strip())}"
        return ""

    # --- tokens ----------------------------------------------------------------------------

    def issue(self, grant: Grant) -> JsonDict:
        token = f"xoxb-{grant.key}-{secrets.token_hex(8)}"
        if self.token_rotation:
            token = "xoxe.xoxb-1-" + secrets.token_hex(12)
            grant.expires_at = time.time() + self.token_ttl
        self.grants[token] = grant
        answer: JsonDict = {"access_token": token, "token_type": "bot"}
        if self.token_rotation:
            refresh = "xoxe-1-" + secrets.token_hex(16)
            self.refresh_tokens[refresh] = grant
            answer |= {"refresh_token": refresh, "expires_in": int(self.token_ttl)}
        return answer

    def revoke(self, key: str) -> None:
        """The installation for a workspace (or org) is gone: its tokens stop working."""
        for token, grant in list(self.grants.items()):
            if grant.key == key:
                del self.grants[token]
                self.revoked.add(token)
        for refresh, grant in list(self.refresh_tokens.items()):
            if grant.key == key:
                del self.refresh_tokens[refresh]

    def oauth_access(
        self, args: dict[str, Any], *, app_id: str, bot_user_id: str, scopes: str
    ) -> JsonDict:
        if args.get("client_id") != self.client_id:
            raise SlackError("invalid_client_id")
        if args.get("client_secret") != self.client_secret:
            raise SlackError("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            refresh = str(args.get("refresh_token") or "")
            grant = self.refresh_tokens.pop(refresh, None)
            if grant is None:
                raise SlackError("invalid_refresh_token")
            self.spent_refresh_tokens.add(refresh)
            self.refreshes += 1
            renewed = Grant(grant.team_id, grant.enterprise_id, grant.org_wide)
        else:
            code = str(args.get("code") or "")
            grant_or_none = self.codes.pop(code, None)
            if grant_or_none is None:
                raise SlackError("invalid_code")
            renewed = grant_or_none
        answer: JsonDict = {
            "ok": True,
            "app_id": app_id,
            "authed_user": {"id": renewed.installer},
            "scope": scopes,
            "bot_user_id": bot_user_id,
            "team": self._team_json(None if renewed.org_wide else renewed.team_id),
            "enterprise": self._enterprise_json(renewed.enterprise_id),
            "is_enterprise_install": renewed.org_wide,
        }
        return answer | self.issue(renewed)

    def _team_json(self, team_id: str | None) -> JsonDict | None:
        if team_id is None:
            return None
        team = self.teams.get(team_id)
        return {"id": team_id, "name": team.name if team else team_id}

    def _enterprise_json(self, enterprise_id: str | None) -> JsonDict | None:
        return {"id": enterprise_id, "name": f"Org {enterprise_id}"} if enterprise_id else None


def basic_credentials(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ").strip()).decode()
    except ValueError:
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret
