"""The interest board, the want form, proposals to a facilitator, and what people waiting
on a topic are told."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.cohorts import Availability, LeftOut, Reason, Slot
from bot.domain.interest import (
    TOPIC_MAX,
    WHY_MAX,
    WINDOWS,
    Board,
    BoardLine,
    WantOutcome,
    hours_to_windows,
    next_instant,
)
from bot.slack import ids
from bot.slack.render.format import (
    WEEKDAYS,
    mention,
    plural,
    schedule,
    shorten,
    truncate,
    user_text,
)
from bot.slack.render.message import Message
from bot.store.models import Group

NUMBERS = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
DEFAULT_DAYS = {0, 1, 2, 3}

# A topic name as sent (150 typed characters, longer once escaped): twenty fit a message.
NAME_SHOWN = 300


def count_word(n: int) -> str:
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)


def want_button(text: str = "I want to learn…") -> ButtonElement:
    """The App Home button that opens the want form."""
    return ButtonElement(text=text, action_id=ids.WANT_OPEN, value="0")


# --- the form -------------------------------------------------------------------------------


def want_modal(
    *, topic: str = "", timezone: str = "", availability: Availability | None = None
) -> View:
    days = set(availability.weekdays) if availability else DEFAULT_DAYS
    windows = set(hours_to_windows(availability.hours)) if availability else set()
    day_options = [Option(text=name, value=str(i)) for i, name in enumerate(WEEKDAYS)]
    window_options = [Option(text=label, value=key) for key, (label, _, _) in WINDOWS.items()]
    return View(
        type="modal",
        callback_id=ids.WANT_VIEW,
        private_metadata=json.dumps({}),
        title="I want to learn…",
        submit="Add me",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="When enough people want the same topic at an hour they share, I'll "
                    "propose a group to someone who'd facilitate it, and invite you."
                )
            ),
            InputBlock(
                block_id="topic",
                label="Topic",
                element=PlainTextInputElement(
                    action_id="topic",
                    initial_value=shorten(topic, TOPIC_MAX) or None,
                    max_length=TOPIC_MAX,
                    placeholder="e.g. Kubernetes",
                ),
            ),
            InputBlock(
                block_id="why",
                label="Why (optional)",
                optional=True,
                element=PlainTextInputElement(action_id="why", multiline=True, max_length=WHY_MAX),
            ),
            InputBlock(
                block_id="weekdays",
                label="Days you could meet",
                element=CheckboxesElement(
                    action_id="weekdays",
                    options=day_options,
                    initial_options=[o for o in day_options if int(o.value or 0) in days],
                ),
            ),
            InputBlock(
                block_id="windows",
                label="Times of day (your time zone)",
                element=CheckboxesElement(
                    action_id="windows",
                    options=window_options,
                    initial_options=[o for o in window_options if o.value in windows] or None,
                ),
            ),
            InputBlock(
                block_id="timezone",
                label="Your time zone",
                hint="From your Slack profile, e.g. Europe/Amsterdam or America/New_York.",
                element=PlainTextInputElement(
                    action_id="timezone", initial_value=timezone or None, max_length=64
                ),
            ),
        ],
    )


def want_reply(outcome: WantOutcome, typed: str, related: Sequence[BoardLine]) -> str:
    name = user_text(outcome.topic.name)
    joined = f" (it joined *{name}*, the same topic written differently)" if outcome.merged else ""
    head = (
        f"Updated: you want *{name}*{joined}." if outcome.already else f"You want *{name}*{joined}."
    )
    others = outcome.wanting - 1
    if others <= 0:
        line = "You're the first. I'll propose a group when at least four want it at an hour they share."
    else:
        who = "One other person wants" if others == 1 else f"{others} others want"
        line = (
            f"{who} it too. I'll propose a group when at least four want it at an hour they share."
        )
    text = f"{head} {line}"
    if related and others < 3:
        text += " Meanwhile, people are waiting on " + _topics(related) + "."
    return text + " See the board with `/p2p want`."


def _topics(lines: Sequence[BoardLine]) -> str:
    return " and ".join(f"*{user_text(line.name, NAME_SHOWN)}* ({line.wanting})" for line in lines)


# --- the board ------------------------------------------------------------------------------


def board_blocks(board: Board) -> list[Block]:
    if not board.lines:
        return [
            SectionBlock(
                text=MarkdownTextObject(
                    text="Nobody has said what they want to learn yet. Be the first: "
                    "`/p2p want &lt;topic&gt;`."
                )
            ),
            ActionsBlock(block_id="board_actions", elements=[want_button()]),
        ]
    blocks: list[Block] = []
    for line in board.lines:
        you = " · you do" if line.mine else ""
        formed = f" · {plural(line.groups_formed, 'group')} formed" if line.groups_formed else ""
        button = (
            ButtonElement(text="Not any more", action_id=ids.WANT_DROP, value=str(line.topic_id))
            if line.mine
            else ButtonElement(
                text="I want this too", action_id=ids.WANT_TOO, value=str(line.topic_id)
            )
        )
        blocks.append(
            SectionBlock(
                block_id=f"topic_{line.topic_id}",
                text=MarkdownTextObject(
                    text=truncate(
                        f"*{user_text(line.name, NAME_SHOWN)}*\n"
                        f"{plural(line.wanting, 'person', 'people')} want it{you}{formed}",
                        3000,
                    )
                ),
                accessory=button,
            )
        )
    more = board.topics - len(board.lines)
    footer = f"{more} more topics with fewer people. " if more > 0 else ""
    footer += (
        f"Groups formed from this board so far: {board.groups_formed}. "
        "At four people who share an hour, I propose a group."
    )
    blocks += [
        ContextBlock(elements=[MarkdownTextObject(text=footer)]),
        ActionsBlock(block_id="board_actions", elements=[want_button()]),
    ]
    return blocks


def board_message(board: Board) -> Message:
    blocks: list[Block] = [HeaderBlock(text="What people want to learn"), *board_blocks(board)]
    summary = ", ".join(f"{user_text(line.name)} ({line.wanting})" for line in board.lines[:10])
    return Message(text=f"What people want to learn: {summary or 'nothing yet'}", blocks=blocks)


def home_section(board: Board) -> list[Block]:
    """The board for App Home: a header, the topics, and the **I want to learn…** button."""
    return [HeaderBlock(text="What people want to learn"), *board_blocks(board)]


# --- proposals --------------------------------------------------------------------------------


def local_times(slot: Slot, zones: Sequence[str], now: datetime) -> str:
    moment = next_instant(slot, now)
    seen: dict[str, tuple[float, str]] = {}
    for zone in zones:
        try:
            local = moment.astimezone(ZoneInfo(zone))
        except (ValueError, OSError, KeyError):
            continue
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        day = "" if local.weekday() == slot.weekday else f" {WEEKDAYS[local.weekday()]}"
        delta = local.utcoffset()
        offset = delta.total_seconds() if delta else 0.0
        seen.setdefault(city, (offset, f"{local:%H:%M}{day} in {city}"))
    parts = [text for _, text in sorted(seen.values())]
    if len(parts) > 3:
        return f"{parts[0]} … {parts[-1]}"
    return ", ".join(parts)


def slot_text(slot: Slot) -> str:
    return f"{WEEKDAYS[slot.weekday]}s {slot.start:%H:%M} UTC"


def proposal_dm(
    *,
    proposal_id: int,
    topic: str,
    slot: Slot,
    members: Sequence[str],
    zones: Sequence[str],
    now: datetime,
) -> Message:
    topic = user_text(topic)
    n = len(members)
    all_of = "both" if n == 2 else f"all {count_word(n)}"
    locals_ = local_times(slot, zones, now)
    text = (
        f"{count_word(n).capitalize()} people want *{topic}*; {slot_text(slot)} works for "
        f"{all_of}" + (f" ({locals_})" if locals_ else "") + ". Start it?"
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000))),
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate(f"*Who*\n{', '.join(mention(u) for u in members)}", 3000)
                )
            ),
            ActionsBlock(
                block_id="proposal_actions",
                elements=[
                    ButtonElement(
                        text="Start this group",
                        action_id=ids.PROPOSAL_START,
                        value=str(proposal_id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Not me", action_id=ids.PROPOSAL_DECLINE, value=str(proposal_id)
                    ),
                ],
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="You'd facilitate: I do the chores, you steer. You pick the channel; "
                        "the form comes filled in. If you don't answer within a week, I'll ask "
                        "someone else."
                    )
                ]
            ),
        ],
    )


def declined_reply(topic: str) -> str:
    return f"No problem — I'll ask someone else to start *{user_text(topic)}*."


def invite_dm(group: Group) -> Message:
    text = (
        f"A *{user_text(group.topic)}* group is starting in <#{group.channel_id}>, at an hour that fits "
        f"the times you gave: {schedule(group)}. Want in?"
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000))),
            ActionsBlock(
                block_id="invite_actions",
                elements=[
                    ButtonElement(
                        text="Join", action_id=ids.JOIN, value=str(group.id), style="primary"
                    )
                ],
            ),
        ],
    )


def notice_dm(topic: str, left: LeftOut, related: Sequence[BoardLine]) -> Message:
    """Why someone waiting on a topic is not in a proposed group, and what would help."""
    topic = user_text(topic)
    best = slot_text(left.best_slot) if left.best_slot else None
    if left.reason is Reason.NO_ROOM:
        text = (
            f"Enough people for a *{topic}* group share your hours, and I've proposed "
            "the groups that fit: they're full, so you're first in line for the next one. "
            "Nothing to do — you stay on the board."
        )
    elif left.reason is Reason.NO_TIMES:
        text = (
            f"You're on the board for *{topic}*, but none of the hours you gave stays free at "
            "one fixed time through the coming weeks (a clock change moves it). Add an hour "
            "either side with `/p2p want " + topic + "` and I can match you."
        )
    else:
        others = left.others_then
        where = f" at {best}" if best else ""
        text = (
            f"A *{topic}* group is forming, but not at an hour you gave: "
            f"{_others(others)} free{where}, and a group needs {left.short_by} more. "
            f"Another time window would help: update your times with `/p2p want {topic}`."
        )
    if related:
        text += " People are also waiting on " + _topics(related) + "."
    return Message(text=text)


def unstaffed_dm(topic: str, slot: Slot, size: int) -> Message:
    """A cohort everyone asked turned down: any of them can start it."""
    topic = user_text(topic)
    return Message(
        text=f"{count_word(size).capitalize()} people who want *{topic}*, you among them, can "
        f"all meet on {slot_text(slot)} — but nobody I asked could facilitate it. Would you? "
        f"Run `/p2p start {topic}` in a channel (I'll do the chores), and I'll invite the others."
    )


def _others(n: int) -> str:
    return {0: "nobody else is", 1: "one other person is"}.get(n, f"{n} others are")


def group_started_reply(topic: str, invited: int, not_fitting: int) -> str:
    text = (
        f"I've invited {plural(invited, 'person', 'people')} waiting on *{user_text(topic)}* "
        "to join."
    )
    if not_fitting:
        text += (
            f" {plural(not_fitting, 'person', 'people')} who wanted it can't make this hour; "
            "they stay on the board."
        )
    return text
