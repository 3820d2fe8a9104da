"""Small text helpers shared by every renderer.

Text people typed is stored as they meant it (`R&D`, `<templates>`). Slack reads `&`, `<` and
`>` in mrkdwn (and in a message's `text`) as its own markup, so every bit of typed text that goes
into mrkdwn passes through `user_text` (or `escape`, `link`): `R&amp;D`, `&lt;templates&gt;`.
`plain_text` (headers, buttons, options, input values) is shown as-is and is not escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.domain.markup import escape, typed
from bot.store.models import Group, GroupFormat

__all__ = ["escape", "typed"]  # the renderers take it from here with the other helpers

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

FORMAT_LABELS = {
    GroupFormat.STUDY_AND_PRESENT: "Study & present",
    GroupFormat.WEEKLY_PROBLEM: "Hands-on problem each week",
    GroupFormat.COURSE: "Follow a course together",
    GroupFormat.SIDE_PROJECT: "Build a side project",
    GroupFormat.WRITING: "Writing with peer feedback",
}

# The answers offered for "how much time a week can you give", in minutes.
COMMITMENT_CHOICES = [30, 60, 90, 120, 180, 240, 360, 480]


def user_text(text: str, limit: int | None = None) -> str:
    """What a person typed, for mrkdwn (see `typed`), at most `limit` characters as sent:
    the limit holds for text that escaping makes longer (`<` is `&lt;`), and the cut never
    splits an entity or a mention."""
    shown = typed(text)
    return truncate(shown, limit) if limit is not None else shown


_URL_UNSAFE = re.compile(r"[\s<>|]")


def link_target(url: str) -> str:
    """A URL someone gave, safe inside `<…>`: it cannot end the link early (`|`, `>`) or open
    markup (`<`); `&` is written as Slack wants it in markup, `&amp;`."""
    return _URL_UNSAFE.sub(lambda c: quote(c.group(0), safe=""), url).replace("&", "&amp;")


def link(url: str, label: str | None = None) -> str:
    """`<url|label>` for mrkdwn; `label` is plain text (escaped here)."""
    target = link_target(url)
    return f"<{target}|{escape(label)}>" if label else f"<{target}>"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def people(user_ids: Iterable[str]) -> str:
    names = [mention(u) for u in user_ids]
    if not names:
        return "nobody yet"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def schedule(group: Group) -> str:
    start = datetime.combine(datetime(2000, 1, 1), group.session_time)
    end = start + timedelta(minutes=group.session_minutes)
    return (
        f"{WEEKDAYS[group.weekday]}s, {start:%H:%M}–{end:%H:%M} ({group.timezone}), "
        f"for {plural(group.weeks, 'week')}"
    )


_ENTITIES = ("&amp;", "&lt;", "&gt;")


def shorten(text: str, limit: int) -> str:
    """Plain text (a header, a form's value) at most `limit` characters, `…` when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, with `…` when cut. On mrkdwn the cut never splits an
    `&amp;`, `&lt;` or `&gt;` (that would show `&am…`), nor a `<link|label>`."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    start = head.rfind("&", max(0, len(head) - 4))
    if start != -1 and any(
        text.startswith(e, start) and start + len(e) > len(head) for e in _ENTITIES
    ):
        head = head[:start]
    if head.rfind("<") > head.rfind(">"):  # nor a link or mention: `<https://…` unclosed
        head = head[: head.rfind("<")]
    return head + "…"


def when(instant: datetime, timezone: str) -> str:
    """A moment shown in each reader's own time zone, with the group's clock as fallback."""
    local = instant.astimezone(ZoneInfo(timezone))
    fallback = f"{local:%A %d %B, %H:%M} ({timezone})"
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def local_clock(instant: datetime, timezone: str) -> str:
    return f"{instant.astimezone(ZoneInfo(timezone)):%A %H:%M} ({timezone})"


def bar(count: int, total: int, width: int = 10) -> str:
    filled = round(width * count / total) if total else 0
    return "█" * filled + "░" * (width - filled)


NUMBER_EMOJI = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"]
