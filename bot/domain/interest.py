"""The interest board: who wants a group on which topic and when they could meet; the
cohorts the matcher finds there, proposed to a facilitator one at a time.

Every query is scoped to one workspace (team id).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, and_, func, or_, select, true, update
from sqlalchemy.orm import Session

from bot.domain import cohorts, slots
from bot.domain.cohorts import Availability, LeftOut, Reason, Rules, Slot, Wanter
from bot.domain.errors import InvalidInput, NotFound
from bot.store.models import (
    Ambassador,
    CohortProposal,
    Group,
    InterestTopic,
    ProposalState,
    Want,
)
from bot.store.types import utcnow

TOPIC_MAX = 150
WHY_MAX = 1000
MERGE_SCORE = 88  # rapidfuzz ratio of two topics' keys at or above which they are one
RELATED_SCORE = 60
PROPOSAL_TTL = timedelta(days=7)
# A pass that took a proposal DM and went quiet: longer than a send can wait out Slack's
# rate limits, so a slow send is never taken over (a DM a little late does no harm).
DM_LEASE = timedelta(minutes=30)
BOARD_SIZE = 20

# Times of the day offered in the form, in the person's own zone: (label, first, end hour).
WINDOWS = {
    "early": ("Early morning, 07–09", 7, 9),
    "morning": ("Morning, 09–12", 9, 12),
    "lunch": ("Around lunch, 12–14", 12, 14),
    "afternoon": ("Afternoon, 14–17", 14, 17),
    "evening": ("Evening, 17–20", 17, 20),
    "late": ("Late evening, 20–22", 20, 22),
}

# Words that make a topic look different without making it another topic.
FILLER = {
    "a",
    "an",
    "the",
    "to",
    "of",
    "for",
    "with",
    "and",
    "in",
    "on",
    "basics",
    "basic",
    "intro",
    "introduction",
    "beginner",
    "beginners",
    "fundamentals",
    "101",
    "getting",
    "started",
    "learning",
    "learn",
}


def topic_key(text: str) -> str:
    """What makes two spellings one topic: case, spacing, punctuation and filler words go."""
    text = unicodedata.normalize("NFKC", text).casefold()
    words = re.findall(r"[\w+#]+", text)
    kept = [w for w in words if w not in FILLER]
    return " ".join(kept or words)[:TOPIC_MAX]


def clean_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" .,;:-*•\t")[:TOPIC_MAX]


def windows_to_hours(keys: Iterable[str]) -> frozenset[int]:
    hours: set[int] = set()
    for key in keys:
        if key in WINDOWS:
            _, first, end = WINDOWS[key]
            hours.update(range(first, end))
    return frozenset(hours)


def hours_to_windows(hours: Iterable[int]) -> list[str]:
    have = set(hours)
    return [k for k, (_, a, b) in WINDOWS.items() if set(range(a, b)) <= have]


def _csv(values: Iterable[int]) -> str:
    return ",".join(str(v) for v in sorted(set(values)))


def _ints(text: str) -> frozenset[int]:
    return frozenset(int(v) for v in text.split(",") if v.strip().isdigit())


def availability_of(want: Want) -> Availability:
    return Availability(want.timezone, _ints(want.weekdays), _ints(want.hours))


# --- topics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    topic: InterestTopic
    merged: bool  # written differently from the topic it joined


def place_topic(session: Session, *, team_id: str, text: str) -> Placed:
    """The board's topic for `text`: an existing one spelled alike, or a new one."""
    name = clean_name(text)
    key = topic_key(name)
    if not key:
        raise InvalidInput({"topic": "Name the topic, e.g. Kubernetes."})
    exact = find_topic(session, team_id=team_id, text=name)
    if exact is not None:
        return Placed(exact, merged=exact.name.casefold() != name.casefold())
    topic = InterestTopic(team_id=team_id, name=name, key=key)
    session.add(topic)
    session.flush()
    return Placed(topic, merged=False)


def find_topic(session: Session, *, team_id: str, text: str) -> InterestTopic | None:
    """The workspace's topic spelled like `text` (same key, or a near-duplicate)."""
    key = topic_key(clean_name(text))
    if not key:
        return None
    known = {
        t.id: t
        for t in session.scalars(select(InterestTopic).where(InterestTopic.team_id == team_id))
    }
    exact = next((t for t in known.values() if t.key == key), None)
    if exact is None and known:
        found = process.extractOne(
            key,
            {tid: t.key for tid, t in known.items()},
            scorer=fuzz.ratio,
            score_cutoff=MERGE_SCORE,
        )
        if found is not None:
            exact = known[found[2]]
    return exact


