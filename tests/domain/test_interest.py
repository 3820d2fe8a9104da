"""The board's service over the store: topics merged by spelling, per workspace; retro
topics joining the board; a pass that proposes cohorts once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session

from bot.domain import interest, retro
from bot.domain.cohorts import Availability, Slot
from bot.domain.interest import topic_key
from bot.store import Store
from bot.store.models import (
    CohortProposal,
    Feedback,
    GroupState,
    LearnedGoal,
    Want,
)
from tests.domain.factories import TEAM, join, start_group

NOW = datetime(2026, 1, 12, 9, tzinfo=UTC)
EVENINGS = Availability("Europe/Amsterdam", frozenset({1, 3}), frozenset({18, 19}))


@pytest.mark.parametrize(
    "spelling",
    ["Kubernetes", "kubernetes basics", "Intro to Kubernetes", "  KUBERNETES!! ", "Kubernetes 101"],
)
def test_spellings_of_one_topic_share_a_key(spelling: str) -> None:
    assert topic_key(spelling) == "kubernetes"


def test_different_topics_keep_different_keys() -> None:
    keys = {topic_key(t) for t in ["C++", "C#", "C", "Python", "Python for data science", "Go"]}
    assert len(keys) == 6


def add(store: Store, user: str, text: str, team: str = TEAM) -> interest.WantOutcome:
    with store.transaction() as session:
        return interest.add_want(
            session, team_id=team, user_id=user, text=text, availability=EVENINGS, now=NOW
        )


def test_near_duplicates_merge_and_say_so_but_other_workspaces_are_apart(store: Store) -> None:
    first = add(store, "U1", "Kubernetes")
    typo = add(store, "U2", "Kubernets")
    other = add(store, "U3", "Kotlin")
    elsewhere = add(store, "U4", "Kubernetes", team="T_OTHER")
    assert typo.topic.id == first.topic.id and typo.merged and typo.wanting == 2
    assert other.topic.id != first.topic.id and not other.merged
    assert elsewhere.topic.id != first.topic.id and elsewhere.wanting == 1
    with store.transaction() as session:
        lines = interest.board(session, team_id=TEAM, user_id="U2").lines
        assert [(line.name, line.wanting, line.mine) for line in lines] == [
            ("Kubernetes", 2, True),
            ("Kotlin", 1, False),
        ]
        assert [
            line.name for line in interest.board(session, team_id="T_OTHER", user_id="U4").lines
        ] == ["Kubernetes"]


def test_bad_answers_are_refused_field_by_field(store: Store) -> None:
    from bot.domain.errors import InvalidInput

    with store.transaction() as session, pytest.raises(InvalidInput) as refused:
        interest.add_want(
            session,
            team_id=TEAM,
            user_id="U1",
            text="  !! ",
            availability=Availability("Mars/Olympus", frozenset(), frozenset()),
            now=NOW,
        )
    assert set(refused.value.fields) == {"topic", "timezone", "weekdays", "windows"}


def test_retro_topics_join_the_board_at_the_groups_hour_and_form_a_cohort(store: Store) -> None:
    group = start_group(store, weekday=1, session_time=time(18))
    for user in ("U_ANA", "U_BEN", "U_CHEN"):
        join(store, group.id, user)
    with store.transaction() as session:
        for user in ("U_FAC", "U_ANA", "U_BEN", "U_CHEN"):
            session.add(
                Feedback(
                    group_id=group.id,
                    user_id=user,
                    rating=5,
                    learned_goal=LearnedGoal.YES,
                    join_again=True,
                    facilitate=user == "U_BEN",
                    topics_wanted="Kubernetes basics, Terraform"
                    if user != "U_CHEN"
                    else "kubernetes",
                )
            )
        stored = session.get(type(group), group.id)
        assert stored is not None
        stored.state = GroupState.RUNNING
        retro.complete(session, group=stored, now=NOW)
    with store.transaction() as session:
        wants = session.query(Want).order_by(Want.id).all()
        assert {(w.user_id, w.source, w.weekdays, w.hours) for w in wants} >= {
            ("U_FAC", "retro", "1", "18"),
            ("U_CHEN", "retro", "1", "18"),
        }
        planned = interest.plan(session, now=NOW)
        assert planned.topics_matched == 2
        [proposal] = session.query(CohortProposal).all()
        # Tuesdays 18:00 in Amsterdam is 17:00 UTC in January; the ambassador is asked first.
        assert (proposal.weekday, proposal.session_time) == (1, time(17))
        assert proposal.facilitator_id == "U_BEN"
        assert set(proposal.member_ids) == {"U_FAC", "U_ANA", "U_BEN", "U_CHEN"}
    with store.transaction() as session:
        again = interest.plan(session, now=NOW)  # nothing changed: nothing matched or proposed
        assert again.topics_matched == 0 and session.query(CohortProposal).count() == 1
    add(
        store, "U_DEV", "Kubernetes"
    )  # a fifth: the four with an open proposal are not offered another
    with store.transaction() as session:
        later = interest.plan(session, now=NOW)
        assert later.topics_matched == 1 and later.proposals == []


def test_the_biggest_board_and_proposal_render_within_block_kit_limits() -> None:
    from bot.devtools.blockkit import check_blocks, check_view
    from bot.domain.cohorts import LeftOut, Reason, Slot
    from bot.slack.render import board as render

    lines = [
        interest.BoardLine(n, "<" * 150, 10_000 - n, n % 2 == 0, n)
        for n in range(interest.BOARD_SIZE)
    ]
    big = interest.Board(lines, topics=500, groups_formed=99)
    assert check_blocks(render.board_message(big).as_kwargs()["blocks"]) == []
    home = [b.to_dict() for b in render.home_section(big)]
    assert check_blocks(home, "home") == [] and len(home) <= 50  # leaves room in App Home
    buttons = [e for b in home for e in b.get("elements", []) if e.get("type") == "button"]
    assert [(e["text"]["text"], e["action_id"]) for e in buttons] == [
        ("I want to learn…", "want_open")
    ]
    members = [f"U{n:010}" for n in range(6)]
    proposal = render.proposal_dm(
        proposal_id=2**40,
        topic="<" * 150,
        slot=Slot(3, time(16)),
        members=members,
        zones=["America/Los_Angeles", "Asia/Kathmandu", "Pacific/Kiritimati", "Europe/Amsterdam"],
        now=NOW,
    )
    assert check_blocks(proposal.as_kwargs()["blocks"]) == []
    assert "(08:00 in Los Angeles … 06:00 Friday in Kiritimati)" in proposal.text
    notice = render.notice_dm(
        "<" * 150, LeftOut("U1", Reason.NO_SHARED_HOUR, Slot(0, time(9)), 2, 1), lines[:2]
    )
    assert "2 others are free at Mondays 09:00 UTC, and a group needs 1 more" in notice.text
    view = render.want_modal(topic="T" * 400, timezone="Europe/Amsterdam", availability=EVENINGS)
    assert check_view(view.to_dict()) == []


def test_a_cohort_everyone_turned_down_is_told_anyone_of_them_can_start_it(store: Store) -> None:
    for user in ("U1", "U2", "U3", "U4"):
        add(store, user, "Terraform")
    with store.transaction() as session:
        [proposal_id] = interest.plan(session, now=NOW).proposals
    for user in ("U1", "U2", "U3", "U4"):  # no ambassadors: the first asker, then the others
        with store.transaction() as session:
            interest.decline(session, team_id=TEAM, proposal_id=proposal_id, user_id=user, now=NOW)
    with store.transaction() as session:
        planned = interest.plan(session, now=NOW)
        assert planned.proposals == []  # nobody is asked twice
        assert sorted(n.user_id for n in planned.notices) == ["U1", "U2", "U3", "U4"]
        assert {(n.unstaffed, n.cohort_size) for n in planned.notices} == {(Slot(1, time(17)), 4)}
    add(store, "U5", "Terraform")  # someone new at that hour: they are asked, nobody else
    with store.transaction() as session:
        later = interest.plan(session, now=NOW)
        assert later.notices == []
        [proposal] = [session.get(CohortProposal, p) for p in later.proposals]
        assert proposal is not None and proposal.candidate_ids == ["U5"]
        assert len(proposal.member_ids) == 5


def test_a_group_started_by_hand_on_a_board_topic_invites_who_fits_its_hour(store: Store) -> None:
    add(store, "U_EVE", "distributed systems")  # Tuesday and Thursday evenings
    with store.transaction() as session:
        interest.add_want(
            session,
            team_id=TEAM,
            user_id="U_MORNING",
            text="Distributed Systems",
            availability=Availability("Europe/Amsterdam", frozenset({3}), frozenset({9})),
            now=NOW,
        )
    group = start_group(store)  # Thursdays 18:00 in Amsterdam
    with store.transaction() as session:
        started = interest.group_started(
            session, team_id=TEAM, proposal_id=None, group=group, now=NOW
        )
        assert started is not None
        assert (started.invited, started.not_fitting) == (["U_EVE"], ["U_MORNING"])
        lines = interest.board(session, team_id=TEAM, user_id="U_MORNING").lines
        assert [(line.wanting, line.groups_formed) for line in lines] == [(1, 1)]


def add_proposal(session: Session, team: str, *, candidates: str) -> None:
    """A Rust cohort proposed to U_A, its DM not sent yet."""
    topic = interest.place_topic(session, team_id=team, text="Rust").topic
    session.add(
        CohortProposal(
            team_id=team,
            topic_id=topic.id,
            weekday=1,
            session_time=time(16),
            members="U_A,U_B,U_C,U_D",
            candidates=candidates,
            facilitator_id="U_A",
            offered_at=NOW,
        )
    )


def test_a_proposal_dm_claim_taken_over_cannot_be_undone_by_its_first_owner(
    store: Store,
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        with store.transaction() as session:
            add_proposal(session, TEAM, candidates="U_A,U_B")
        with store.transaction() as session:
            first = interest.claim_next_unsent(session)
            assert first is not None and first[0].recovering_since is None
            assert interest.claim_next_unsent(session) is None  # held by the first pass
        traveller.shift(interest.DM_LEASE + timedelta(seconds=1))  # the first pass is slow
        with store.transaction() as session:
            second = interest.claim_next_unsent(session)
            assert second is not None and second[0].recovering_since == NOW  # looks since
            assert interest.confirm_sent(session, claim=second[0], now=NOW)

        # The slow first pass comes back: its failure, its "unreachable", its confirmation
        # change nothing — the DM stays sent, to U_A.
        with store.transaction() as session:
            interest.unsend(session, claim=first[0])
            assert interest.unreachable(session, claim=first[0], now=NOW) is None
            assert not interest.confirm_sent(session, claim=first[0], now=NOW)
        with store.transaction() as session:
            [proposal] = session.query(CohortProposal).all()
            assert proposal.facilitator_id == "U_A" and proposal.dm_sent_at is not None
            assert interest.claim_next_unsent(session) is None


def test_a_kept_notice_is_dropped_once_it_is_no_longer_true(store: Store) -> None:
    mornings = Availability("Europe/Amsterdam", frozenset({1, 3}), frozenset({8, 9}))

    def wants(users: list[str], availability: Availability) -> None:
        with store.transaction() as session:
            for user in users:
                interest.add_want(
                    session,
                    team_id=TEAM,
                    user_id=user,
                    text="Rust",
                    availability=availability,
                    now=NOW,
                )

    wants(["U1", "U2", "U3", "U4"], EVENINGS)
    wants(["U_CHEN"], mornings)
    with store.transaction() as session:
        planned = interest.plan(session, now=NOW)
        [notice] = [n for n in planned.notices if n.user_id == "U_CHEN"]
        # Slack did not take it...
        kept = interest.NoticeText(TEAM, "U_CHEN", notice.topic_id, "not now", notice.key)
        interest.notice_not_sent(session, notice=kept)
    with store.transaction() as session:
        assert interest.take_unsent_notices(session) == [kept]  # kept while true...
        interest.notice_not_sent(session, notice=kept)
    wants(["U5", "U6", "U7"], mornings)  # ...but now Chen's mornings make a group
    with store.transaction() as session:
        planned = interest.plan(session, now=NOW)
        assert len(planned.proposals) == 1
        assert interest.take_unsent_notices(session) == []


def test_a_listener_claims_only_its_own_workspaces_proposal_dms(store: Store) -> None:
    with store.transaction() as session:
        for team in ("T_ONE", "T_TWO"):
            add_proposal(session, team, candidates="U_A")
    with store.transaction() as session:
        claimed = interest.claim_next_unsent(session, team_id="T_TWO")
        assert claimed is not None and claimed[1].team_id == "T_TWO"
        assert interest.claim_next_unsent(session, team_id="T_TWO") is None
        other = interest.claim_next_unsent(session)  # the scheduler's pass: any workspace
        assert other is not None and other[1].team_id == "T_ONE"
