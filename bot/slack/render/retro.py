"""Health signals for the facilitator, the retro thread, feedback, the cycle summary, and
how a group ends."""

from __future__ import annotations

import json
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.health import (
    FallingCheckins,
    FallingConfidence,
    LowAttendance,
    Signal,
    SilentMember,
)
from bot.domain.retro import Summary
from bot.slack import ids
from bot.slack.render.format import (
    WEEKDAYS,
    bar,
    link,
    mention,
    people,
    plural,
    shorten,
    truncate,
    user_text,
    when,
)
from bot.slack.render.message import Message
from bot.store.models import Group, GroupState, LearnedGoal, StallReason

STALL_REASONS = {
    StallReason.STRUCTURE: "Lack of structure",
    StallReason.TIME: "Lack of time",
    StallReason.EXPECTATIONS: "Incompatible expectations",
    StallReason.OTHER: "Something else",
}


# --- health -------------------------------------------------------------------------------


def health_dm(group: Group, week: int, found: list[Signal]) -> Message:
    slot = f"{WEEKDAYS[group.weekday]} {group.session_time:%H:%M}"
    lines = [_signal_line(s, slot) for s in found]
    topic = user_text(group.topic)
    text = f"🩺 *{topic}* after week {week} — worth a look:\n" + "\n".join(lines)
    return Message(
        text=f"{topic}: {plural(len(found), 'thing')} worth a look after week {week}",
        blocks=[SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000)))],
    )


def _signal_line(signal: Signal, slot: str) -> str:
    if isinstance(signal, LowAttendance):
        (a, b), (n, m) = signal.weeks, signal.counts
        return (
            f"• Thin sessions two weeks running: {n} in week {a}, {m} in week {b} (fewer than "
            f"{signal.threshold}). → Ask the group whether the {slot} slot still works."
        )
    if isinstance(signal, SilentMember):
        a, b = signal.weeks
        return (
            f"• {mention(signal.user_id)} missed weeks {a} and {b} and didn't check in. → Ask "
            f"{mention(signal.user_id)} whether the {slot} slot still works for them."
        )
    if isinstance(signal, FallingCheckins):
        rates = " → ".join(f"{r:.0%}" for r in signal.rates)
        return (
            f"• Fewer check-ins each week: {rates}. → Remind people that a two-line reply to my "
            "DM counts."
        )
    assert isinstance(signal, FallingConfidence)
    averages = " → ".join(f"{a:.1f}" for a in signal.averages)
    return (
        f"• Confidence is falling: {averages} out of 5. → Ask whether the topics got too deep; "
        "a recap session may help."
    )


def stalled_notice(group: Group) -> Message:
    text = (
        f"⚠️ *{user_text(group.topic)}* has had no session with two people for three weeks, so I've "
        "recorded it as stalled and stopped the weekly posts. It happens — time is the usual "
        "reason. Start a fresh cycle any time with `/p2p start`."
    )
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def ended_notice(group: Group) -> Message:
    reason = STALL_REASONS[group.stall_reason or StallReason.OTHER].lower()
    topic = user_text(group.topic)
    if group.state is GroupState.CANCELLED:
        text = f"*{topic}* was closed before its cycle started ({reason})."
    else:
        text = (
            f"*{topic}* has ended early ({reason}), so the weekly posts stop here. "
            "Thanks to everyone who took part."
        )
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def end_modal(group: Group) -> View:
    return View(
        type="modal",
        callback_id=ids.END_GROUP,
        private_metadata=json.dumps({"group_id": group.id}),
        title="End the group",
        submit="End it",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"End *{user_text(group.topic, 200)}* before its last week? Saying why "
                    "helps your organisation run better groups."
                )
            ),
            InputBlock(
                block_id="reason",
                label="Why is it ending?",
                element=RadioButtonsElement(
                    action_id="reason",
                    options=[
                        Option(text=label, value=r.value) for r, label in STALL_REASONS.items()
                    ],
                ),
            ),
            InputBlock(
                block_id="note",
                label="Anything to add",
                optional=True,
                element=PlainTextInputElement(action_id="note", multiline=True, max_length=1000),
            ),
        ],
    )


# --- the retro ----------------------------------------------------------------------------


