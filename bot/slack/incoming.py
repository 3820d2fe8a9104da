"""Text people typed, as Slack sends it to us, made plain.

Slack sends a slash command's text (with `should_escape`) and a message's text in its own
markup: `&`, `<` and `>` as `&amp;` `&lt;` `&gt;`, links as `<https://…|label>`, channels
as `<#C…|name>`, broadcasts as `<!here>`. We keep what the person meant: the renderers
escape it again where it goes back into Slack's markup. Mentions of people (`<@U…>`) and
of channels Slack sent without a name (`<#C…>`) are the markup kept: they show a name.
"""

from __future__ import annotations

import re

from bot.domain.markup import unescape

# Slack's own tokens only: a "<" people type reaches us as "&lt;".
_MARKUP = re.compile(r"<((?:@[UW]|#[CG]|!|https?://|mailto:)[^<>]*)>")
_USER = re.compile(r"@([UW][A-Z0-9_]+)")


def plain(text: str) -> str:
    """`Read <https://raft.github.io|raft.github.io> &amp; <https://x.io/a|this>, <!here>`
    -> `Read https://raft.github.io & this (https://x.io/a), @here`."""
    return unescape(_MARKUP.sub(_readable, text))


def _readable(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):
        user = _USER.match(target)
        return f"<@{user.group(1)}>" if user else label or target
    if target.startswith("#"):
        return f"#{label}" if label else f"<{target}>"
    if target.startswith("!"):  # <!here>, <!subteam^S…|@team>, <!date^…|fallback>
        command = target[1:].split("^")[0]
        if command in ("here", "channel", "everyone"):
            return f"@{command}"
        return label or ("" if command == "date" else f"@{command}")
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    if not label or label in (target, target.split("://", 1)[-1]):
        return target
    return f"{label} ({target})"
