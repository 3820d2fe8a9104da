"""Each week: the prompt before the session, the attendance check when it starts, and the
facilitator's changes to the calendar."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    SectionBlock,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.render.format import local_clock, mention, people, shorten, truncate, user_text, when
from bot.slack.render.message import Message
from bot.store.models import Attendance, Group, GroupFormat, GroupState, Week

HOW_TO_PREPARE = {
    GroupFormat.STUDY_AND_PRESENT: (
        "Find a publication, a talk or an open-source system on this topic and be ready to "
        "explain it to the others in about ten minutes."
    ),
    GroupFormat.WEEKLY_PROBLEM: (
        "Have a go at a problem on this topic before the session and bring your attempt, "
        "finished or not: the session compares approaches."
    ),
    GroupFormat.COURSE: (
        "Do this week's part of the course and bring one thing that clicked and one that didn't."
    ),
    GroupFormat.SIDE_PROJECT: (
        "Move your part of the project forward and be ready to show what changed and where "
        "you're stuck."
    ),
    GroupFormat.WRITING: (
        "Post your draft in this thread a day before the session so the others can read it, "
        "and bring feedback on theirs."
    ),
}


def topic_of(week: Week) -> str:
    return week.topic or "open — bring what you found most interesting"


def prompt_message(group: Group, week: Week, *, moved: bool = False) -> Message:
    total = len(group.weeks_planned)
    blocks: list[Block] = [
        HeaderBlock(text=shorten(f"📖 Week {week.number} of {total}: {topic_of(week)}", 150)),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    f"{'*Moved:* ' if moved else ''}*Session:* "
                    f"{when(week.starts_at, group.timezone)}"
                    + (f"\n*Where:* {user_text(group.place, 300)}" if group.place else "")
                )
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(text=f"*How to prepare*\n{HOW_TO_PREPARE[group.format]}")
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text="🧵 *Share what you found in this thread.* Links posted here are kept as "
                "the group's material."
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Can't make it? Click *Can't make it* on the attendance check when "
                    "the session starts — you'll get a catch-up. Propose future topics with "
                    "`/p2p propose &lt;topic&gt;`."
                )
            ]
        ),
    ]
    text = f"Week {week.number} of {total} of {user_text(group.topic)}: {user_text(topic_of(week))}"
    return Message(text=text, blocks=blocks)


def attendance_message(group: Group, week: Week, answers: dict[str, Attendance]) -> Message:
    members = [m.user_id for m in group.members]
    here = [u for u in members if u in answers and answers[u].present]
    away = [u for u in members if u in answers and not answers[u].present]
    unknown = [u for u in members if u not in answers]
    lines = [f"✅ Here: {people(here)}", f"🚫 Can't make it: {people(away)}"]
    if unknown:
        lines.append(f"❔ No answer yet: {people(unknown)}")
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"👋 *Week {week.number} — {user_text(topic_of(week), 200)}* is starting. "
                "Who's here?"
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000))),
        ActionsBlock(
            block_id="attendance_actions",
            elements=[
                ButtonElement(
                    text="I'm here",
                    action_id=ids.ATTEND_HERE,
                    value=f"{group.id}:{week.number}",
                    style="primary",
                ),
                ButtonElement(
                    text="Can't make it",
                    action_id=ids.ATTEND_AWAY,
                    value=f"{group.id}:{week.number}",
                ),
                ButtonElement(
                    text="Correct answers",
                    action_id=ids.ATTEND_CORRECT,
                    value=f"{group.id}:{week.number}",
                ),
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"The facilitator, {mention(group.facilitator_id)}, can correct anyone's "
                    "answer."
                )
            ]
        ),
    ]
    text = f"Week {week.number} of {user_text(group.topic)} is starting — who's here?"
    return Message(text=text, blocks=blocks)


def attendance_modal(group: Group, week: Week, answers: dict[str, Attendance]) -> View:
    present = [u for u, a in answers.items() if a.present and group.is_member(u)]
    return View(
        type="modal",
        callback_id=ids.ATTEND_CORRECT,
        private_metadata=json.dumps({"group_id": group.id, "week": week.number}),
        title=f"Week {week.number} attendance",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"Who was at week {week.number}'s session of "
                    f"*{user_text(group.topic, 200)}*? Members you leave out are marked as "
                    "having missed it."
                )
            ),
            InputBlock(
                block_id="present",
                label="Who was there",
                optional=True,
                element=UserMultiSelectElement(
                    action_id="present", initial_users=present or None, placeholder="Members"
                ),
            ),
        ],
    )


def move_modal(group: Group, week: Week) -> View:
    local = week.starts_at.astimezone(ZoneInfo(group.timezone))
    return View(
        type="modal",
        callback_id=ids.SESSION_MOVE,
        private_metadata=json.dumps({"group_id": group.id}),
        title="Move next session",
        submit="Move",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"Week {week.number} is now on {local_clock(week.starts_at, group.timezone)}. "
                    f"Only this session moves. Times are in {group.timezone}."
                )
            ),
            InputBlock(
                block_id="move_date",
                label="New date",
                element=DatePickerElement(
                    action_id="move_date", initial_date=local.date().isoformat()
                ),
            ),
            InputBlock(
                block_id="move_time",
                label="New time",
                element=TimePickerElement(action_id="move_time", initial_time=f"{local:%H:%M}"),
            ),
        ],
    )


def announcement(text: str) -> Message:
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def skipped_text(group: Group, week: Week) -> str:
    return (
        f"🏖️ No *{user_text(group.topic)}* session this week: week {week.number} and the ones after it "
        f"move a week later. Week {week.number} is now on "
        f"{when(week.starts_at, group.timezone)}."
    )


def moved_text(group: Group, week: Week) -> str:
    return (
        f"📅 Week {week.number} of *{user_text(group.topic)}* moves to "
        f"{when(week.starts_at, group.timezone)}. The sessions after it stay as they were."
    )


def paused_text(group: Group) -> str:
    return (
        f"⏸️ *{user_text(group.topic)}* is paused: no prompts, checks or votes until "
        f"{mention(group.facilitator_id)} resumes it."
    )


def resumed_text(group: Group, week: Week | None) -> str:
    topic = user_text(group.topic)
    if week is None:
        return f"▶️ *{topic}* is back on."
    return (
        f"▶️ *{topic}* is back on. Next up, week {week.number} on "
        f"{when(week.starts_at, group.timezone)}."
    )


# What Slack's error says happened to the channel, and what brings the group back.
_CHANNEL_LOST = {
    "is_archived": ("the channel was archived", "Unarchive it and add me back with `/invite @p2p`"),
    "channel_not_found": (
        "I can't find the channel any more (it was deleted, or made private without me)",
        "If it still exists, add me back with `/invite @p2p` and run `/p2p resume` there; "
        "if it was deleted, start the group again with `/p2p start` in another channel",
    ),
}
_REMOVED = ("I was removed from the channel", "Add me back with `/invite @p2p` in the channel")


def channel_lost_dm(group: Group, error: str = "not_in_channel") -> Message:
    paused = group.state is GroupState.PAUSED
    what, fix = _CHANNEL_LOST.get(error, _REMOVED)
    resume = ", then run `/p2p resume` there." if paused and error != "channel_not_found" else "."
    text = (
        f"I can't post in <#{group.channel_id}> any more: {what}. "
        f"{'I have paused' if paused else 'This affects'} *{user_text(group.topic)}*. "
        f"{fix}{resume}"
    )
    return announcement(text)
