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

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import interest
from bot.slack.gateway import (
    Gateway,
    OutcomeUnknown,
    SlackCallFailed,
    TokenSource,
    UserUnavailable,
    acting_for,
    tagged,
)
from bot.slack.render import board as render
from bot.slack.render.message import Message
from bot.store import Store
from bot.store.models import InterestTopic
from bot.store.types import utcnow

log = logging.getLogger(__name__)


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
            notices = interest.take_unsent_notices(session)  # Slack did not take them before
            planned = interest.plan(session, now=now)
            report.topics_matched = planned.topics_matched
            notices += self._notices(session, planned.notices)
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
                interest.NoticeText(notice.team_id, notice.user_id, notice.topic_id, message.text)
            )
        return texts

    def _tell(self, notice: interest.NoticeText) -> bool:
        """DM why they fit no cohort; one Slack did not take is kept for the next pass."""
        with acting_for(notice.team_id):
            try:
                self.gateway.dm(notice.user_id, Message(text=notice.text))
                return True
            except UserUnavailable as gone:
                log.info("%s can't be told why they fit no cohort: %s", notice.user_id, gone)
            except SlackCallFailed as failed:
                log.warning(
                    "could not tell %s why they fit no cohort (%s); the next pass retries",
                    notice.user_id,
                    failed.error,
                )
                with self.store.transaction() as session:
                    interest.notice_not_sent(
                        session,
                        team_id=notice.team_id,
                        user_id=notice.user_id,
                        topic_id=notice.topic_id,
                        text=notice.text,
                    )
        return False

    def send_pending(self, now: datetime) -> list[str]:
        """DM every open proposal not yet offered to its current candidate."""
        sent: list[str] = []
        for _ in range(10):  # a candidate who can't be reached passes it on at once
            with self.store.transaction() as session:
                outgoing = [
                    self._outgoing(session, claim, now)
                    for claim in interest.claim_unsent(session, now=now)
                ]
            if not outgoing:
                break
            unreachable = False
            for dm in outgoing:
                with acting_for(dm.team_id):
                    try:
                        self._send(dm)
                    except UserUnavailable:
                        unreachable = True
                        with self.store.transaction() as session:
                            proposal = interest.get_proposal(
                                session, team_id=dm.team_id, proposal_id=dm.proposal_id
                            )
                            interest.pass_on(session, proposal=proposal, now=now)
                        continue
                    except OutcomeUnknown as unknown:
                        # Kept claimed: once the lease is out a pass looks for it, then sends.
                        log.warning(
                            "proposal %s: DM to %s may have gone out (%s); looked for in %s",
                            dm.proposal_id,
                            dm.user_id,
                            unknown.error,
                            interest.DM_LEASE,
                        )
                        continue
                    except SlackCallFailed as failed:
                        log.warning(
                            "proposal %s: DM to %s failed (%s); next pass retries",
                            dm.proposal_id,
                            dm.user_id,
                            failed.error,
                        )
                        with self.store.transaction() as session:
                            interest.unsend(session, proposal_id=dm.proposal_id)
                        continue
                with self.store.transaction() as session:
                    interest.confirm_sent(
                        session, proposal_id=dm.proposal_id, facilitator_id=dm.user_id, now=now
                    )
                sent.append(f"{dm.topic} → {dm.user_id}")
            if not unreachable:
                break
        return sent

    @staticmethod
    def _outgoing(session: Session, claim: interest.ProposalClaim, now: datetime) -> ProposalDM:
        proposal = claim.proposal
        topic = session.get_one(InterestTopic, proposal.topic_id)
        return ProposalDM(
            proposal_id=proposal.id,
            team_id=proposal.team_id,
            user_id=proposal.facilitator_id,
            topic=topic.name,
            message=render.proposal_dm(
                proposal_id=proposal.id,
                topic=topic.name,
                slot=interest.slot_of(proposal),
                members=proposal.member_ids,
                zones=interest.proposal_zones(session, proposal),
                now=now,
            ),
            recovering_since=claim.recovering_since,
        )

    def _send(self, dm: ProposalDM) -> None:
        """Post the DM once: a claim taken over, or a post whose outcome we never learnt, is
        looked for in the person's DM before it is sent (again). Raises OutcomeUnknown when
        it may have gone out and we could not look."""
        key = f"proposal:{dm.proposal_id}:{dm.user_id}"
        if dm.recovering_since is not None and self._posted(dm, key, dm.recovering_since):
            return
        started = utcnow()
        try:
            self.gateway.post(dm.user_id, dm.message, metadata=tagged(key))
        except OutcomeUnknown:
            if not self._posted(dm, key, started):
                self.gateway.post(dm.user_id, dm.message, metadata=tagged(key))

    def _posted(self, dm: ProposalDM, key: str, since: datetime) -> bool:
        try:
            return self.gateway.find_posted(dm.user_id, key, since=since) is not None
        except SlackCallFailed as failed:
            raise OutcomeUnknown("conversations.history", failed.error, user=dm.user_id) from failed


@dataclass(frozen=True)
class ProposalDM:
    proposal_id: int
    team_id: str
    user_id: str  # the would-be facilitator asked
    topic: str
    message: Message
    recovering_since: datetime | None
