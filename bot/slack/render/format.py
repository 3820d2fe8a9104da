"""Small text helpers shared by every renderer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.store.models import Group, GroupFormat

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


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
