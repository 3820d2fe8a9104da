"""What a group owes its members at a given moment. Pure: no database, no Slack.

Each item has a key that names it for all time — (kind, group, week[, revision][, person])
— so the ledger can make sure it goes out once.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.domain import catchup, checkins, slots, topics
from bot.domain.retro import RETRO_WINDOW
from bot.store.models import Group, GroupState, Kickoff, Poll, Week

KICKOFF_GRACE = timedelta(hours=24)
ATTENDANCE_GRACE = timedelta(hours=12)
VOTE_MIN_OPEN = timedelta(hours=1)
REPORT_GRACE = timedelta(hours=48)
RETRO_GRACE = timedelta(days=7)
_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


class Kind(enum.StrEnum):
    KICKOFF = "kickoff"
    PROMPT = "prompt"
    ATTENDANCE = "attendance"
    VOTE = "vote"
    VOTE_CLOSE = "vote_close"
    CATCHUP = "catchup"
    CHECKIN = "checkin"
    CHECKIN_REMINDER = "checkin_reminder"
    DIGEST = "digest"
    HEALTH = "health"
    RETRO = "retro"
    SUMMARY = "summary"


@dataclass(frozen=True)
class Due:
    key: str
    kind: Kind
    group_id: int
    due_at: datetime
    useful_until: datetime | None = None  # None: never too late
    week: int | None = None
    user_id: str | None = None
    ref_id: int | None = None  # the kick-off or poll it is about

    def is_stale(self, now: datetime) -> bool:
        return self.useful_until is not None and now > self.useful_until


def due_for_group(
    group: Group,
    *,
    kickoff: Kickoff | None,
    polls: Iterable[Poll],
    now: datetime,
    settled: Collection[str] = (),
) -> list[Due]:
    """Everything whose moment has come (due_at <= now), sent or not; the ledger filters.

    `settled` (keys already in the ledger) only saves work: a week whose health check is
    settled is over, and weeks whose prompt is still ahead are not looked at.
    """
    items = _planned(group, kickoff=kickoff, polls=list(polls), now=now, settled=settled)
    return sorted((i for i in items if i.due_at <= now), key=lambda i: (i.due_at, i.key))


def next_due_at(
    group: Group,
    *,
    kickoff: Kickoff | None,
    polls: Iterable[Poll],
    settled: Collection[str],
) -> datetime | None:
    """The earliest moment the group owes something not yet `settled` (it may be past);
    None when it owes nothing more. The same plan as `due_for_group`, with no end to `now`."""
    planned = _planned(group, kickoff=kickoff, polls=list(polls), now=_END_OF_TIME, settled=settled)
    return min((i.due_at for i in planned if i.key not in settled), default=None)


def _planned(
    group: Group,
    *,
    kickoff: Kickoff | None,
    polls: list[Poll],
    now: datetime,
    settled: Collection[str],
) -> Iterable[Due]:
    if group.state is GroupState.RECRUITING and kickoff is not None:
        yield Due(
            key=f"kickoff:{group.id}:{kickoff.round}",
            kind=Kind.KICKOFF,
            group_id=group.id,
            due_at=kickoff.scheduled_at,
            useful_until=kickoff.scheduled_at + KICKOFF_GRACE,
            ref_id=kickoff.id,
        )
    if group.state is not GroupState.RUNNING:
        return
    last = group.weeks_planned[-1].number if group.weeks_planned else 0
    zones = {m.user_id: checkins.member_zone(group, m) for m in group.members}
    for week in group.weeks_planned:
        if week.ends_at < now and f"{Kind.HEALTH.value}:{group.id}:{week.number}" in settled:
            continue  # the week's last item is done, so all of it is
        prompt_at = slots.prompt_time(week.starts_at, group.prompt_lead_hours, group.timezone)
        if prompt_at > now:
            break  # this week and the ones after it have nothing due yet
        yield Due(
            key=f"prompt:{group.id}:{week.number}:r{week.revision}",
            kind=Kind.PROMPT,
            group_id=group.id,
            due_at=prompt_at,
            useful_until=week.starts_at,
            week=week.number,
        )
        yield Due(
            key=f"attendance:{group.id}:{week.number}",
            kind=Kind.ATTENDANCE,
            group_id=group.id,
            due_at=week.starts_at,
            useful_until=week.ends_at + ATTENDANCE_GRACE,
            week=week.number,
        )
        deadline = topics.vote_deadline(group, week.number)
        if week.number < last and deadline is not None:
            yield Due(
                key=f"vote:{group.id}:{week.number}",
                kind=Kind.VOTE,
                group_id=group.id,
                due_at=week.ends_at,
                # However the settings squeeze the week, a vote is worth posting right after
                # the session.
                useful_until=max(deadline - VOTE_MIN_OPEN, week.ends_at + VOTE_MIN_OPEN / 2),
                week=week.number,
            )
        if week.ends_at <= now:
            yield from _after_session(group, week, zones)
    final = group.weeks_planned[-1] if group.weeks_planned else None
    if final is not None and group.retro_ts is None:
        yield Due(
            key=f"retro:{group.id}:r{final.revision}",  # resume() renews a retro that failed
            kind=Kind.RETRO,
            group_id=group.id,
            due_at=final.ends_at,
            useful_until=final.ends_at + RETRO_GRACE,
            week=final.number,
        )
    if final is not None:
        yield Due(
            key=f"summary:{group.id}",
            kind=Kind.SUMMARY,
            group_id=group.id,
            due_at=max(final.ends_at + RETRO_WINDOW, checkins.window_closes(group, final))
            + timedelta(hours=1),
            week=final.number,
        )
    for poll in polls:
        if poll.is_open:
            yield Due(
                key=f"vote_close:{group.id}:{poll.week}",
                kind=Kind.VOTE_CLOSE,
                group_id=group.id,
                due_at=poll.closes_at,
                week=poll.week,
                ref_id=poll.id,
            )


def _after_session(group: Group, week: Week, zones: dict[str, str]) -> Iterable[Due]:
    """Catch-up, check-ins (each member at their own local hour), digest and health."""
    closes = checkins.window_closes(group, week)
    yield Due(
        key=f"catchup:{group.id}:{week.number}",
        kind=Kind.CATCHUP,
        group_id=group.id,
        due_at=catchup.dm_at(week, zones.values()),
        useful_until=closes,
        week=week.number,
    )
    for user_id, zone in zones.items():
        yield Due(
            key=f"checkin:{group.id}:{week.number}:{user_id}",
            kind=Kind.CHECKIN,
            group_id=group.id,
            due_at=checkins.dm_at(group, week, zone),
            useful_until=closes - timedelta(hours=2),
            week=week.number,
            user_id=user_id,
        )
        yield Due(
            key=f"checkin_reminder:{group.id}:{week.number}:{user_id}",
            kind=Kind.CHECKIN_REMINDER,
            group_id=group.id,
            due_at=checkins.reminder_at(group, week, zone),
            useful_until=closes - timedelta(hours=1),
            week=week.number,
            user_id=user_id,
        )
    for kind in (Kind.DIGEST, Kind.HEALTH):
        yield Due(
            key=f"{kind.value}:{group.id}:{week.number}",
            kind=kind,
            group_id=group.id,
            due_at=closes,
            useful_until=closes + REPORT_GRACE,
            week=week.number,
        )
