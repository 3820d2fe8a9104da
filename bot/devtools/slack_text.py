"""What Slack sends for what a person types: the composer turns it into Slack's markup.

`&`, `<` and `>` become entities; `@name`, `#channel` and links become `<@U…>`, `<#C…|name>`
and `<https://…>` (a slash command with `should_escape` also gets the name: `<@U…|name>`).
Markup already in the text is kept, as if picked from the composer's autocomplete.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_MARKUP = re.compile(r"<(?:[@#!]|https?://|mailto:)[^<>\s]*(?:\|[^<>]*)?>")
_WORD = re.compile(r"(?<![\w/])([@#])([\w.-]*\w)|(https?://[^\s<>]+)")
_BROADCASTS = {"here", "channel", "everyone"}


def as_slack_sends(
    text: str, *, users: Mapping[str, str], channels: Mapping[str, str], named: bool
) -> str:
    """`users` and `channels`: name -> id; `named`: mentions carry the name too."""
    out, at = [], 0
    for markup in _MARKUP.finditer(text):
        out += [_format(text[at : markup.start()], users, channels, named), markup.group(0)]
        at = markup.end()
    out.append(_format(text[at:], users, channels, named))
    return "".join(out)


def _format(part: str, users: Mapping[str, str], channels: Mapping[str, str], named: bool) -> str:
    part = part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def markup(word: re.Match[str]) -> str:
        sigil, name, url = word.groups()
        if url:
            return f"<{url}>"
        if sigil == "@" and name in _BROADCASTS:
            return f"<!{name}>"
        if sigil == "@" and name in users:
            return f"<@{users[name]}|{name}>" if named else f"<@{users[name]}>"
        if sigil == "#" and name in channels:
            return f"<#{channels[name]}|{name}>"
        return word.group(0)

    return _WORD.sub(markup, part)
