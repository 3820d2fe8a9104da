"""Bolt listeners, one module per feature; each exposes `register(app)`."""

from slack_bolt import App

from bot.slack.listeners import (
    board,
    checkins,
    commands,
    events,
    home,
    kickoff,
    recruitment,
    retro,
    topics,
    weekly,
)


def register_all(app: App) -> None:
    for module in (
        commands,
        recruitment,
        board,
        kickoff,
        weekly,
        topics,
        checkins,
        retro,
        events,
        home,
    ):
        module.register(app)
