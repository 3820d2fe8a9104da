"""Starting a group and filling its seats: membership, the waitlist, the facilitator."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import slots
from bot.domain.errors import Conflict, InvalidInput, NotFound
from bot.domain.markup import typed
from bot.store.models import Group, GroupFormat, GroupState, Membership, MemberStatus
from bot.store.types import utcnow

DEFAULT_WEEKS = 6
DEFAULT_SEATS = 6
DEFAULT_MIN_MEMBERS = 4
MAX_WEEKS = 12
MAX_SEATS = 12
RECOMMENDED_SEATS = 6
TOPIC_MAX = 150
TEXT_MAX = 2000
PLACE_MAX = 300


@dataclass(frozen=True)
class GroupDraft:
    """What the facilitator filled in to start a group."""

    topic: str
    why: str
    format: GroupFormat
    weekday: int
    session_time: time
    timezone: str
    weeks: int = DEFAULT_WEEKS
    seats: int = DEFAULT_SEATS
    min_members: int = DEFAULT_MIN_MEMBERS
    facilitator_minutes: int = 60
    share_checkins: bool = False
    facilitator_timezone: str | None = None
    place: str = ""


def validate_draft(draft: GroupDraft) -> None:
    errors: dict[str, str] = {}
    if not draft.topic.strip():
        errors["topic"] = "Give the group a topic, e.g. Distributed systems."
    elif len(draft.topic) > TOPIC_MAX:
        errors["topic"] = f"Keep the topic under {TOPIC_MAX} characters."
    if len(draft.why) > TEXT_MAX:
        errors["why"] = f"Keep this under {TEXT_MAX} characters."
    if len(draft.place) > PLACE_MAX:
        errors["place"] = f"Keep the place under {PLACE_MAX} characters (a link or a room)."
    if not 0 <= draft.weekday <= 6:
        errors["weekday"] = "Pick a weekday."
    if not slots.is_zone(draft.timezone):
        errors["timezone"] = "Use a time zone name such as Europe/Amsterdam or America/New_York."
    if not 1 <= draft.weeks <= MAX_WEEKS:
        errors["weeks"] = f"Choose between 1 and {MAX_WEEKS} weeks."
    if not 2 <= draft.seats <= MAX_SEATS:
        errors["seats"] = (
            f"Choose between 2 and {MAX_SEATS} seats ({RECOMMENDED_SEATS} works best)."
        )
    if draft.min_members < 2:
        errors["min_members"] = "A peer group needs at least 2 people to start."
    elif draft.min_members > draft.seats and "seats" not in errors:
        errors["min_members"] = f"The minimum can't be more than the {draft.seats} seats."
    if draft.facilitator_minutes <= 0:
        errors["facilitator_minutes"] = "Say how much time a week you can give."
    if errors:
        raise InvalidInput(errors)


def create_group(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    draft: GroupDraft,
    enterprise_id: str | None = None,
) -> Group:
    """A new group, recruiting, with its facilitator as the first member."""
    validate_draft(draft)
    _refuse_a_second_live_group(session, team_id=team_id, channel_id=channel_id)
    now = utcnow()
    group = Group(
        team_id=team_id,
        enterprise_id=enterprise_id,
        channel_id=channel_id,
        topic=draft.topic.strip(),
        why=draft.why.strip(),
        format=draft.format,
        weekday=draft.weekday,
        session_time=draft.session_time,
        timezone=draft.timezone,
        weeks=draft.weeks,
        seats=draft.seats,
        min_members=draft.min_members,
        facilitator_id=user_id,
        created_by=user_id,
        created_at=now,
        share_checkins=draft.share_checkins,
        place=draft.place.strip() or None,
    )
    group.memberships.append(
        Membership(
            user_id=user_id,
            status=MemberStatus.MEMBER,
            goal=draft.why.strip(),
            minutes_per_week=draft.facilitator_minutes,
            joined_at=now,
            timezone=draft.facilitator_timezone,
        )
    )
    try:
        with session.begin_nested():  # a savepoint: the loser of a race can still answer
            session.add(group)
            session.flush()
    except IntegrityError:
        # Someone started a group here at the same moment and committed first.
        _refuse_a_second_live_group(session, team_id=team_id, channel_id=channel_id)
        raise
    return group


def _refuse_a_second_live_group(session: Session, *, team_id: str, channel_id: str) -> None:
    live = live_group(session, team_id=team_id, channel_id=channel_id)
    if live is not None:
        raise Conflict(
            f"<#{channel_id}> already has a live group, *{typed(live.topic)}*. One group per channel "
            "keeps the weekly posts readable: start the new one in another channel."
        )


def get_group(session: Session, *, team_id: str, group_id: int, for_update: bool = False) -> Group:
    """The group, only if it belongs to this workspace."""
    query = select(Group).where(Group.id == group_id, Group.team_id == team_id)
    if for_update:
        query = query.with_for_update()
    group = session.scalars(query).one_or_none()
    if group is None:
        raise NotFound("That group no longer exists. Run `/p2p status` to see the groups here.")
    return group


def channel_groups(session: Session, *, team_id: str, channel_id: str) -> list[Group]:
    """The channel's groups, live ones first, newest first."""
    groups = session.scalars(
        select(Group)
        .where(Group.team_id == team_id, Group.channel_id == channel_id)
        .order_by(Group.created_at.desc(), Group.id.desc())
    ).all()
    return sorted(groups, key=lambda g: g.is_ended)


def live_group(session: Session, *, team_id: str, channel_id: str) -> Group | None:
    """The channel's group that has not ended, if any (there is at most one)."""
    return next(
        (
            g
            for g in channel_groups(session, team_id=team_id, channel_id=channel_id)
            if not g.is_ended
        ),
        None,
    )


