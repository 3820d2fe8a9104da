"""The kick-off: the nudge to schedule it, its form, and the kick-off thread itself."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
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
)
from slack_sdk.models.views import View

from bot.domain.kickoff import Expectations
from bot.slack import ids
from bot.slack.render.format import (
    FORMAT_LABELS,
    duration,
    local_clock,
    mention,
    people,
    plural,
    schedule,
    shorten,
    truncate,
    user_text,
)
from bot.slack.render.message import Message
from bot.store.models import Group, Kickoff

GOAL_SHOWN = 500

ABSENCE_POLICY = (
    "*When someone misses a week*\nSay so in the week's thread if you can. Whoever misses a "
    "session gets a catch-up message from me with the topic, the thread and the material, so "
    "they can catch up instead of dropping out. After two misses in a row I let the "
    "facilitator know, so they can check in."
)
GROUND_RULES = (
    "*Ground rules*\n• Come prepared, or say you couldn't — both are fine.\n"
    "• Explain, don't lecture; every question is a good one.\n"
    "• Start on time, end on time.\n"
    "• What people share about their work stays in the group."
)


def minimum_reached_dm(group: Group) -> Message:
    text = (
        f"🎉 *{user_text(group.topic)}* has {len(group.members)} members — enough to start. Pick a moment "
        "for the kick-off, where the group lines up what each of you expects. People can "
        "still join until you start the cycle."
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=text)),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Schedule kick-off",
                        action_id=ids.KICKOFF_SCHEDULE,
                        value=str(group.id),
                        style="primary",
                    )
                ]
            ),
        ],
    )


def schedule_modal(group: Group, now: datetime) -> View:
    local = now.astimezone(ZoneInfo(group.timezone)) + timedelta(days=1)
    return View(
        type="modal",
        callback_id=ids.KICKOFF_SCHEDULE,
        private_metadata=json.dumps({"group_id": group.id}),
        title="Schedule kick-off",
        submit="Schedule",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"When should the *{user_text(group.topic)}* kick-off thread go up in "
                    f"<#{group.channel_id}>? Times are in the group's zone, {group.timezone}."
                )
            ),
            InputBlock(
                block_id="kickoff_date",
                label="Date",
                element=DatePickerElement(
                    action_id="kickoff_date", initial_date=local.date().isoformat()
                ),
            ),
            InputBlock(
                block_id="kickoff_time",
                label="Time",
                element=TimePickerElement(
                    action_id="kickoff_time", initial_time=group.session_time.strftime("%H:%M")
                ),
            ),
        ],
    )


def kickoff_scheduled_reply(group: Group, kickoff: Kickoff) -> str:
    return (
        f"Kick-off round {kickoff.round} for *{user_text(group.topic)}* is set for "
        f"{local_clock(kickoff.scheduled_at, group.timezone)}; I'll post it in <#{group.channel_id}>."
    )


def kickoff_message(group: Group, kickoff: Kickoff, expectations: Expectations) -> Message:
    blocks: list[Block] = [
        HeaderBlock(text=shorten(f"🚀 Kick-off: {group.topic}", 150)),
        SectionBlock(
            text=MarkdownTextObject(
                text="Here is what each of us expects, side by side. Read it, raise anything "
                "that doesn't fit in this thread, then click *I'm aligned*."
            )
        ),
    ]
    for member in expectations.members:
        # Up to twelve goals share one message: each is cut to fit Slack's ~13k characters.
        goal = user_text(member.goal, GOAL_SHOWN) if member.goal else "_(no goal given)_"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate(
                        f"{mention(member.user_id)} · {duration(member.minutes_per_week)} a week\n"
                        f"{goal}",
                        3000,
                    )
                )
            )
        )
    blocks.append(
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Format*\n{FORMAT_LABELS[group.format]}"),
                MarkdownTextObject(text=f"*We meet*\n{schedule(group)}"),
            ]
        )
    )
    mismatches = mismatch_lines(expectations)
    if mismatches:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate("⚠️ *Worth talking about*\n" + "\n".join(mismatches), 3000)
                )
            )
        )
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=ABSENCE_POLICY)),
        SectionBlock(text=MarkdownTextObject(text=GROUND_RULES)),
        ContextBlock(elements=[MarkdownTextObject(text=alignment_line(group, kickoff))]),
        ActionsBlock(
            block_id="kickoff_actions",
            elements=[
                ButtonElement(
                    text="I'm aligned ✅",
                    action_id=ids.KICKOFF_ALIGNED,
                    value=str(kickoff.id),
                    style="primary",
                ),
                ButtonElement(
                    text="Start the cycle", action_id=ids.CYCLE_START, value=str(group.id)
                ),
                ButtonElement(
                    text="Run another kick-off", action_id=ids.KICKOFF_AGAIN, value=str(group.id)
                ),
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"_Start the cycle_ and _Run another kick-off_ are for the "
                    f"facilitator, {mention(group.facilitator_id)}."
                )
            ]
        ),
    ]
    text = f"Kick-off for {user_text(group.topic)}: expectations side by side — click I'm aligned."
    return Message(text=text, blocks=blocks)


def mismatch_lines(expectations: Expectations) -> list[str]:
    lines = []
    gap = expectations.gap
    if gap is not None:
        lines.append(
            f"• {mention(gap.low.user_id)} can give {duration(gap.low.minutes_per_week)} a week "
            f"and {mention(gap.high.user_id)} {duration(gap.high.minutes_per_week)} — "
            f"{gap.ratio:.0f}× apart. Agree on what a week's preparation looks like."
        )
    for awkward in expectations.awkward_hours:
        lines.append(
            f"• The session is at {awkward.local:%H:%M} for {mention(awkward.member.user_id)} "
            f"({awkward.member.timezone}). Does that time work?"
        )
    return lines


def alignment_line(group: Group, kickoff: Kickoff) -> str:
    aligned = [m.user_id for m in group.members if m.user_id in kickoff.aligned]
    waiting = [m.user_id for m in group.members if m.user_id not in kickoff.aligned]
    line = f"✅ Aligned: {people(aligned)}"
    if waiting:
        line += f" · waiting for {people(waiting)}"
    else:
        line += " · everyone is aligned 🎉"
    return line


def cycle_started_message(group: Group) -> Message:
    first = group.weeks_planned[0]
    text = (
        f"🏁 *{user_text(group.topic)}* has started: {len(group.weeks_planned)} weekly sessions, the "
        f"first on {local_clock(first.starts_at, group.timezone)}. I'll post each week's "
        f"prompt {plural(group.prompt_lead_hours, 'hour')} ahead, check who's here when the "
        "session starts, and run the topic vote at the end. Propose topics any time with "
        "`/p2p propose &lt;topic&gt;`."
    )
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
