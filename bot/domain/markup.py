"""The messages the domain writes (its refusals, mostly) are in Slack's mrkdwn, like the
renderers' text: a name someone typed goes in through `escape`, so `R&D <notes>` shows as
typed and a topic cannot ping `<!channel>`."""

from __future__ import annotations


def escape(text: str) -> str:
    """`&`, `<`, `>` as entities: nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
