"""The program view: numbers for program owners (App Home, `/p2p stats`), and the
workspace-wide numbers, with no names, that everyone else gets from `/p2p stats`."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.program import BENCHMARK_COMPLETION, ProgramStats, Rate
from bot.slack import ids
from bot.slack.render.format import duration, people, plural, truncate, user_text
from bot.slack.render.help import STATE_LABELS
from bot.slack.render.message import Message
from bot.slack.render.retro import STALL_REASONS
from bot.store.models import GroupState

STATES = [
    GroupState.RECRUITING,
    GroupState.RUNNING,
    GroupState.PAUSED,
    GroupState.COMPLETED,
    GroupState.STALLED,
    GroupState.CANCELLED,
]


def percent(rate: Rate) -> str:
    value = rate.value
    return "–" if value is None else f"{round(100 * value)}%"


def _groups_line(stats: ProgramStats) -> str:
    return " · ".join(f"{STATE_LABELS[s]} {stats.by_state.get(s, 0)}" for s in STATES)


def _completion_line(stats: ProgramStats) -> str:
    finished = stats.finished
    benchmark = f"Booking.com saw {round(100 * BENCHMARK_COMPLETION)}%"
    if not finished:
        return f"*Completion*: no group has finished yet ({benchmark})."
    return (
        f"*Completion*: {percent(stats.completion)} — {stats.count(GroupState.COMPLETED)} of "
        f"{plural(finished, 'finished group')} completed their cycle ({benchmark}). "
        "From each group's recorded outcome, not from the survey."
    )


def _stall_line(stats: ProgramStats) -> str | None:
    if not stats.stall_reasons:
        return None
    parts = sorted(stats.stall_reasons.items(), key=lambda kv: -kv[1])
    return "*Why groups stalled*: " + ", ".join(
        f"{STALL_REASONS[reason].lower()} ({n})" for reason, n in parts
    )


def _rhythm_lines(stats: ProgramStats) -> list[str]:
    attendance = (
        f"*Attendance*: {percent(stats.attendance)} of {plural(stats.attendance.whole, 'answer')} "
        f"said they were there · week 1: {percent(stats.week_one_attendance)}"
        if stats.attendance.whole
        else "*Attendance*: no answers to an attendance check yet"
    )
    lines = [
        attendance,
        f"*Check-ins*: {percent(stats.checkins)} of {plural(stats.checkins.whole, 'check-in')} "
        f"owed were sent · {stats.hours_studied:.1f} h studied",
    ]
    if stats.committed_minutes is not None:
        given = (
            duration(round(stats.given_minutes)) if stats.given_minutes is not None else "nothing"
        )
        time_line = (
            f"*Time*: members said they'd give {duration(round(stats.committed_minutes))} a week "
            f"on average; check-ins report {given}"
        )
        if stats.under_commitment.whole:
            time_line += (
                f" · {percent(stats.under_commitment)} of members who checked in report under "
                "half the time they said they'd give"
            )
        lines.append(time_line)
    return lines


def _feedback_line(stats: ProgramStats) -> str:
    fb = stats.feedback
    if not fb.responses:
        return "*Feedback*: nobody has answered the end-of-cycle form yet."
    rating = f"{fb.average_rating:.1f}/5" if fb.average_rating is not None else "–"
    return (
        f"*Feedback* ({fb.responses} of {fb.asked} answered, {percent(fb.response_rate)}): "
        f"rating {rating} · learned what they wanted {percent(fb.learned_goal)} "
        f"(partly {percent(fb.learned_partly)}) · would join again {percent(fb.join_again)}"
    )


def _topics_line(stats: ProgramStats) -> str | None:
    if not stats.wanted_topics:
        return None
    formed = (
        f" · {stats.board_groups_formed} group{'s' if stats.board_groups_formed != 1 else ''} "
        "formed from the interest board so far"
        if stats.board_groups_formed
        else ""
    )
    return (
        "*Most wanted topics* (people waiting): "
        + ", ".join(f"{user_text(t, 60)} ({n})" for t, n in stats.wanted_topics)
        + formed
    )


def _lines(stats: ProgramStats) -> list[str]:
    lines = [
        f"*Groups* ({stats.total}, {plural(stats.members, 'person', 'people')}): "
        + _groups_line(stats),
        _completion_line(stats),
    ]
    if (stall := _stall_line(stats)) is not None:
        lines.append(stall)
    lines += _rhythm_lines(stats)
    lines.append(_feedback_line(stats))
    if (topics := _topics_line(stats)) is not None:
        lines.append(topics)
    return lines


def program_blocks(stats: ProgramStats, *, export_button: bool = True) -> list[Block]:
    """What a program owner sees: the numbers, the groups that need attention, the
    ambassadors, and the export."""
    blocks: list[Block] = [HeaderBlock(text="The program")]
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=truncate(line, 3000))) for line in _lines(stats)
    ]
    if stats.attention:
        items = "\n".join(
            f"• *{user_text(a.topic, 100)}* in <#{a.channel_id}> — {a.reason}"
            for a in stats.attention
        )
        more = stats.attention_total - len(stats.attention)
        if more > 0:
            items += f"\n…and {more} more."
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=truncate(f"*Needs attention now*\n{items}", 3000))
            )
        )
    else:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text="*Needs attention now*: nothing this week."))
        )
    ambassadors = people(stats.ambassadors[:30]) if stats.ambassadors else "nobody yet"
    if len(stats.ambassadors) > 30:
        ambassadors += f" and {len(stats.ambassadors) - 30} more"
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text=truncate(f"*Ambassadors* (would facilitate next): {ambassadors}", 3000)
            )
        )
    )
    if export_button:
        blocks.append(
            ActionsBlock(
                block_id="program_actions",
                elements=[
                    ButtonElement(text="Export CSV", action_id=ids.PROGRAM_EXPORT, value="0")
                ],
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="You see this as a program owner. `/p2p owners` lists who else does."
                )
            ]
        )
    )
    return blocks


def stats_message(stats: ProgramStats, *, owner: bool) -> Message:
    """`/p2p stats`: the full view for owners; workspace-wide numbers, no names, for others."""
    if owner:
        blocks = program_blocks(stats, export_button=True)
        return Message(text="\n".join(_lines(stats)), blocks=blocks)
    lines = _lines(stats)
    blocks = [HeaderBlock(text="Peer learning in this workspace")]
    blocks += [SectionBlock(text=MarkdownTextObject(text=truncate(line, 3000))) for line in lines]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Workspace-wide numbers. Program owners also see which groups need "
                    "attention, the ambassadors, and the export."
                )
            ]
        )
    )
    return Message(text="\n".join(lines), blocks=blocks)


def owners_message(named: list[str], *, admins_note: bool = True) -> str:
    listed = people(named) if named else "nobody named yet"
    text = f"*Program owners named here*: {listed}."
    if admins_note:
        text += (
            "\nWorkspace owners and admins are program owners anyway. Add someone with "
            "`/p2p owners add @person`, remove with `/p2p owners remove @person`."
        )
    return text
