"""App Home: the person's groups and what waits for them, the open groups, starting one,
and — for program owners — the program view.

The Home tab is assembled from a list of sections (lists of blocks), so another feature can
add its own: `home_view([your_groups(...), open_groups(...), board.home_section(...), ...])`.
Block Kit allows 100 blocks in a Home tab: `home_view` keeps the first sections whole and
says how much it left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain import slots
from bot.domain.home import HomeData, MyGroup, OpenGroup, Waiting
from bot.slack import ids
from bot.slack.render.format import WEEKDAYS, plural, user_text
from bot.slack.render.help import STATE_LABELS
from bot.store.models import Group, GroupState, MemberStatus

HOME_BLOCKS = 100
Section = Sequence[Block]


def home_view(sections: Sequence[Section]) -> View:
    blocks: list[Block] = []
    for number, section in enumerate(sections):
        if not section:
            continue
        room = HOME_BLOCKS - len(blocks) - (1 if blocks else 0)
        if len(section) > room:
            left = sum(1 for s in sections[number:] if s)
            blocks.append(
                ContextBlock(
                    elements=[
                        MarkdownTextObject(
                            text=f"…{plural(left, 'more section')} didn't fit here; "
                            "try `/p2p status` or `/p2p stats`."
                        )
                    ]
                )
            )
            break
        if blocks:
            blocks.append(DividerBlock())
        blocks.extend(section)
    return View(type="home", blocks=blocks[:HOME_BLOCKS])


# --- your groups -----------------------------------------------------------------------------

WAITING_LABELS = {
    "checkin": "Check in for week {week}",
    "vote": "Vote on the next topic",
    "attendance": "Were you there in week {week}?",
}


def your_groups(home: HomeData, links: Mapping[tuple[int, str, int], str]) -> list[Block]:
    """`links` maps (group id, kind, week) to the permalink of the message that does it."""
    blocks: list[Block] = [HeaderBlock(text="Your groups")]
    if not home.mine:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="You're not in a peer group yet. Join one of the open groups below, "
                    "or start your own."
                )
            )
        )
        return blocks
    for mine in home.mine:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_my_group_line(mine, home))))
        actions = [_waiting_button(mine.group, w, links) for w in mine.waiting]
        if mine.status is MemberStatus.MEMBER and not mine.group.is_ended:
            actions.append(
                ButtonElement(
                    text="Add to calendar", action_id=ids.CALENDAR, value=str(mine.group.id)
                )
            )
        if actions:
            blocks.append(ActionsBlock(block_id=f"home_group_{mine.group.id}", elements=actions))
    if home.mine_total > len(home.mine):
        rest = home.mine_total - len(home.mine)
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"…and {plural(rest, 'more group')} (see `/p2p status` in its channel)."
                    )
                ]
            )
        )
    return blocks


def _my_group_line(mine: MyGroup, home: HomeData) -> str:
    group = mine.group
    line = f"*{user_text(group.topic, 150)}* — {STATE_LABELS[group.state]} in <#{group.channel_id}>"
    if mine.status is MemberStatus.WAITLISTED:
        line += f"\nYou're on the waitlist, place #{mine.waitlist_place}."
    if mine.next_session is not None:
        week = mine.next_session
        line += (
            f"\nNext: week {week.number} of {group.weeks}, "
            f"{_your_time(week.starts_at, home.timezone)}"
        )
        if week.topic:
            line += f" — _{user_text(week.topic, 200)}_"
    elif group.state is GroupState.RECRUITING:
        short = group.min_members - len(group.members)
        line += f"\n{_your_schedule(group, home.timezone, home.now)}"
        line += f" · {short} more to start" if short > 0 else " · ready for a kick-off"
    if group.place and not group.is_ended:
        line += f"\nWhere: {user_text(group.place, 300)}"
    if mine.waiting:
        line += "\n*Waiting for you:* " + ", ".join(
            WAITING_LABELS[w.kind].format(week=w.week).lower() for w in mine.waiting
        )
    return line


def _waiting_button(
    group: Group, waiting: Waiting, links: Mapping[tuple[int, str, int], str]
) -> ButtonElement:
    label = WAITING_LABELS[waiting.kind].format(week=waiting.week)
    if waiting.kind == "checkin":
        return ButtonElement(
            text=label,
            action_id=ids.HOME_CHECKIN,
            value=f"{group.id}:{waiting.week}",
            style="primary",
        )
    # The vote and the attendance check live in the channel: the button goes there.
    url = links.get((group.id, waiting.kind, waiting.week))
    return ButtonElement(
        text=label,
        action_id=f"home_open_{waiting.kind}_{group.id}",
        url=url or f"https://slack.com/app_redirect?channel={group.channel_id}",
    )


# --- open groups -----------------------------------------------------------------------------


def open_groups(home: HomeData) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text="Open groups")]
    if not home.open_groups:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text="No other group is recruiting right now."))
        )
        return blocks
    for item in home.open_groups:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=_open_line(item, home.timezone, home.now)),
                accessory=ButtonElement(
                    text="Join" if item.members < item.group.seats else "Join the waitlist",
                    action_id=ids.HOME_JOIN,
                    value=str(item.group.id),
                ),
            )
        )
    if home.open_total > len(home.open_groups):
        rest = home.open_total - len(home.open_groups)
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"…and {rest} more recruiting.")])
        )
    return blocks


def _open_line(item: OpenGroup, timezone: str, now: datetime) -> str:
    group = item.group
    left = max(group.seats - item.members, 0)
    seats = f"{left} of {group.seats} seats left" if left else "full — waitlist open"
    line = (
        f"*{user_text(group.topic, 150)}* in <#{group.channel_id}>\n"
        f"{_your_schedule(group, timezone, now)} · {seats}"
    )
    if group.place:
        line += f"\nWhere: {user_text(group.place, 300)}"
    return line


def _your_schedule(group: Group, timezone: str, now: datetime) -> str:
    """The group's weekly slot, in the reader's time zone (and the group's, if different)."""
    first = slots.next_slot(now, group.weekday, group.session_time, group.timezone)
    local = first.astimezone(ZoneInfo(timezone))
    text = f"{WEEKDAYS[local.weekday()]}s at {local:%H:%M} your time"
    if timezone != group.timezone:
        text += f" ({WEEKDAYS[group.weekday]} {group.session_time:%H:%M} {group.timezone})"
    return text + f", {plural(group.weeks, 'week')}"


def _your_time(instant: datetime, timezone: str) -> str:
    local = instant.astimezone(ZoneInfo(timezone))
    return f"{local:%A %d %B, %H:%M} your time"


# --- start a group ---------------------------------------------------------------------------


def start_section() -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text="*Start a group*\nPick a topic and a channel; I'll recruit, schedule and "
                "run the chores. (I must be in the channel: add me there with `/invite @p2p`.)"
            ),
            accessory=ButtonElement(
                text="Start a group", action_id=ids.HOME_START, value="0", style="primary"
            ),
        )
    ]
