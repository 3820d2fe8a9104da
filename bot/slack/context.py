"""What every listener needs besides Slack's own arguments, put on Bolt's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import BoltContext

from bot.slack.refresh import Refresher
from bot.store import Store


@dataclass(frozen=True)
class Deps:
    store: Store
    refresher: Refresher = field(default_factory=Refresher)


def inject(deps: Deps) -> Callable[..., None]:
    def middleware(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> None:
        context["deps"] = deps
        context["p2p_team"] = _workspace_of(body, context)
        next()

    return middleware


def _workspace_of(body: dict[str, Any], context: BoltContext) -> str:
    """The workspace a request came from. Bolt's team id is the installation's (taken from
    `authorizations` for events, so a Slack Connect channel's owner does not count); under
    an org-wide install it may be missing (a modal has no `team`) or be the org itself, and
    the person's own workspace is used instead."""
    found = context.team_id
    if found and not found.startswith("E"):
        return found
    user = body.get("user")
    view = body.get("view")
    for candidate in (
        user.get("team_id") if isinstance(user, dict) else None,
        view.get("team_id") if isinstance(view, dict) else None,
        body.get("team_id"),
    ):
        if isinstance(candidate, str) and candidate and not candidate.startswith("E"):
            return candidate
    return found or ""


def deps(context: BoltContext) -> Deps:
    return context["deps"]


def team(context: BoltContext) -> str:
    """The workspace the request came from: groups are looked up in it, and only in it."""
    return str(context.get("p2p_team") or context.team_id or "")


def enterprise(context: BoltContext) -> str | None:
    """The org (Enterprise Grid) of the request's workspace, if any."""
    return context.enterprise_id