def set_recruitment_message(session: Session, *, group_id: int, ts: str) -> None:
    session.get_one(Group, group_id).recruitment_ts = ts


def set_member_timezone(session: Session, *, group_id: int, user_id: str, timezone: str) -> None:
    """Each member's own zone, so their DMs arrive at a sensible local hour."""
    membership = session.scalars(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    ).one_or_none()
    if membership is not None and slots.is_zone(timezone):
        membership.timezone = timezone


def discard_unposted(session: Session, *, group_id: int) -> None:
    """Forget a group whose recruitment message could not be posted: nobody ever saw it."""
    group = session.get(Group, group_id)
    if group is not None and group.recruitment_ts is None:
        session.delete(group)


class JoinResult(enum.Enum):
    JOINED = "joined"
    WAITLISTED = "waitlisted"
    ALREADY_MEMBER = "already_member"
    ALREADY_WAITLISTED = "already_waitlisted"


@dataclass(frozen=True)
class JoinOutcome:
    group: Group
    result: JoinResult
    waitlist_position: int | None = None
    reached_minimum: bool = False


def ensure_open(group: Group) -> None:
    if group.is_ended:
        raise Conflict(
            f"The *{typed(group.topic)}* group has ended, so it takes no new members. "
            "Start a new one with `/p2p start`."
        )
    if group.state is not GroupState.RECRUITING:
        raise Conflict(
            f"The *{typed(group.topic)}* group has already started its cycle. "
            f"Ask <@{group.facilitator_id}> about the next one, "
            "or start your own with `/p2p start`."
        )


def join_status(group: Group, user_id: str) -> JoinOutcome | None:
    """Why this person need not fill in the join form, or None if they should."""
    membership = group.membership(user_id)
    if membership is None or membership.status is MemberStatus.LEFT:
        return None
    if membership.status is MemberStatus.MEMBER:
        return JoinOutcome(group, JoinResult.ALREADY_MEMBER)
    return JoinOutcome(
        group, JoinResult.ALREADY_WAITLISTED, waitlist_position=_position(group, user_id)
    )


def join(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    user_id: str,
    goal: str,
    minutes_per_week: int,
    now: datetime | None = None,
) -> JoinOutcome:
    """Take a seat, or a place on the waitlist when the seats are full. Safe to repeat."""
    now = now or utcnow()
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    ensure_open(group)
    if len(goal) > TEXT_MAX:
        raise InvalidInput({"goal": f"Keep this under {TEXT_MAX} characters."})
    if minutes_per_week <= 0:
        raise InvalidInput({"minutes_per_week": "Say how much time a week you can give."})
    already = join_status(group, user_id)
    if already is not None:
        return already

    membership = group.membership(user_id)
    if membership is None:
        membership = Membership(user_id=user_id, status=MemberStatus.LEFT)
        group.memberships.append(membership)
    membership.goal = goal.strip()
    membership.minutes_per_week = minutes_per_week
    membership.left_at = None

    if group.seats_left > 0:
        membership.status = MemberStatus.MEMBER
        membership.joined_at = now
        membership.queued_at = None
        session.flush()
        reached = len(group.members) == group.min_members
        return JoinOutcome(group, JoinResult.JOINED, reached_minimum=reached)

    membership.status = MemberStatus.WAITLISTED
    membership.queued_at = now
    session.flush()
    return JoinOutcome(group, JoinResult.WAITLISTED, waitlist_position=_position(group, user_id))


class LeaveResult(enum.Enum):
    LEFT = "left"
    LEFT_WAITLIST = "left_waitlist"
    NOT_IN_GROUP = "not_in_group"


@dataclass(frozen=True)
class LeaveOutcome:
    group: Group
    result: LeaveResult
    promoted: Membership | None = None
    new_facilitator: str | None = None
    cancelled: bool = False


def leave(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    user_id: str,
    now: datetime | None = None,
) -> LeaveOutcome:
    """Give up a seat (the waitlist moves up) or a waitlist place. Safe to repeat."""
    now = now or utcnow()
    group = get_group(session, team_id=team_id, group_id=group_id, for_update=True)
    if group.is_ended:
        raise Conflict(
            f"The *{typed(group.topic)}* group has already ended; there is nothing to leave."
        )
    membership = group.membership(user_id)
    if membership is None or membership.status is MemberStatus.LEFT:
        return LeaveOutcome(group, LeaveResult.NOT_IN_GROUP)

    was_member = membership.status is MemberStatus.MEMBER
    membership.status = MemberStatus.LEFT
    membership.left_at = now
    if not was_member:
        session.flush()
        return LeaveOutcome(group, LeaveResult.LEFT_WAITLIST)

    promoted = None
    if group.waitlist and group.seats_left > 0:
        promoted = group.waitlist[0]
        promoted.status = MemberStatus.MEMBER
        promoted.joined_at = now
        promoted.queued_at = None

    new_facilitator = None
    cancelled = False
    if user_id == group.facilitator_id:
        if group.members:
            new_facilitator = group.members[0].user_id
            group.facilitator_id = new_facilitator
        else:
            group.state = GroupState.CANCELLED
            group.ended_at = now
            cancelled = True
    session.flush()
    return LeaveOutcome(
        group,
        LeaveResult.LEFT,
        promoted=promoted,
        new_facilitator=new_facilitator,
        cancelled=cancelled,
    )


def _position(group: Group, user_id: str) -> int:
    return 1 + [m.user_id for m in group.waitlist].index(user_id)
