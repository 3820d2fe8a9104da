"""Topic proposals (the backlog) and the weekly vote that picks next week's topic.

Tie rule, stated on every vote: among the options with the most votes, the one
proposed earliest wins. A tie is always announced as a tie.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import slots
from bot.domain.access import require_facilitator, require_member
from bot.domain.errors import Conflict, InvalidInput, NotFound
from bot.domain.groups import get_group
from bot.domain.markup import typed
from bot.store.models import Group, Poll, PollOption, Proposal, Vote

MAX_OPTIONS = 10
PROPOSAL_MAX = 200
LINK_MAX = 500
TIE_RULE = "A tie goes to the topic proposed first."


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(".!?").strip().casefold()


# --- proposals ----------------------------------------------------------------------------


def propose(
    session: Session,
    *,
    team_id: str,
    group_id: int,
    user_id: str,
    text: str,
    link: str | None = None,
) -> tuple[Proposal, bool]:
    """Add a sub-topic to the backlog. Returns (proposal, merged into an existing one)."""
    group = get_group(session, team_id=team_id, group_id=group_id)
    require_member(group, user_id, "propose topics")
    if group.is_ended:
        raise Conflict(f"*{typed(group.topic)}* has ended; it takes no more proposals.")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InvalidInput({"proposal": "Write the topic, e.g. `/p2p propose Raft consensus`."})
    if len(text) > PROPOSAL_MAX:
        raise InvalidInput({"proposal": f"Keep the topic under {PROPOSAL_MAX} characters."})
    if link is not None and (len(link) > LINK_MAX or not link.startswith(("http://", "https://"))):
        raise InvalidInput({"link": f"Use a web link (https://…) under {LINK_MAX} characters."})
    existing = session.scalars(
        select(Proposal).where(
            Proposal.group_id == group.id, Proposal.normalized == normalize(text)
        )
    ).one_or_none()
    if existing is not None:
        if link and not existing.link:
            existing.link = link
        return existing, True
    proposal = Proposal(
        group_id=group.id, text=text, normalized=normalize(text), link=link, proposed_by=user_id
    )
    session.add(proposal)
    session.flush()
    _offer_in_open_poll(session, group, proposal)
    return proposal, False


def backlog(session: Session, group_id: int) -> list[Proposal]:
    """Proposals not yet chosen, earliest first."""
    return list(
        session.scalars(
            select(Proposal)
            .where(Proposal.group_id == group_id, Proposal.chosen_for_week.is_(None))
            .order_by(Proposal.created_at, Proposal.id)
        )
    )


def open_poll_id(session: Session, group_id: int) -> int | None:
    return session.scalars(
        select(Poll.id).where(Poll.group_id == group_id, Poll.closed_at.is_(None))
    ).first()


def _offer_in_open_poll(session: Session, group: Group, proposal: Proposal) -> None:
    poll = session.scalars(
        select(Poll).where(Poll.group_id == group.id, Poll.closed_at.is_(None))
    ).first()
    if poll is not None and len(poll.options) < MAX_OPTIONS:
        poll.options.append(PollOption(proposal=proposal, position=len(poll.options) + 1))
        session.flush()


# --- the vote -----------------------------------------------------------------------------


def open_poll(session: Session, *, group: Group, week: int, closes_at: datetime) -> Poll | None:
    """The vote at the end of `week` on the topic of week+1; None when nothing was proposed."""
    poll = session.scalars(
        select(Poll).where(Poll.group_id == group.id, Poll.week == week)
    ).one_or_none()
    if poll is not None:
        return poll
    candidates = backlog(session, group.id)[:MAX_OPTIONS]
    if not candidates:
        return None
    poll = Poll(group_id=group.id, week=week, closes_at=closes_at)
    poll.options = [PollOption(proposal=p, position=i) for i, p in enumerate(candidates, 1)]
    session.add(poll)
    session.flush()
    return poll


def get_poll(
    session: Session, *, team_id: str, poll_id: int, for_update: bool = False
) -> tuple[Group, Poll]:
    poll = session.get(Poll, poll_id, with_for_update=for_update)
    if poll is None:
        raise NotFound("That vote no longer exists.")
    return get_group(session, team_id=team_id, group_id=poll.group_id), poll


class VoteChange(enum.Enum):
    CAST = "cast"
    MOVED = "moved"
    REMOVED = "removed"


def vote(
    session: Session, *, team_id: str, poll_id: int, option_id: int, user_id: str, now: datetime
) -> tuple[Poll, VoteChange, PollOption]:
    """One vote per member: a click on another option moves it, on your own removes it."""
    # Locking the poll serialises a burst of clicks: no vote is lost or counted twice.
    group, poll = get_poll(session, team_id=team_id, poll_id=poll_id, for_update=True)
    require_member(group, user_id, "vote")
    if not poll.is_open or now >= poll.closes_at:
        raise Conflict("This vote has closed. The result is on the message.")
    option = next((o for o in poll.options if o.id == option_id), None)
    if option is None:
        raise NotFound("That option is no longer on the vote.")
    current = next((v for v in poll.votes if v.user_id == user_id), None)
    if current is None:
        poll.votes.append(Vote(option_id=option.id, user_id=user_id, voted_at=now))
        change = VoteChange.CAST
    elif current.option_id == option.id:
        poll.votes.remove(current)
        session.delete(current)
        change = VoteChange.REMOVED
    else:
        current.option_id = option.id
        current.voted_at = now
        change = VoteChange.MOVED
    session.flush()
    return poll, change, option


@dataclass(frozen=True)
class Count:
    option: PollOption
    voters: list[str]

    @property
    def votes(self) -> int:
        return len(self.voters)


def tally(poll: Poll) -> list[Count]:
    return [
        Count(option, [v.user_id for v in poll.votes if v.option_id == option.id])
        for option in poll.options
    ]


@dataclass(frozen=True)
class Result:
    poll: Poll
    winner: Proposal
    tied: list[Proposal]  # every proposal that shared the top count, winner included
    counts: list[Count]

    @property
    def is_tie(self) -> bool:
        return len(self.tied) > 1


def result(poll: Poll) -> Result:
    counts = tally(poll)
    top = max(c.votes for c in counts)
    leaders = sorted(
        (c.option.proposal for c in counts if c.votes == top), key=lambda p: (p.created_at, p.id)
    )
    return Result(poll, leaders[0], leaders, counts)


def close_poll(
    session: Session, *, group: Group, poll: Poll, now: datetime, by: str | None = None
) -> Result:
    """Close the vote and make the winner next week's topic. Closing twice changes nothing."""
    if not poll.is_open:
        return result(poll)
    outcome = result(poll)
    poll.closed_at = now
    poll.closed_by = by
    poll.winner_id = outcome.winner.id
    poll.tied = outcome.is_tie
    outcome.winner.chosen_for_week = poll.week + 1
    following = group.week(poll.week + 1)
    if following is not None:
        following.topic = outcome.winner.text
    session.flush()
    return outcome


