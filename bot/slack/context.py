"""What every listener needs besides Slack's own arguments, put on Bolt's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from slack_bolt import BoltContext

from bot.slack.refresh import Refresher
from bot.store import Store


@dataclass(frozen=True)
class Deps:
    store: Store
    refresher: Refresher = field(default_factory=Refresher)


def inject(deps: Deps) -> Callable[..., None]:
    def middleware(context: BoltContext, next: Callable[[], None]) -> None:
        context["deps"] = deps
        next()

    return middleware


def deps(context: BoltContext) -> Deps:
    return context["deps"]


def team(context: BoltContext) -> str:
    return context.team_id or ""
