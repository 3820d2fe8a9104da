"""The recruitment message and the two forms around it: start a group, join a group."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.domain.groups import (
    DEFAULT_MIN_MEMBERS,
    DEFAULT_SEATS,
    DEFAULT_WEEKS,
    MAX_SEATS,
    MAX_WEEKS,
    PLACE_MAX,
    TEXT_MAX,
    TOPIC_MAX,
    JoinOutcome,
    JoinResult,
)
from bot.slack import ids
from bot.slack.render.format import (
    COMMITMENT_CHOICES,
    FORMAT_LABELS,
    WEEKDAYS,
    duration,
    mention,
    people,
    plural,
    schedule,
    shorten,
    truncate,
    user_text,
)
from bot.slack.render.message import Message
from bot.store.models import Group, GroupFormat, GroupState


def recruitment_message(group: Group) -> Message:
    members = group.members
    waitlist = group.waitlist
    fields = [
        MarkdownTextObject(text=f"*Format*\n{FORMAT_LABELS[group.format]}"),
        MarkdownTextObject(text=f"*Schedule*\n{schedule(group)}"),
        MarkdownTextObject(text=f"*Facilitator*\n{mention(group.facilitator_id)}"),
        MarkdownTextObject(text=f"*Seats*\n{_seats_line(group)}"),
    ]
    if group.place:
        fields.append(MarkdownTextObject(text=truncate(f"*Where*\n{user_text(group.place)}", 2000)))
    blocks: list[Block] = [
        HeaderBlock(text=shorten(f"📚 {group.topic}", 150)),
    ]
    if group.why:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=truncate(f"*Why*\n{user_text(group.why)}", 3000))
            )
        )
    blocks += [
        SectionBlock(fields=fields),
        SectionBlock(
            text=MarkdownTextObject(
                text=truncate(
                    f"*Members ({len(members)}/{group.seats})*\n"
                    + people(m.user_id for m in members),
                    3000,
                )
            )
        ),
    ]
    if waitlist:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate(f"*Waitlist*\n{people(m.user_id for m in waitlist)}", 3000)
                )
            )
        )
    blocks.append(DividerBlock())
    if group.state is GroupState.RECRUITING:
        blocks += [
            ActionsBlock(
                block_id="recruitment_actions",
                elements=[
                    ButtonElement(
                        text="Join" if group.seats_left else "Join the waitlist",
                        action_id=ids.JOIN,
                        value=str(group.id),
                        style="primary",
                    ),
                    ButtonElement(text="Leave", action_id=ids.LEAVE, value=str(group.id)),
                    ButtonElement(
                        text="Add to calendar", action_id=ids.CALENDAR, value=str(group.id)
                    ),
                ],
            ),
            ContextBlock(elements=[MarkdownTextObject(text=_how_it_works(group))]),
        ]
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_state_line(group))]))
    text = f"Peer-learning group: {user_text(group.topic)} — {_seats_line(group)}"
    return Message(text=text, blocks=blocks)


def _seats_line(group: Group) -> str:
    if group.is_ended:
        return "closed"
    left = group.seats_left
    line = f"{left} of {group.seats} left" if left else f"full ({len(group.waitlist)} waiting)"
    short = group.min_members - len(group.members)
    if group.state is GroupState.RECRUITING and short > 0:
        line += f" · {short} more to start"
    return line


def _how_it_works(group: Group) -> str:
    return (
        f"One session a week for {plural(group.weeks, 'week')}. Everyone studies at home and "
        "explains what they learned; at the end of each session the group votes next week's topic."
    )


def _state_line(group: Group) -> str:
    return {
        GroupState.RUNNING: "The cycle is under way; this group is no longer recruiting.",
        GroupState.PAUSED: "This group is paused.",
        GroupState.COMPLETED: "This group has completed its cycle. 🎉",
        GroupState.STALLED: "This group has ended.",
        GroupState.CANCELLED: "This group was closed before it started.",
    }.get(group.state, "")


def join_reply(outcome: JoinOutcome) -> str:
    group = outcome.group
    if outcome.result is JoinResult.JOINED:
        return (
            f"You're in the *{user_text(group.topic)}* group. 🎉 Sessions: {schedule(group)}. "
            "You'll hear from me before the first one."
        )
    if outcome.result is JoinResult.ALREADY_MEMBER:
        return f"You're already a member of *{user_text(group.topic)}* — nothing to do."
    place = f"#{outcome.waitlist_position}"
    if outcome.result is JoinResult.ALREADY_WAITLISTED:
        return f"You're already on the *{user_text(group.topic)}* waitlist, at place {place}."
    return (
        f"The *{user_text(group.topic)}* group is full, so you're on the waitlist at place {place}. "
        "If a seat opens up you'll move up and I'll send you a message."
    )


def left_reply(group: Group) -> str:
    if group.state is GroupState.RECRUITING:
        return (
            f"You've left the *{user_text(group.topic)}* group. Your seat is free for someone else."
        )
    return (
        f"You've left the *{user_text(group.topic)}* group. I won't send you its check-ins any more — "
        "thanks for the weeks you were there."
    )


def cycle_started_without_you_dm(group: Group, place: int) -> Message:
    return Message(
        text=f"*{user_text(group.topic)}* has started its cycle with the members it had. You're still "
        f"#{place} on its waitlist: if someone leaves, the seat is yours and I'll tell you. "
        "Or start a group of your own with `/p2p start`."
    )


def promoted_dm(group: Group) -> Message:
    return Message(
        text=(
            f"A seat opened up in the *{user_text(group.topic)}* group in <#{group.channel_id}> and it's "
            f"yours now — you've moved up from the waitlist. Sessions: {schedule(group)}."
        )
    )


def facilitator_handover_dm(group: Group) -> Message:
    return Message(
        text=(
            f"You're now the facilitator of the *{user_text(group.topic)}* group in <#{group.channel_id}>: "
            "the previous facilitator left. I'll do the chores; you steer."
        )
    )


# --- the start form -------------------------------------------------------------------------


@dataclass(frozen=True)
class StartPrefill:
    """What the start form comes filled in with (a proposed cohort's day, time and zone)."""

    weekday: int = 3
    session_time: time = time(18)
    timezone: str | None = None  # None: the facilitator's own
    proposal_id: int | None = None


def start_modal(
    *,
    channel_id: str,
    topic: str,
    timezone: str,
    team_id: str = "",
    pick_channel: bool = False,
    prefill: StartPrefill | None = None,
) -> View:
    """The start form. Opened outside a channel (a DM, App Home), it asks for the channel."""
    prefill = prefill or StartPrefill()
    meta: dict[str, object] = {"channel_id": channel_id, "user_tz": timezone, "team_id": team_id}
    if prefill.proposal_id is not None:
        meta["proposal_id"] = prefill.proposal_id
    where: list[Block]
    if pick_channel:
        where = [
            SectionBlock(
                text=MarkdownTextObject(
                    text="You'll be the group's facilitator and first member; I'll handle the "
                    "chores. Pick the channel where it will recruit (invite me there first "
                    "with `/invite @p2p`)."
                )
            ),
            InputBlock(
                block_id=ids.START_CHANNEL,
                label="Channel",
                element=ConversationSelectElement(
                    action_id=ids.START_CHANNEL,
                    filter=ConversationFilter(
                        include=["public", "private"], exclude_bot_users=True
                    ),
                ),
            ),
        ]
    else:
        where = [
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"The group will recruit in <#{channel_id}>. You'll be its facilitator "
                    "and first member; I'll handle the chores."
                )
            )
        ]
    return View(
        type="modal",
        callback_id=ids.START_VIEW,
        private_metadata=json.dumps(meta),
        title="Start a P2P group",
        submit="Start recruiting",
        close="Cancel",
        blocks=[
            *where,
            _text_input(
                "topic",
                "Topic",
                initial=shorten(topic, TOPIC_MAX),
                max_length=TOPIC_MAX,
                placeholder="e.g. Distributed systems",
            ),
            _text_input(
                "why",
                "Why it matters",
                multiline=True,
                max_length=TEXT_MAX,
                placeholder="What will people be able to do after six weeks?",
            ),
            _text_input(
                "place",
                "Where you meet",
                optional=True,
                max_length=PLACE_MAX,
                placeholder="A call link or a room, e.g. https://meet.example.com/p2p",
            ),
            InputBlock(
                block_id="format",
                label="Format",
                element=_select(
                    "format",
                    [(label, fmt.value) for fmt, label in FORMAT_LABELS.items()],
                    initial=GroupFormat.STUDY_AND_PRESENT.value,
                ),
            ),
            InputBlock(
                block_id="weekday",
                label="Session day",
                element=_select(
                    "weekday",
                    [(name, str(i)) for i, name in enumerate(WEEKDAYS)],
                    initial=str(prefill.weekday),
                ),
            ),
            InputBlock(
                block_id="session_time",
                label="Session time",
                element=TimePickerElement(
                    action_id="session_time", initial_time=f"{prefill.session_time:%H:%M}"
                ),
            ),
            _text_input(
                "timezone",
                "Time zone",
                initial=prefill.timezone or timezone,
                max_length=64,
                hint="The group's clock, e.g. Europe/Amsterdam or America/New_York.",
            ),
            _number_input(
                "weeks", "Number of weeks", initial=DEFAULT_WEEKS, minimum=1, maximum=MAX_WEEKS
            ),
            _number_input(
                "seats",
                "Seats",
                initial=DEFAULT_SEATS,
                minimum=2,
                maximum=MAX_SEATS,
                hint="Six is the sweet spot: four or five turn up each week.",
            ),
            _number_input(
                "min_members",
                "Minimum to start",
                initial=DEFAULT_MIN_MEMBERS,
                minimum=2,
                maximum=MAX_SEATS,
            ),
            InputBlock(
                block_id="facilitator_minutes",
                label="Time you can give each week",
                element=_commitment_select("facilitator_minutes", initial=120),
            ),
            InputBlock(
                block_id="share_checkins",
                label="Weekly check-ins",
                optional=True,
                element=CheckboxesElement(
                    action_id="share_checkins",
                    options=[SHARE_CHECKINS],
                ),
                hint="Otherwise the group sees a summary and only you see each answer.",
            ),
        ],
    )


