"""`/p2p help` and `/p2p status`."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.slack.render.format import escape, mention, schedule, user_text
from bot.slack.render.message import Message
from bot.slack.render.retro import STALL_REASONS
from bot.store.models import Group, GroupState, StallReason

COMMANDS = [
    ("/p2p start [topic]", "start a peer-learning group in this channel (opens a form)"),
    ("/p2p status", "this channel's groups and where they stand"),
    ("/p2p propose <topic> [link]", "suggest a topic for a coming week"),
    ("/p2p want [topic]", "say what you want to learn and when you could meet; alone, the board"),
    ("/p2p leave", "leave this channel's group (or its waitlist)"),
    ("/p2p kickoff", "facilitator: schedule the kick-off"),
    ("/p2p skip", "facilitator: no session this week; the rest move a week later"),
    ("/p2p move", "facilitator: move the next session"),
    ("/p2p pause", "facilitator: pause the group"),
    ("/p2p resume", "facilitator: pick up again from the next slot"),
    ("/p2p settings", "facilitator: prompt timing, session length, check-in timing and sharing"),
    ("/p2p end", "facilitator: end the group early (asks why)"),
    ("/p2p stats", "how peer learning goes in this workspace (program owners see more)"),
    (
        "/p2p owners [add|remove @person]",
        "program owners: who sees the program view; admins add or remove people",
    ),
    ("/p2p help", "this list"),
]


ECHO_LIMIT = 40


def help_message(unknown: str | None = None) -> Message:
    lines = "\n".join(f"• `{escape(usage)}` — {what}" for usage, what in COMMANDS)
    intro = (
        f"I don't know `/p2p {escape(excerpt(unknown))}`. Here's what I can do:"
        if unknown
        else "*p2p* runs peer-learning study groups: up to six colleagues, one session a "
        "week, no teacher. Here's what I can do:"
    )
    return Message(
        text=f"{intro}\n{lines}",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=intro)),
            SectionBlock(text=MarkdownTextObject(text=lines)),
        ],
    )


def welcome_dm() -> Message:
    """To whoever installs p2p: what it is, and the first thing to do."""
    text = (
        "👋 *p2p is installed.* It runs peer-learning study groups here: up to six "
        "colleagues, one session a week, no teacher — I do the chores (recruiting, the "
        "kick-off, weekly prompts, votes, check-ins, catch-ups, the retro).\n"
        "• *Start a group:* invite me to a channel (`/invite @p2p`), then type "
        "`/p2p start` there.\n"
        "• *Not ready to lead one?* `/p2p want` and a topic: when four people want the same "
        "topic at an hour they share, I propose the group.\n"
        "• *Your App Home* (my name, then Home) shows your groups, and to workspace owners "
        "and admins the whole program.\n"
        "`/p2p help` lists everything."
    )
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def excerpt(typed: str, *, limit: int = ECHO_LIMIT) -> str:
    """What someone typed, short enough to echo back and unable to break out of `code`."""
    flat = " ".join(typed.replace("`", "'").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


STATE_LABELS = {
    GroupState.RECRUITING: "🟢 recruiting",
    GroupState.RUNNING: "🔵 running",
    GroupState.PAUSED: "⏸️ paused",
    GroupState.COMPLETED: "✅ completed",
    GroupState.STALLED: "🟠 stalled",
    GroupState.CANCELLED: "⚪ closed",
}


def status_message(groups: list[Group], channel_id: str) -> Message:
    if not groups:
        text = f"There is no peer group in <#{channel_id}> yet. Start one with `/p2p start &lt;topic&gt;`."
        return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*Peer groups in <#{channel_id}>*"))
    ]
    for group in groups[:20]:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_status_line(group))))
    if len(groups) > 20:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"…and {len(groups) - 20} older ones.")])
        )
    text = "\n".join(_status_line(g) for g in groups[:20])
    return Message(text=text, blocks=blocks)


def _status_line(group: Group) -> str:
    line = (
        f"*{user_text(group.topic)}* — {STATE_LABELS[group.state]}\n"
        f"{len(group.members)}/{group.seats} members"
    )
    if group.waitlist:
        line += f", {len(group.waitlist)} waiting"
    if group.state is GroupState.RECRUITING:
        short = group.min_members - len(group.members)
        line += f" ({short} more to start)" if short > 0 else " (ready for a kick-off)"
    line += f" · facilitator {mention(group.facilitator_id)}\n{schedule(group)}"
    if group.state is GroupState.STALLED:
        reason = STALL_REASONS[group.stall_reason or StallReason.OTHER].lower()
        line += f"\nStalled: {reason}"
        if group.stall_note:
            line += f" — “{user_text(excerpt(group.stall_note, limit=200))}”"
    return line
