"""Start a group, fill its seats: through the real app, over HTTP, against fake Slack."""

from __future__ import annotations

import copy
import threading

from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups
from bot.slack import ids
from bot.store.models import MemberStatus
from tests.slack.people import (
    ANA,
    BEN,
    CHANNEL,
    CHEN,
    DEV,
    EVA,
    FAC,
    FINN,
    START_VALUES,
    join,
    recruitment,
    start_group,
)


def stored_group(ws: SimulatedWorkspace):  # type: ignore[no-untyped-def]
    with ws.store.transaction() as session:
        return groups.live_group(session, team_id=ws.fake.team_id, channel_id=CHANNEL)


def test_start_opens_a_form_prefilled_with_the_topic_and_the_users_time_zone(
    ws: SimulatedWorkspace,
) -> None:
    reply = ws.command(ANA, "start Distributed systems", channel_id=CHANNEL)

    assert reply.status == 200
    modal = ws.fake.open_modal(ANA)
    assert modal is not None and modal.callback_id == ids.START_VIEW
    inputs = {b["block_id"]: b["element"] for b in modal.blocks if b["type"] == "input"}
    assert inputs["topic"]["initial_value"] == "Distributed systems"
    assert inputs["timezone"]["initial_value"] == "Europe/Lisbon"  # from users.info
    assert inputs["weeks"]["initial_value"] == "6"
    assert inputs["seats"]["initial_value"] == "6"
    assert inputs["min_members"]["initial_value"] == "4"
    assert set(inputs) == set(START_VALUES) | {"share_checkins", "place"}


def test_the_topic_typed_after_start_is_kept_as_typed(ws: SimulatedWorkspace) -> None:
    # Slack sends it escaped: "R&amp;D &lt;for&gt; <#C…|general>" — the form shows it plainly.
    ws.fake.add_channel("C_GENERAL", name="general", members=[ANA])
    ws.command(ANA, "start R&D <for> #general", channel_id=CHANNEL)
    modal = ws.fake.open_modal(ANA)
    assert modal is not None
    inputs = {b["block_id"]: b["element"] for b in modal.blocks if b["type"] == "input"}
    assert inputs["topic"]["initial_value"] == "R&D <for> #general"


def test_start_in_a_dm_asks_for_the_channel_in_the_form(ws: SimulatedWorkspace) -> None:
    ws.fake.add_channel("C_QUIET", name="quiet", members=[ANA], bot_is_member=False)
    dm = ws.fake.ws.im_channel(ANA).id
    reply = ws.command(ANA, "start Distributed systems", channel_id=dm)

    assert reply.status == 200 and not reply.body_text.strip()
    modal = ws.fake.open_modal(ANA)
    assert modal is not None and modal.callback_id == ids.START_VIEW
    assert "Pick the channel where it will recruit" in modal.plain
    inputs = {b["block_id"]: b["element"] for b in modal.blocks if b["type"] == "input"}
    assert inputs[ids.START_CHANNEL]["type"] == "conversations_select"
    assert inputs["topic"]["initial_value"] == "Distributed systems"
    assert inputs["timezone"]["initial_value"] == "Europe/Lisbon"

    refused = ws.submit(ANA, modal, {**START_VALUES, ids.START_CHANNEL: "C_QUIET"})
    assert "Add me there with /invite @p2p" in (refused.json or {})["errors"][ids.START_CHANNEL]
    ws.submit(ANA, modal, {**START_VALUES, ids.START_CHANNEL: CHANNEL})
    posted = recruitment(ws)
    assert "Distributed systems" in posted.plain and f"<@{ANA}>" in posted.plain
    assert ws.fake.messages("C_QUIET") == []


def test_submitting_the_form_posts_the_recruitment_message(ws: SimulatedWorkspace) -> None:
    message = start_group(ws)

    text = message.plain
    assert "Distributed systems" in text
    assert "We run many of them" in text
    assert "Study & present" in text
    assert "Thursdays, 18:00–19:00 (Europe/Amsterdam), for 6 weeks" in text
    assert f"<@{FAC}>" in text
    assert "5 of 6 left" in text and "3 more to start" in text
    assert "Join" in text and "Leave" in text
    group = stored_group(ws)
    assert group.recruitment_ts == message.ts
    assert [m.user_id for m in group.members] == [FAC]