def close_poll_by_hand(
    session: Session, *, team_id: str, poll_id: int, user_id: str, now: datetime
) -> Result:
    group, poll = get_poll(session, team_id=team_id, poll_id=poll_id, for_update=True)
    require_facilitator(group, user_id)
    return close_poll(session, group=group, poll=poll, now=now, by=user_id)


def vote_deadline(group: Group, week: int) -> datetime | None:
    """When the vote held at the end of `week` closes: a while before next week's prompt."""
    this, following = group.week(week), group.week(week + 1)
    if this is None or following is None:
        return None
    next_prompt = slots.prompt_time(following.starts_at, group.prompt_lead_hours, group.timezone)
    deadline = next_prompt - timedelta(hours=group.vote_close_hours)
    return max(deadline, this.ends_at + timedelta(hours=1))


def set_next_topic(
    session: Session, *, team_id: str, group_id: int, user_id: str, week: int, text: str
) -> Proposal:
    """The facilitator picks week `week`'s topic (when nobody proposed one)."""
    group = get_group(session, team_id=team_id, group_id=group_id)
    require_facilitator(group, user_id)
    target = group.week(week)
    if target is None:
        raise NotFound(f"*{typed(group.topic)}* has no week {week}.")
    proposal, _ = propose(session, team_id=team_id, group_id=group_id, user_id=user_id, text=text)
    for replaced in session.scalars(
        select(Proposal).where(Proposal.group_id == group.id, Proposal.chosen_for_week == week)
    ):
        if replaced.id != proposal.id:
            replaced.chosen_for_week = None  # set again: the earlier pick goes back to the backlog
    proposal.chosen_for_week = week
    target.topic = proposal.text
    session.flush()
    return proposal