def get_topic(session: Session, *, team_id: str, topic_id: int) -> InterestTopic:
    topic = session.get(InterestTopic, topic_id)
    if topic is None or topic.team_id != team_id:
        raise NotFound("That topic is no longer on the board. See it with `/p2p want`.")
    return topic


# --- wants ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WantOutcome:
    topic: InterestTopic
    merged: bool
    already: bool  # they wanted it before (their answers are updated)
    wanting: int  # how many want it now, them included


def add_want(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    text: str,
    availability: Availability,
    why: str = "",
    source: str = "form",
    now: datetime,
) -> WantOutcome:
    errors = {}
    if not slots.is_zone(availability.timezone):
        errors["timezone"] = "Enter a time zone such as Europe/Amsterdam or America/New_York."
    if not availability.weekdays:
        errors["weekdays"] = "Pick at least one day."
    if not availability.hours:
        errors["windows"] = "Pick at least one time of day."
    if len(why) > WHY_MAX:
        errors["why"] = f"Keep this under {WHY_MAX} characters."
    if not topic_key(clean_name(text)):
        errors["topic"] = "Name the topic, e.g. Kubernetes."
    if errors:
        raise InvalidInput(errors)
    placed = place_topic(session, team_id=team_id, text=text)
    topic = placed.topic
    want = session.scalars(
        select(Want).where(Want.topic_id == topic.id, Want.user_id == user_id)
    ).first()
    already = want is not None and want.invited_group_id is None
    if want is None:
        want = Want(team_id=team_id, topic_id=topic.id, user_id=user_id, created_at=now)
        session.add(want)
    elif want.invited_group_id is not None:  # back on the board
        want.invited_group_id = None
        want.created_at = now
    want.why = why.strip() or want.why or ""
    want.timezone = availability.timezone
    want.weekdays = _csv(availability.weekdays)
    want.hours = _csv(availability.hours)
    want.source = source
    want.notice = None
    topic.needs_match = True
    session.flush()
    return WantOutcome(topic, placed.merged, already, _waiting_count(session, topic.id))


def drop_want(session: Session, *, team_id: str, user_id: str, topic_id: int) -> InterestTopic:
    topic = get_topic(session, team_id=team_id, topic_id=topic_id)
    want = session.scalars(
        select(Want).where(Want.topic_id == topic.id, Want.user_id == user_id)
    ).first()
    if want is not None:
        session.delete(want)
        topic.needs_match = True
        session.flush()
    return topic


def latest_availability(session: Session, *, team_id: str, user_id: str) -> Availability | None:
    want = session.scalars(
        select(Want)
        .where(Want.team_id == team_id, Want.user_id == user_id, Want.source == "form")
        .order_by(Want.created_at.desc(), Want.id.desc())
    ).first()
    return availability_of(want) if want else None


def _waiting_count(session: Session, topic_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Want.id)).where(
                Want.topic_id == topic_id, Want.invited_group_id.is_(None)
            )
        )
        or 0
    )


def from_retro(session: Session, *, group: Group, user_id: str, texts: Sequence[str]) -> None:
    """Topics named in a retro join the board for who named them, at the hour their group
    met (the one hour we know they could make); `/p2p want` refines it."""
    zone = group.timezone
    hours = {group.session_time.hour}
    if group.session_time.minute or group.session_minutes > 60:
        hours.add((group.session_time.hour + 1) % 24)
    availability = Availability(zone, frozenset({group.weekday}), frozenset(hours))
    for text in texts:
        if not topic_key(clean_name(text)):
            continue
        placed = place_topic(session, team_id=group.team_id, text=text)
        exists = session.scalars(
            select(Want.id).where(Want.topic_id == placed.topic.id, Want.user_id == user_id)
        ).first()
        if exists is None:
            add_want(
                session,
                team_id=group.team_id,
                user_id=user_id,
                text=text,
                availability=availability,
                source="retro",
                now=group.ended_at or group.created_at,
            )


# --- the board ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardLine:
    topic_id: int
    name: str
    wanting: int
    mine: bool
    groups_formed: int