def test_invalid_values_are_refused_next_to_the_field(ws: SimulatedWorkspace) -> None:
    ws.command(FAC, "start", channel_id=CHANNEL)
    modal = ws.fake.open_modal(FAC)
    assert modal is not None

    reply = ws.submit(FAC, modal, {**START_VALUES, "timezone": "Mars/Base", "min_members": "8"})

    assert reply.json["response_action"] == "errors"
    errors = reply.json["errors"]
    assert set(errors) == {"timezone", "min_members"}
    assert "8" not in errors["min_members"] and "6 seats" in errors["min_members"]
    assert stored_group(ws) is None
    assert ws.fake.messages(CHANNEL) == []


def test_joining_updates_the_message_in_place_and_tells_the_joiner(ws: SimulatedWorkspace) -> None:
    posted = start_group(ws)

    join(ws, ANA, goal="Understand Raft well enough to review our etcd setup", minutes=90)

    updated = recruitment(ws)
    assert updated.ts == posted.ts and updated.edits >= 1
    assert f"<@{ANA}>" in updated.plain and "4 of 6 left" in updated.plain
    told = ws.fake.ephemerals(user=ANA, channel=CHANNEL)[-1]
    assert "You're in the *Distributed systems* group" in told.text
    member = stored_group(ws).membership(ANA)
    assert member.status is MemberStatus.MEMBER
    assert member.goal == "Understand Raft well enough to review our etcd setup"
    assert member.minutes_per_week == 90


def test_a_full_group_waitlists_and_a_leaver_hands_the_seat_on(ws: SimulatedWorkspace) -> None:
    start_group(ws, seats="3", min_members="2")
    join(ws, ANA)
    join(ws, BEN)

    join(ws, CHEN)
    join(ws, DEV)

    assert "place #1" in ws.fake.ephemerals(user=CHEN)[-1].text
    assert "place #2" in ws.fake.ephemerals(user=DEV)[-1].text
    assert "Waitlist" in recruitment(ws).plain
    assert "full (2 waiting)" in recruitment(ws).plain

    ws.click(ANA, recruitment(ws), ids.LEAVE)

    assert "You've left" in ws.fake.responses(user=ANA)[-1].text
    promoted = ws.fake.dm(CHEN)[-1]
    assert "it's yours now" in promoted.plain
    group = stored_group(ws)
    assert [m.user_id for m in group.members] == [FAC, BEN, CHEN]
    assert [m.user_id for m in group.waitlist] == [DEV]
    assert f"<@{CHEN}>" in recruitment(ws).plain.split("Waitlist")[0]


def test_joining_twice_or_leaving_when_not_in_gives_a_clear_answer(ws: SimulatedWorkspace) -> None:
    start_group(ws)
    join(ws, ANA)

    ws.click(ANA, recruitment(ws), ids.JOIN)
    assert "already a member" in ws.fake.responses(user=ANA)[-1].text
    ws.click(EVA, recruitment(ws), ids.LEAVE)
    assert "not in the *Distributed systems* group" in ws.fake.responses(user=EVA)[-1].text
    assert len(stored_group(ws).memberships) == 2


def test_a_join_form_submitted_twice_joins_once(ws: SimulatedWorkspace) -> None:
    start_group(ws)
    ws.click(ANA, recruitment(ws), ids.JOIN)
    modal = ws.fake.open_modal(ANA)
    assert modal is not None

    first = ws.driver.submit(ANA, modal, {"goal": "Raft", "minutes_per_week": "60"})
    second = ws.driver.submit(ANA, modal, {"goal": "Raft", "minutes_per_week": "60"})
    ws.settle()

    assert first.status == second.status == 200
    group = stored_group(ws)
    assert [m.user_id for m in group.members].count(ANA) == 1
    assert len(group.memberships) == 2


