"""Bolt listeners, one module per feature; each exposes `register(app)`."""

from slack_bolt import App

from bot.slack.listeners import commands, events, kickoff, recruitment, topics, weekly


def register_all(app: App) -> None:
    for module in (commands, recruitment, kickoff, weekly, topics, events):
        module.register(app)
