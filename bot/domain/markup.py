"""The messages the domain writes (its refusals, mostly) are in Slack's mrkdwn, like the
renderers' text: a name someone typed goes in through `escape`, so `R&D <notes>` shows as
typed and a topic cannot ping `<!channel>`."""

from __future__ import annotations

import re

_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_ENTITY = re.compile("|".join(_ENTITIES))


def escape(text: str) -> str:
    """`&`, `<`, `>` as entities: nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """`&lt;`, `&gt;`, `&amp;` read as `<`, `>`, `&` (in one pass: `&amp;lt;` is `&lt;`)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)