def test_acting_on_an_ended_group_says_so(ws: SimulatedWorkspace) -> None:
    start_group(ws)
    message = recruitment(ws)
    stale_screen = copy.deepcopy(message)  # what Ana's client still shows
    ws.click(FAC, message, ids.LEAVE)  # the last member leaves: the group closes

    ws.click(ANA, stale_screen, ids.JOIN)

    assert "has ended" in ws.fake.responses(user=ANA)[-1].text
    assert "closed before it started" in ws.fake.message(CHANNEL, message.ts).plain
    assert ws.fake.open_modal(ANA) is None


def test_the_facilitator_leaving_hands_over_to_the_next_member(ws: SimulatedWorkspace) -> None:
    start_group(ws)
    join(ws, ANA)
    join(ws, BEN)

    ws.click(FAC, recruitment(ws), ids.LEAVE)

    assert stored_group(ws).facilitator_id == ANA
    assert "You're now the facilitator" in ws.fake.dm(ANA)[-1].plain
    assert (
        f"*Facilitator*\n<@{ANA}>" in recruitment(ws).plain or f"<@{ANA}>" in recruitment(ws).plain
    )


def test_help_for_no_subcommand_help_and_unknown_ones(ws: SimulatedWorkspace) -> None:
    for text in ("", "help", "dance"):
        reply = ws.command(ANA, text, channel_id=CHANNEL)
        assert reply.status == 200
        shown = ws.fake.responses(user=ANA)[-1]
        assert "/p2p start [topic]" in shown.text and "/p2p status" in shown.text
        assert shown.response_type == "ephemeral"
    assert "I don't know `/p2p dance`" in shown.text
    assert ws.fake.messages(CHANNEL) == []


def test_status_lists_the_channels_group(ws: SimulatedWorkspace) -> None:
    ws.command(ANA, "status", channel_id=CHANNEL)
    assert "no peer group" in ws.fake.responses(user=ANA)[-1].text
    start_group(ws)
    join(ws, ANA)

    ws.command(BEN, "status", channel_id=CHANNEL)
    shown = ws.fake.responses(user=BEN)[-1].text

    assert "*Distributed systems* — 🟢 recruiting" in shown
    assert "2/6 members (2 more to start)" in shown


def test_a_second_live_group_in_the_channel_is_refused(ws: SimulatedWorkspace) -> None:
    start_group(ws)
    ws.command(ANA, "start Rust", channel_id=CHANNEL)
    assert "already has a live group" in ws.fake.responses(user=ANA)[-1].text
    assert ws.fake.open_modal(ANA) is None


def test_start_in_a_channel_without_the_bot_says_how_to_invite_it(ws: SimulatedWorkspace) -> None:
    ws.fake.add_channel("C_OTHER", name="other", members=[ANA], bot_is_member=False)

    ws.command(ANA, "start Rust", channel_id="C_OTHER")

    assert "/invite @p2p" in ws.fake.responses(user=ANA)[-1].text
    assert ws.fake.open_modal(ANA) is None


def test_a_bot_removed_before_the_form_is_submitted_tells_the_facilitator(
    ws: SimulatedWorkspace,
) -> None:
    ws.command(FAC, "start", channel_id=CHANNEL)
    modal = ws.fake.open_modal(FAC)
    ws.fake.remove_bot(CHANNEL)

    ws.submit(FAC, modal, START_VALUES)

    assert "/invite @p2p" in ws.fake.dm(FAC)[-1].plain
    assert stored_group(ws) is None


def test_concurrent_clicks_on_the_last_seat_never_oversell(ws: SimulatedWorkspace) -> None:
    start_group(ws, seats="3", min_members="2")
    join(ws, ANA)
    message = recruitment(ws)
    forms = {}
    for user in (BEN, CHEN, DEV, EVA, FINN):
        ws.click(user, message, ids.JOIN)
        forms[user] = ws.fake.open_modal(user)

    threads = [
        threading.Thread(
            target=ws.driver.submit, args=(u, forms[u], {"goal": "x", "minutes_per_week": "60"})
        )
        for u in forms
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ws.settle()

    group = stored_group(ws)
    assert len(group.members) == 3 and len(group.waitlist) == 4
    assert "full (4 waiting)" in recruitment(ws).plain
