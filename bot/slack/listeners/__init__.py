"""Bolt listeners, one module per feature; each exposes `register(app)`."""

from slack_bolt import App

from bot.slack.listeners import commands, recruitment


def register_all(app: App) -> None:
    commands.register(app)
    recruitment.register(app)