SHARE_CHECKINS = Option(text="Share each member's check-in answers with the group", value="share")


def join_modal(group: Group) -> View:
    return View(
        type="modal",
        callback_id=ids.JOIN_VIEW,
        private_metadata=json.dumps({"group_id": group.id}),
        title="Join the group",
        submit="Join",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate(f"*{user_text(group.topic)}*\n{schedule(group)}", 3000)
                )
            ),
            _text_input(
                "goal",
                "What do you want to learn, and why?",
                multiline=True,
                max_length=TEXT_MAX,
                hint="The group lines everyone's answers up at the kick-off.",
            ),
            InputBlock(
                block_id="minutes_per_week",
                label="Time you can give each week",
                element=_commitment_select("minutes_per_week", initial=None),
            ),
        ],
    )


def _text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    multiline: bool = False,
    max_length: int | None = None,
    placeholder: str | None = None,
    hint: str | None = None,
    optional: bool = False,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(
            action_id=block_id,
            initial_value=initial or None,
            multiline=multiline,
            max_length=max_length,
            placeholder=placeholder,
        ),
    )


def _number_input(
    block_id: str, label: str, *, initial: int, minimum: int, maximum: int, hint: str | None = None
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        element=NumberInputElement(
            action_id=block_id,
            is_decimal_allowed=False,
            initial_value=str(initial),
            min_value=str(minimum),
            max_value=str(maximum),
        ),
    )


def _select(
    action_id: str, choices: list[tuple[str, str]], *, initial: str | None
) -> StaticSelectElement:
    options = [Option(text=label, value=value) for label, value in choices]
    chosen = next((o for o in options if o.value == initial), None)
    return StaticSelectElement(action_id=action_id, options=options, initial_option=chosen)


def _commitment_select(action_id: str, *, initial: int | None) -> StaticSelectElement:
    return _select(
        action_id,
        [(duration(m), str(m)) for m in COMMITMENT_CHOICES],
        initial=str(initial) if initial else None,
    )