@dataclass(frozen=True)
class Board:
    lines: list[BoardLine]
    topics: int  # on the board in all (lines shows the most wanted)
    groups_formed: int


def board(session: Session, *, team_id: str, user_id: str, limit: int = BOARD_SIZE) -> Board:
    counts = (
        select(Want.topic_id, func.count(Want.id).label("n"))
        .where(Want.team_id == team_id, Want.invited_group_id.is_(None))
        .group_by(Want.topic_id)
        .subquery()
    )
    rows = session.execute(
        select(InterestTopic, counts.c.n)
        .join(counts, counts.c.topic_id == InterestTopic.id)
        .where(InterestTopic.team_id == team_id)
        .order_by(counts.c.n.desc(), InterestTopic.name)
    ).all()
    mine = set(
        session.scalars(
            select(Want.topic_id).where(
                Want.team_id == team_id, Want.user_id == user_id, Want.invited_group_id.is_(None)
            )
        )
    )
    formed = (
        session.scalar(
            select(func.coalesce(func.sum(InterestTopic.groups_formed), 0)).where(
                InterestTopic.team_id == team_id
            )
        )
        or 0
    )
    # Yours first among equals, so "Not any more" is easy to find.
    lines = [BoardLine(t.id, t.name, int(n), t.id in mine, t.groups_formed) for t, n in rows]
    lines.sort(key=lambda line: (-line.wanting, not line.mine, line.name.casefold()))
    return Board(lines[:limit], len(lines), int(formed))


def related(
    session: Session, *, team_id: str, topic: InterestTopic, user_id: str, limit: int = 2
) -> list[BoardLine]:
    """Other topics with people waiting, most alike first (then most wanted)."""
    lines = board(session, team_id=team_id, user_id=user_id, limit=1000).lines
    return related_lines(lines, topic, limit=limit)


def related_lines(
    lines: Sequence[BoardLine], topic: InterestTopic, *, limit: int = 2
) -> list[BoardLine]:
    others = {
        n: line for n, line in enumerate(lines) if line.topic_id != topic.id and not line.mine
    }
    alike = process.extract(
        topic.key,
        {n: topic_key(line.name) for n, line in others.items()},
        scorer=fuzz.token_set_ratio,
        score_cutoff=RELATED_SCORE,
        limit=limit,
    )
    chosen = [others[n] for _, _, n in alike]
    for line in others.values():  # then the most wanted (lines come most wanted first)
        if len(chosen) >= limit:
            break
        if line not in chosen:
            chosen.append(line)
    return chosen


# --- matching and proposals -----------------------------------------------------------------


def rules_at(now: datetime) -> Rules:
    return Rules(start=(now + timedelta(days=1)).date())


@dataclass(frozen=True)
class Notice:
    """Someone who fits no cohort, and why (said once per reason) — or who is in one that
    everyone asked has turned down (`unstaffed`: its hour, and how many are in it)."""

    team_id: str
    user_id: str
    topic_id: int
    topic: str
    key: str  # as kept in Want.notice
    left: LeftOut | None = None
    unstaffed: Slot | None = None
    cohort_size: int = 0


@dataclass
class Planned:
    proposals: list[int] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    topics_matched: int = 0


