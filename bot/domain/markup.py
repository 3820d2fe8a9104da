"""The messages the domain writes (its refusals, mostly) are in Slack's mrkdwn, like the
renderers' text: a name someone typed goes in through `typed`, so `R&D <notes>` shows as
typed and a topic cannot ping `<!channel>`."""

from __future__ import annotations

import re

_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_ENTITY = re.compile("|".join(_ENTITIES))


def escape(text: str) -> str:
    """`&`, `<`, `>` as entities: nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Mentions of a person or a channel, the markup kept in stored text (see
# bot/slack/incoming.py): they show a name, and notify nobody else.
_MENTION = re.compile(r"<(?:@[UW]|#C)[A-Z0-9_]+>")


def typed(text: str) -> str:
    """What a person typed, for mrkdwn: escaped, but for mentions of people and channels
    (`<@U…>`, `<#C…>`), which stay; a `<!channel>`, a link, `&` are shown as typed."""
    kept, at = [], 0
    for found in _MENTION.finditer(text):
        kept += [escape(text[at : found.start()]), found.group(0)]
        at = found.end()
    kept.append(escape(text[at:]))
    return "".join(kept)


def unescape(text: str) -> str:
    """`&lt;`, `&gt;`, `&amp;` read as `<`, `>`, `&` (in one pass: `&amp;lt;` is `&lt;`)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)
