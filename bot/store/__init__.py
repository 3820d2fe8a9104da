"""Persistence: the engine, sessions and typed models. Knows nothing of Slack."""

from bot.store.engine import Store, make_engine

__all__ = ["Store", "make_engine"]