def plan(session: Session, *, now: datetime, rules: Rules | None = None) -> Planned:
    """Match the topics that changed since they were last matched, in every workspace:
    new cohorts become proposals; people left out get a notice if it is news to them."""
    rules = rules or rules_at(now)
    planned = Planned()
    for topic_id in session.scalars(
        select(InterestTopic.id).where(InterestTopic.needs_match.is_(True))
    ).all():
        # Claim the topic (another replica may be matching it too).
        claimed = session.execute(
            update(InterestTopic)
            .where(InterestTopic.id == topic_id, InterestTopic.needs_match.is_(True))
            .values(needs_match=False)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        topic = session.get(InterestTopic, topic_id)
        assert topic is not None
        planned.topics_matched += 1
        _plan_topic(session, topic, rules, now, planned)
    session.flush()
    return planned


def _plan_topic(
    session: Session, topic: InterestTopic, rules: Rules, now: datetime, planned: Planned
) -> None:
    busy = {
        u
        for p in session.scalars(
            select(CohortProposal).where(
                CohortProposal.topic_id == topic.id, CohortProposal.state == ProposalState.OPEN
            )
        )
        for u in p.member_ids
    }
    wants = [
        w
        for w in session.scalars(
            select(Want)
            .where(Want.topic_id == topic.id, Want.invited_group_id.is_(None))
            .order_by(Want.created_at, Want.id)
        )
        if w.user_id not in busy
    ]
    by_user = {w.user_id: w for w in wants}
    result = cohorts.match_topic(
        [Wanter(w.user_id, availability_of(w), order=n) for n, w in enumerate(wants)], rules
    )
    ambassadors = list(
        session.scalars(
            select(Ambassador.user_id)
            .where(Ambassador.team_id == topic.team_id)
            .order_by(Ambassador.since, Ambassador.id)
        )
    )
    asked = {
        u
        for p in session.scalars(
            select(CohortProposal).where(
                CohortProposal.topic_id == topic.id,
                CohortProposal.state == ProposalState.WITHDRAWN,
            )
        )
        for u in p.candidate_ids
    }
    for cohort in result.cohorts:
        # Nobody is asked again about a topic they turned down (or let pass) before.
        candidates = [c for c in facilitator_order(cohort.members, ambassadors) if c not in asked]
        if not candidates:
            for user in cohort.members:
                notice = f"unstaffed:{cohort.slot.quarter}:{len(cohort.members)}"
                if by_user[user].notice != notice:
                    _say(by_user[user], notice)
                    planned.notices.append(
                        Notice(
                            topic.team_id,
                            user,
                            topic.id,
                            topic.name,
                            notice,
                            unstaffed=cohort.slot,
                            cohort_size=len(cohort.members),
                        )
                    )
            continue
        proposal = CohortProposal(
            team_id=topic.team_id,
            topic_id=topic.id,
            weekday=cohort.slot.weekday,
            session_time=cohort.slot.start,
            members=",".join(cohort.members),
            candidates=",".join(candidates),
            facilitator_id=candidates[0],
            offered_at=now,
        )
        session.add(proposal)
        session.flush()
        planned.proposals.append(proposal.id)
        for user in cohort.members:
            _say(by_user[user], None)
    for left in result.left_out:
        if left.reason is Reason.TOO_FEW:
            continue  # the board and the want reply say so; no DM for every new topic
        want = by_user[left.user_id]
        notice = f"{left.reason.value}:{left.best_slot.quarter if left.best_slot else '-'}"
        if want.notice != notice:
            _say(want, notice)
            planned.notices.append(
                Notice(topic.team_id, left.user_id, topic.id, topic.name, notice, left)
            )


def notice_not_sent(session: Session, *, notice: NoticeText) -> None:
    """A notice Slack did not take: kept to be said at the next pass, unless it has been
    replaced meanwhile or its person invited to a group."""
    session.execute(
        update(Want)
        .where(
            Want.team_id == notice.team_id,
            Want.user_id == notice.user_id,
            Want.topic_id == notice.topic_id,
            Want.notice == notice.key,
            Want.invited_group_id.is_(None),
        )
        .values(notice_unsent=notice.text)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class NoticeText:
    """A notice as said to one person."""

    team_id: str
    user_id: str
    topic_id: int
    text: str
    key: str  # which notice it is (Want.notice): kept only while it is still the one


def take_unsent_notices(session: Session) -> list[NoticeText]:
    """Notices to say again, each taken by this caller (another pass does not see it).
    Run after `plan`: a notice it replaced, or whose person was invited to a group, is
    dropped rather than said."""
    stale = or_(Want.notice.is_(None), Want.invited_group_id.is_not(None))
    session.execute(
        update(Want)
        .where(Want.notice_unsent.is_not(None), stale)
        .values(notice_unsent=None)
        .execution_options(synchronize_session=False)
    )
    taken = []
    for want in session.scalars(select(Want).where(Want.notice_unsent.is_not(None))).all():
        took = session.execute(
            update(Want)
            .where(Want.id == want.id, Want.notice_unsent.is_not(None))
            .values(notice_unsent=None)
            .execution_options(synchronize_session=False)
        )
        if took.rowcount == 1 and want.notice_unsent and want.notice:  # type: ignore[attr-defined]
            taken.append(
                NoticeText(
                    want.team_id, want.user_id, want.topic_id, want.notice_unsent, want.notice
                )
            )
    return taken


def _say(want: Want, notice: str | None) -> None:
    """What they are told now replaces what they were told, or were to be told again."""
    want.notice = notice
    want.notice_unsent = None


def facilitator_order(members: Sequence[str], ambassadors: Sequence[str]) -> list[str]:
    """Who is asked to start the group, in turn: ambassadors who want the topic, then the
    person who asked first, then the workspace's other ambassadors, then everyone else in
    the cohort."""
    order: list[str] = []
    for user in [
        *(m for m in members if m in set(ambassadors)),
        *members[:1],
        *ambassadors,
        *members,
    ]:
        if user not in order:
            order.append(user)
    return order


def get_proposal(session: Session, *, team_id: str, proposal_id: int) -> CohortProposal:
    proposal = session.get(CohortProposal, proposal_id)
    if proposal is None or proposal.team_id != team_id:
        raise NotFound("I can't find that proposal any more.")
    return proposal


def open_proposal_for(
    session: Session, *, team_id: str, proposal_id: int, user_id: str
) -> CohortProposal:
    """The proposal, still open and offered to this person — or why not."""
    proposal = get_proposal(session, team_id=team_id, proposal_id=proposal_id)
    if proposal.state is ProposalState.STARTED:
        raise NotFound("That group has been started already. 🎉")
    if proposal.state is not ProposalState.OPEN or proposal.facilitator_id != user_id:
        raise NotFound(
            "This proposal has moved on to someone else (it waits a week for an answer). "
            "See the board with `/p2p want`."
        )
    return proposal


@dataclass(frozen=True)
class ProposalClaim:
    proposal_id: int
    facilitator_id: str
    stamp: datetime  # dm_claimed_at as this caller wrote it: its later writes check it
    # Set when taking over a claim never confirmed: the DM may have gone out since then.
    recovering_since: datetime | None = None


def _unsent(at: datetime) -> ColumnElement[bool]:
    return and_(
        CohortProposal.state == ProposalState.OPEN,
        CohortProposal.dm_sent_at.is_(None),
        or_(
            CohortProposal.dm_claimed_at.is_(None),
            CohortProposal.dm_claimed_at <= at - DM_LEASE,
        ),
    )


def _held(claim: ProposalClaim) -> ColumnElement[bool]:
    """The proposal is still as this caller claimed it: open, offered to the same person,
    its DM not confirmed, and the claim not taken over since."""
    return and_(
        CohortProposal.id == claim.proposal_id,
        CohortProposal.state == ProposalState.OPEN,
        CohortProposal.facilitator_id == claim.facilitator_id,
        CohortProposal.dm_claimed_at == claim.stamp,
        CohortProposal.dm_sent_at.is_(None),
    )


def claim_next_unsent(
    session: Session, *, skip: Collection[int] = (), team_id: str | None = None
) -> tuple[ProposalClaim, CohortProposal] | None:
    """The oldest open proposal whose DM has not gone out, claimed now for this caller; a
    claim left unconfirmed past its lease is taken over. Leases run on the wall clock (not
    a tick's `now`, which `p2p-bot tick --at` may set anywhere), like the ledger's.
    `team_id`: only that workspace's (a listener acts with one workspace's token)."""
    at = utcnow()
    candidates = session.scalars(
        select(CohortProposal)
        .where(
            _unsent(at),
            CohortProposal.id.not_in(skip) if skip else true(),
            CohortProposal.team_id == team_id if team_id else true(),
        )
        .order_by(CohortProposal.offered_at, CohortProposal.id)
        .limit(10)
    ).all()
    for proposal in candidates:
        before = proposal.dm_claimed_at
        claimed = session.execute(
            update(CohortProposal)
            .where(CohortProposal.id == proposal.id, _unsent(at))
            .values(dm_claimed_at=at)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            # Every DM to this person about it went out after it was offered to them.
            since = min(proposal.offered_at, before) if before is not None else None
            return ProposalClaim(proposal.id, proposal.facilitator_id, at, since), proposal
    return None


def confirm_sent(session: Session, *, claim: ProposalClaim, now: datetime) -> bool:
    """Slack took the DM; False when the claim was no longer this caller's."""
    done = session.execute(
        update(CohortProposal)
        .where(_held(claim))
        .values(dm_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def unsend(session: Session, *, claim: ProposalClaim) -> None:
    """The DM surely did not go out: the next pass tries again (unless the claim is no
    longer this caller's — then its new owner decides)."""
    session.execute(
        update(CohortProposal)
        .where(_held(claim))
        .values(dm_claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def unreachable(session: Session, *, claim: ProposalClaim, now: datetime) -> str | None:
    """The person asked can't be messaged: ask the next candidate (returned), if the
    proposal is still as claimed."""
    proposal = session.scalars(select(CohortProposal).where(_held(claim)).with_for_update()).first()
    if proposal is None:
        return None
    return pass_on(session, proposal=proposal, now=now)


def pass_on(session: Session, *, proposal: CohortProposal, now: datetime) -> str | None:
    """The one asked said no, could not be reached, or let a week pass: ask the next
    candidate (returned); with nobody left, withdraw the proposal and match again."""
    candidates = proposal.candidate_ids
    try:
        following = candidates[candidates.index(proposal.facilitator_id) + 1 :]
    except ValueError:
        following = []
    if following:
        proposal.facilitator_id = following[0]
        proposal.offered_at = now
        proposal.dm_claimed_at = None
        proposal.dm_sent_at = None
        return following[0]
    proposal.state = ProposalState.WITHDRAWN
    topic = session.get(InterestTopic, proposal.topic_id)
    if topic is not None:
        topic.needs_match = True
    return None


def decline(
    session: Session, *, team_id: str, proposal_id: int, user_id: str, now: datetime
) -> CohortProposal:
    proposal = open_proposal_for(session, team_id=team_id, proposal_id=proposal_id, user_id=user_id)
    pass_on(session, proposal=proposal, now=now)
    session.flush()
    return proposal


def expire(session: Session, *, now: datetime) -> int:
    """Proposals nobody answered within a week go to the next candidate."""
    stale = session.scalars(
        select(CohortProposal)
        .where(
            CohortProposal.state == ProposalState.OPEN,
            CohortProposal.offered_at <= now - PROPOSAL_TTL,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for proposal in stale:
        pass_on(session, proposal=proposal, now=now)
    session.flush()
    return len(stale)


@dataclass(frozen=True)
class Started:
    topic: InterestTopic
    invited: list[str]  # wanted the topic and fit the group's hour
    not_fitting: list[str]  # wanted it but cannot make the hour: they stay on the board


def group_started(
    session: Session, *, team_id: str, proposal_id: int | None, group: Group, now: datetime
) -> Started | None:
    """A group was posted: from a proposal (which is then done), or started by hand on a
    topic that is on the board. Everyone waiting on the topic who fits its hour is
    invited; the others stay on the board. None: the topic is not on the board."""
    if proposal_id is not None:
        proposal = get_proposal(session, team_id=team_id, proposal_id=proposal_id)
        topic = session.get(InterestTopic, proposal.topic_id)
        assert topic is not None
        proposal.state = ProposalState.STARTED
        proposal.group_id = group.id
    else:
        found = find_topic(session, team_id=team_id, text=group.topic)
        if found is None:
            return None
        topic = found
    topic.needs_match = True
    rules = rules_at(now)
    invited, not_fitting = [], []
    for want in session.scalars(
        select(Want)
        .where(Want.topic_id == topic.id, Want.invited_group_id.is_(None))
        .order_by(Want.created_at, Want.id)
    ):
        if want.user_id == group.facilitator_id:
            want.invited_group_id = group.id
            continue
        if cohorts.fits(
            availability_of(want),
            weekday=group.weekday,
            clock=group.session_time,
            timezone=group.timezone,
            rules=Rules(
                start=rules.start, weeks=group.weeks + 1, session_minutes=group.session_minutes
            ),
        ):
            want.invited_group_id = group.id
            invited.append(want.user_id)
        else:
            not_fitting.append(want.user_id)
    if proposal_id is not None or invited:
        topic.groups_formed += 1
    session.flush()
    return Started(topic, invited, not_fitting)


def slot_of(proposal: CohortProposal) -> Slot:
    return Slot(proposal.weekday, proposal.session_time)


def proposal_zones(session: Session, proposal: CohortProposal) -> list[str]:
    """The members' time zones, for saying the hour on their clocks."""
    zones = session.scalars(
        select(Want.timezone).where(
            Want.topic_id == proposal.topic_id, Want.user_id.in_(proposal.member_ids)
        )
    ).all()
    return list(dict.fromkeys(zones))


def next_instant(slot: Slot, after: datetime) -> datetime:
    """The slot's first moment after `after` (to say it on local clocks)."""
    moment = slot.instant(after.date())
    while moment <= after:
        moment += timedelta(weeks=1)
    return moment
