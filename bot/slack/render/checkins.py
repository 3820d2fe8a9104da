"""After each session: the check-in DM and form, the reminder, the digest, and the catch-up."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.checkins import Digest
from bot.slack import ids
from bot.slack.render.format import link, mention, truncate, user_text
from bot.slack.render.message import Message
from bot.slack.render.weekly import topic_of
from bot.store.models import CheckIn, Group, Resource, Week

ANSWER_SHOWN = 150
CONFIDENCE = ["1 — lost", "2 — shaky", "3 — getting there", "4 — solid", "5 — could teach it"]


def checkin_dm(group: Group, week: Week, closes: str, *, reminder: bool = False) -> Message:
    topic = user_text(group.topic)
    opener = (
        f"⏰ Reminder: your week {week.number} check-in for *{topic}* is still open."
        if reminder
        else f"📝 *Week {week.number} check-in — {user_text(topic_of(week), 150)}* "
        f"({topic})\nHow did this week go? It takes a minute."
    )
    shared = (
        "Your answers are shared with the group."
        if group.share_checkins
        else "The group sees a summary; the facilitator sees your answers."
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=truncate(opener, 3000))),
        ActionsBlock(
            block_id="checkin_actions",
            elements=[
                ButtonElement(
                    text="Check in",
                    action_id=ids.CHECKIN,
                    value=f"{group.id}:{week.number}",
                    style="primary",
                )
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Or just reply here in a sentence or two. Open until {closes}. {shared}"
                )
            ]
        ),
    ]
    text = f"Week {week.number} check-in for {topic}"
    return Message(text=("Reminder: " if reminder else "") + text, blocks=blocks)


def checked_in_dm(group: Group, week: Week) -> Message:
    text = f"✅ You checked in for week {week.number} of *{user_text(group.topic)}* — thanks!"
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=text)),
            ActionsBlock(
                block_id="checkin_actions",
                elements=[
                    ButtonElement(
                        text="Edit check-in",
                        action_id=ids.CHECKIN,
                        value=f"{group.id}:{week.number}",
                    )
                ],
            ),
        ],
    )


def reply_saved(group: Group, week: Week) -> Message:
    return Message(
        text=f"Saved as your week {week.number} check-in for *{user_text(group.topic)}*. Use "
        "*Check in* on my message to add hours and how confident you feel, if you like."
    )


NO_OPEN_CHECKIN = (
    "Thanks! There's no check-in open for you right now; I'll ask after your next session."
)


def checkin_modal(
    group: Group, week: Week, current: CheckIn | None, *, dm_channel: str, dm_ts: str
) -> View:
    def text_input(block_id: str, label: str, value: str, *, optional: bool) -> InputBlock:
        return InputBlock(
            block_id=block_id,
            label=label,
            optional=optional,
            element=PlainTextInputElement(
                action_id=block_id, multiline=True, max_length=2000, initial_value=value or None
            ),
        )

    options = [Option(text=label, value=str(i)) for i, label in enumerate(CONFIDENCE, 1)]
    confidence = None
    if current is not None and current.confidence:
        confidence = options[current.confidence - 1]
    hours = None
    if current is not None and current.hours is not None:
        hours = f"{current.hours:g}"
    return View(
        type="modal",
        callback_id=ids.CHECKIN,
        private_metadata=json.dumps(
            {"group_id": group.id, "week": week.number, "channel": dm_channel, "ts": dm_ts}
        ),
        title=f"Week {week.number} check-in",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate(
                        f"*{user_text(group.topic)}* — week {week.number}: "
                        f"{user_text(topic_of(week))}",
                        3000,
                    )
                )
            ),
            text_input(
                "learned",
                "What did you learn this week?",
                current.learned if current else "",
                optional=False,
            ),
            InputBlock(
                block_id="hours",
                label="Time spent (hours)",
                element=NumberInputElement(
                    action_id="hours",
                    is_decimal_allowed=True,
                    min_value="0",
                    max_value="80",
                    initial_value=hours,
                ),
            ),
            text_input(
                "went_well", "What went well?", current.went_well if current else "", optional=True
            ),
            text_input(
                "went_badly", "What didn't?", current.went_badly if current else "", optional=True
            ),
            InputBlock(
                block_id="confidence",
                label="How confident do you feel about the topic?",
                element=RadioButtonsElement(
                    action_id="confidence", options=options, initial_option=confidence
                ),
            ),
            text_input(
                "blockers",
                "Anything blocking you?",
                current.blockers if current else "",
                optional=True,
            ),
        ],
    )


def digest_message(group: Group, digest: Digest) -> Message:
    line = (
        f"📊 *Week {digest.week} check-ins:* {len(digest.answered)} of {digest.members} "
        f"checked in · {digest.total_hours:g} h in total"
    )
    if digest.confidence is not None:
        line += f" · confidence {digest.confidence:g}/5"
        if digest.previous_confidence is not None:
            arrow = (
                "↑"
                if digest.confidence > digest.previous_confidence
                else ("↓" if digest.confidence < digest.previous_confidence else "→")
            )
            line += f" ({arrow} from {digest.previous_confidence:g})"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=line))]
    if digest.common_blockers:
        words = ", ".join(f"{user_text(w)} ({n})" for w, n in digest.common_blockers)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"*Blockers that came up more than once:* {words}")
            )
        )
    if group.share_checkins:
        for row in digest.answered[:20]:
            blocks.append(
                SectionBlock(text=MarkdownTextObject(text=truncate(member_line(row), 3000)))
            )
    return Message(text=line.replace("*", ""), blocks=blocks)


def member_line(row: CheckIn) -> str:
    parts = [mention(row.user_id)]
    if row.hours is not None:
        parts.append(f"{row.hours:g} h")
    if row.confidence is not None:
        parts.append(f"confidence {row.confidence}/5")
    line = " · ".join(parts)
    for label, value in (
        ("Learned", row.learned),
        ("Went well", row.went_well),
        ("Didn't", row.went_badly),
        ("Blocked by", row.blockers),
    ):
        if value:  # twelve members' answers must fit one message
            line += f"\n_{label}:_ {user_text(value, ANSWER_SHOWN)}"
    return line


def facilitator_view(group: Group, digest: Digest) -> Message:
    answered = {r.user_id for r in digest.answered}
    missing = [m.user_id for m in group.members if m.user_id not in answered]
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"🔎 *{user_text(group.topic, 150)}, week {digest.week}: each member's "
                "check-in* (only you see this)"
            )
        )
    ]
    for row in digest.answered[:40]:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(member_line(row), 3000))))
    if missing:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text=f"No check-in from {', '.join(map(mention, missing))}.")
                ]
            )
        )
    return Message(text=f"Week {digest.week} check-ins for {user_text(group.topic)}", blocks=blocks)


def catchup_dm(
    group: Group,
    week: Week,
    *,
    thread_link: str | None,
    material: list[Resource],
    vote_link: str | None,
    vote_closes: str | None,
) -> Message:
    lines = [f"*Topic:* {user_text(topic_of(week))}"]
    if thread_link:
        lines.append(f"*The week's thread:* {link(thread_link, 'read what the group shared')}")
    if material:
        links = "\n".join(f"• {link(r.url)}" for r in material[:10])
        lines.append(f"*Material shared:*\n{links}")
    if vote_link:
        lines.append(
            f"*Next week's topic vote* is open until {vote_closes}: {link(vote_link, 'vote here')}"
        )
    topic = user_text(group.topic)
    intro = (
        f"👋 You missed week {week.number} of *{topic}* — no problem. Here's what you "
        "need to catch up before the next session:"
    )
    return Message(
        text=f"Catch-up for week {week.number} of {topic}",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=intro)),
            SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000))),
            ActionsBlock(
                block_id="catchup_actions",
                elements=[
                    ButtonElement(
                        text="Mark as caught up",
                        action_id=ids.CAUGHT_UP,
                        value=f"{group.id}:{week.number}",
                        style="primary",
                    )
                ],
            ),
        ],
    )


def caught_up_dm(group: Group, week: Week) -> Message:
    text = (
        f"✅ Caught up on week {week.number} of *{user_text(group.topic)}*. "
        "See you at the next session!"
    )
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
