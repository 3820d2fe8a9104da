"""The board's periodic pass: match the topics that changed, propose the cohorts found to a
would-be facilitator by DM, tell the people left out why, and pass week-old proposals on.

Its cost follows what changed: topics are matched only when flagged (a want added or
dropped, a group started, a proposal turned down), and the other two steps are indexed
look-ups that find nothing on a quiet tick. Each proposal DM is claimed in the database
before it is sent, so replicas running the pass side by side send it once, and confirmed
after; a claim a crashed process left unconfirmed is taken over once its lease is out, and
the DM is looked for in Slack before it is sent again.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import interest
from bot.slack.gateway import (
    ChannelUnavailable,
    Gateway,
    NotInstalled,
    OutcomeUnknown,
    Refused,
    SlackCallFailed,
    TokenSource,
    UserUnavailable,
    acting_for,
)
from bot.slack.render import board as render
from bot.slack.render.message import Message
from bot.store import Store
from bot.store.models import CohortProposal, InterestTopic

log = logging.getLogger(__name__)

# A proposal passed on (nobody reachable) may be offered again in the same pass, this often.
MAX_OFFERS_A_PASS = 10


@dataclass
class InterestReport:
    topics_matched: int = 0
    proposed: list[str] = field(default_factory=list)  # "topic → facilitator"
    told: list[str] = field(default_factory=list)  # people told why they fit no cohort
    passed_on: int = 0

    @property
    def did_something(self) -> bool:
        return bool(self.topics_matched or self.proposed or self.told or self.passed_on)

    def summary(self) -> str:
        parts = [
            f"{self.topics_matched} topics matched" if self.topics_matched else "",
            f"{len(self.proposed)} proposals sent" if self.proposed else "",
            f"{len(self.told)} people told why not" if self.told else "",
            f"{self.passed_on} proposals passed on" if self.passed_on else "",
        ]
        return ", ".join(p for p in parts if p) or "board: nothing to do"


class InterestRunner:
    def __init__(
        self, client: WebClient, store: Store, *, tokens: TokenSource | None = None
    ) -> None:
        self.gateway = Gateway(client, tokens=tokens)
        self.store = store

    def run(self, now: datetime) -> InterestReport:
        report = InterestReport()
        with self.store.transaction() as session:
            report.passed_on = interest.expire(session, now=now)
        with self.store.transaction() as session:
            planned = interest.plan(session, now=now)
            report.topics_matched = planned.topics_matched
            notices = self._notices(session, planned.notices)
            notices += interest.take_unsent_notices(session)  # Slack did not take them before
        for notice in notices:
            if self._tell(notice):
                report.told.append(notice.user_id)
        report.proposed += self.send_pending(now)
        if report.did_something:
            log.info("interest board at %s: %s", now.isoformat(), report.summary())
        return report

    @staticmethod
    def _notices(session: Session, planned: list[interest.Notice]) -> list[interest.NoticeText]:
        texts = []
        boards: dict[str, list[interest.BoardLine]] = {}  # one look per workspace
        for notice in planned:
            topic = session.get_one(InterestTopic, notice.topic_id)
            if notice.team_id not in boards:
                boards[notice.team_id] = interest.board(
                    session, team_id=notice.team_id, user_id="", limit=1000
                ).lines
            if notice.unstaffed is not None:
                message = render.unstaffed_dm(topic.name, notice.unstaffed, notice.cohort_size)
            else:
                assert notice.left is not None
                related = interest.related_lines(boards[notice.team_id], topic)
                message = render.notice_dm(topic.name, notice.left, related)
            texts.append(
                interest.NoticeText(
                    notice.team_id, notice.user_id, notice.topic_id, message.text, notice.key
                )
            )
        return texts

    def _tell(self, notice: interest.NoticeText) -> bool:
        """DM why they fit no cohort. One Slack did not take for a passing reason is kept
        for the next pass; one that can't be delivered, or may have been, is not."""
        with acting_for(notice.team_id):
            try:
                self.gateway.dm(notice.user_id, Message(text=notice.text))
                return True
            except (
                UserUnavailable,
                NotInstalled,
                Refused,
                ChannelUnavailable,
                OutcomeUnknown,
            ) as not_again:
                log.warning(
                    "could not tell %s why they fit no cohort: %s", notice.user_id, not_again
                )
            except SlackCallFailed as failed:
                log.warning(
                    "could not tell %s why they fit no cohort (%s); the next pass retries",
                    notice.user_id,
                    failed.error,
                )
                with self.store.transaction() as session:
                    interest.notice_not_sent(session, notice=notice)
        return False

    def send_pending(self, now: datetime, *, team_id: str | None = None) -> list[str]:
        """DM every open proposal not yet offered to its current candidate, oldest first,
        each claimed just before it is sent. `team_id`: only that workspace's."""
        sent: list[str] = []
        tries: dict[int, int] = {}
        while True:
            done = {p for p, n in tries.items() if n >= MAX_OFFERS_A_PASS}
            with self.store.transaction() as session:
                claimed = interest.claim_next_unsent(session, skip=done, team_id=team_id)
                if claimed is None:
                    return sent
                dm = self._outgoing(session, *claimed, now)
            tries[dm.claim.proposal_id] = tries.get(dm.claim.proposal_id, 0) + 1
            offered = self._offer(dm, now)
            if offered is Offered.SENT:
                sent.append(f"{dm.topic} → {dm.claim.facilitator_id}")
            elif offered is Offered.LATER:
                tries[dm.claim.proposal_id] = MAX_OFFERS_A_PASS

    def _offer(self, dm: ProposalDM, now: datetime) -> Offered:
        """Send one claimed proposal DM and record what came of it. A person who can't be
        messaged passes it on to the next candidate, asked in this same pass."""
        claim = dm.claim
        with acting_for(dm.team_id):
            try:
                self._send(dm)
            except UserUnavailable as gone:
                log.info(
                    "proposal %s: %s can't be messaged (%s)",
                    claim.proposal_id,
                    claim.facilitator_id,
                    gone.error,
                )
                with self.store.transaction() as session:
                    following = interest.unreachable(session, claim=claim, now=now)
                return Offered.PASSED_ON if following else Offered.LATER
            except NotInstalled:
                return Offered.LATER  # kept claimed: after a reinstall it is looked for first
            except OutcomeUnknown as unknown:
                # Kept claimed: once the lease is out a pass looks for it, then sends.
                log.warning(
                    "proposal %s: DM to %s may have gone out (%s); looked for in %s",
                    claim.proposal_id,
                    claim.facilitator_id,
                    unknown.error,
                    interest.DM_LEASE,
                )
                return Offered.LATER
            except SlackCallFailed as failed:
                log.warning(
                    "proposal %s: DM to %s failed (%s); next pass retries",
                    claim.proposal_id,
                    claim.facilitator_id,
                    failed.error,
                )
                with self.store.transaction() as session:
                    interest.unsend(session, claim=claim)
                return Offered.LATER
        with self.store.transaction() as session:
            if not interest.confirm_sent(session, claim=claim, now=now):
                log.warning(
                    "proposal %s: its claim was taken over while sending", claim.proposal_id
                )
        return Offered.SENT

    @staticmethod
    def _outgoing(
        session: Session,
        claim: interest.ProposalClaim,
        proposal: CohortProposal,
        now: datetime,
    ) -> ProposalDM:
        topic = session.get_one(InterestTopic, proposal.topic_id)
        return ProposalDM(
            claim=claim,
            team_id=proposal.team_id,
            topic=topic.name,
            message=render.proposal_dm(
                proposal_id=proposal.id,
                topic=topic.name,
                slot=interest.slot_of(proposal),
                members=proposal.member_ids,
                zones=interest.proposal_zones(session, proposal),
                now=now,
            ),
        )

    def _send(self, dm: ProposalDM) -> None:
        user = dm.claim.facilitator_id
        self.gateway.post_once(
            user,
            dm.message,
            key=f"proposal:{dm.claim.proposal_id}:{user}",
            recovering_since=dm.claim.recovering_since,
        )


class Offered(enum.Enum):
    SENT = "sent"
    PASSED_ON = "passed on"  # to the next candidate, who can be asked at once
    LATER = "later"  # a later pass finishes it (it failed, or its outcome is unknown)


@dataclass(frozen=True)
class ProposalDM:
    claim: interest.ProposalClaim
    team_id: str
    topic: str
    message: Message