def retro_message(group: Group, feedback_until: datetime) -> Message:
    return Message(
        text=f"Retro for {user_text(group.topic)}: reply in the thread, and give feedback",
        blocks=[
            HeaderBlock(text=shorten(f"🏁 Retro: {group.topic}", 150)),
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"{plural(len(group.weeks_planned), 'week')} done. Reply in this "
                    "thread, on two levels:\n"
                    "1. *The topic* — what did you learn? What will you use at work?\n"
                    "2. *The group* — what did you learn about learning with peers? What would "
                    "you keep, or change, next time?"
                )
            ),
            ActionsBlock(
                block_id="retro_actions",
                elements=[
                    ButtonElement(
                        text="Give feedback",
                        action_id=ids.FEEDBACK,
                        value=str(group.id),
                        style="primary",
                    )
                ],
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Feedback is open until {when(feedback_until, group.timezone)}; the "
                        "cycle summary follows in this thread."
                    )
                ]
            ),
        ],
    )


YES_NO = [Option(text="Yes", value="yes"), Option(text="No", value="no")]
GOAL_OPTIONS = [
    Option(text="Yes", value=LearnedGoal.YES.value),
    Option(text="Partly", value=LearnedGoal.PARTLY.value),
    Option(text="No", value=LearnedGoal.NO.value),
]


def feedback_modal(group: Group) -> View:
    def radio(block_id: str, label: str, options: list[Option]) -> InputBlock:
        return InputBlock(
            block_id=block_id,
            label=label,
            element=RadioButtonsElement(action_id=block_id, options=options),
        )

    return View(
        type="modal",
        callback_id=ids.FEEDBACK,
        private_metadata=json.dumps({"group_id": group.id}),
        title="Feedback",
        submit="Send",
        close="Cancel",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"*{user_text(group.topic, 200)}*")),
            radio(
                "rating",
                "How was the group, all in all?",
                [Option(text="★" * n, value=str(n)) for n in range(1, 6)],
            ),
            radio("learned_goal", "Did you learn what you wanted to?", GOAL_OPTIONS),
            radio("join_again", "Would you join another group?", YES_NO),
            radio("facilitate", "Would you facilitate one?", YES_NO),
            InputBlock(
                block_id="topics_wanted",
                label="Topics you'd like a group on next",
                optional=True,
                element=PlainTextInputElement(
                    action_id="topics_wanted",
                    multiline=True,
                    max_length=1000,
                    placeholder="One per line",
                ),
            ),
        ],
    )


def feedback_thanks(group: Group) -> Message:
    return Message(
        text=f"Thanks for your feedback on *{user_text(group.topic)}*! You can send it again to change it."
    )


# --- the summary ---------------------------------------------------------------------------


def summary_message(summary: Summary) -> Message:
    group = summary.group
    chart = "\n".join(
        f"W{w.number} {bar(w.present, w.members)} {w.present}/{w.members}  {user_text(w.topic, 40)}"
        for w in summary.weeks
    )
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=f"📈 *Cycle summary: {user_text(group.topic, 150)}*")
        ),
        SectionBlock(
            text=MarkdownTextObject(text=truncate(f"*Attendance*\n```{chart or '—'}```", 3000))
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Check-ins:* {summary.checkin_rate:.0%} answered · "
                f"{summary.total_hours:g} h of study in total"
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text=truncate(
                    "*Topics covered*\n"
                    + "\n".join(f"{w.number}. {user_text(w.topic)}" for w in summary.weeks),
                    3000,
                )
            )
        ),
    ]
    if summary.material:
        links = "\n".join(f"• {link(r.url)}" for r in summary.material[:15])
        more = f"\n…and {len(summary.material) - 15} more" if len(summary.material) > 15 else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate(
                        f"*Material shared ({len(summary.material)})*\n{links}{more}", 3000
                    )
                )
            )
        )
    blocks.append(
        SectionBlock(text=MarkdownTextObject(text=truncate(_feedback_text(summary), 3000)))
    )
    return Message(text=f"Cycle summary for {user_text(group.topic)}", blocks=blocks)


def _feedback_text(summary: Summary) -> str:
    if not summary.feedback:
        return "*Feedback:* nobody sent any."
    n = len(summary.feedback)
    text = (
        f"*Feedback ({n} of {len(summary.group.members)}):* rated "
        f"{summary.average_rating:g}/5 · learned what they wanted: "
        f"{summary.count(LearnedGoal.YES)} yes, {summary.count(LearnedGoal.PARTLY)} partly, "
        f"{summary.count(LearnedGoal.NO)} no · would join another group: "
        f"{summary.would_join_again} of {n}"
    )
    if summary.would_facilitate:
        text += f" · would facilitate one: {people(summary.would_facilitate)} 🙌"
    return text
