"""App Home for a member, a non-member and a program owner; `/p2p stats` for owners and
everyone else; program owners added and removed — through real HTTP and the fake Slack."""

from __future__ import annotations

from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from tests.slack.people import ANA, BEN, CHANNEL, FAC, GUS, START_VALUES, join, start_group

BOSS = "U_BOSS"  # a workspace admin


def home_text(ws: SimulatedWorkspace, user: str) -> str:
    ws.driver.open_home(user)
    ws.settle()
    home = ws.fake.home(user)
    assert home is not None, f"no Home tab published for {user}"
    return home.plain


def said(ws: SimulatedWorkspace, user: str, text: str) -> str:
    """`/p2p <text>`: what the person was then told (in the acknowledgement or after it)."""
    before = len(ws.fake.responses(user))
    reply = ws.command(user, text, channel_id=CHANNEL)
    assert reply.status == 200
    told = [r for r in ws.fake.responses(user)[before:] if r.text or r.blocks]
    assert told, f"nothing said to {user} after /p2p {text}"
    return told[-1].text + "\n" + str(told[-1].blocks)


def stats_text(ws: SimulatedWorkspace, user: str) -> str:
    return said(ws, user, "stats")


def test_each_person_sees_their_own_home_and_only_owners_see_the_program(
    ws: SimulatedWorkspace,
) -> None:
    ws.fake.add_user(BOSS, name="boss", tz="America/New_York", is_admin=True)
    start_group(ws, place="https://meet.example.com/raft")
    join(ws, ANA)

    member = home_text(ws, ANA)
    assert "Your groups" in member and "Distributed systems" in member
    assert "recruiting" in member and "https://meet.example.com/raft" in member
    assert "Add to calendar" in member
    assert "The program" not in member and "Export CSV" not in member
    # the open groups do not repeat a group the person is already in
    assert "No other group is recruiting right now." in member

    outsider = home_text(ws, GUS)
    assert "You're not in a peer group yet" in outsider
    assert "Open groups" in outsider and "Distributed systems" in outsider
    assert "4 of 6 seats left" in outsider
    # Gus lives in New York: the slot is shown in his clock, with the group's beside it
    assert "your time (Thursday 18:00 Europe/Amsterdam)" in outsider
    assert "The program" not in outsider and "Ambassadors" not in outsider

    # Join from the Home tab: the same form as the recruitment message, then Home updates.
    ws.driver.click_in_view(GUS, ws.fake.home(GUS), ids.HOME_JOIN, value=None)
    ws.settle()
    form = ws.fake.open_modal(GUS)
    assert form is not None and form.callback_id == ids.JOIN_VIEW
    ws.submit(GUS, form, {"goal": "Finally understand Paxos", "minutes_per_week": "60"})
    refreshed = ws.fake.home(GUS)
    assert refreshed is not None and "You're not in a peer group yet" not in refreshed.plain
    assert "Distributed systems" in refreshed.plain.split("Open groups")[0]

    owner = home_text(ws, BOSS)
    assert "The program" in owner and "Export CSV" in owner
    assert "Booking.com saw 80%" in owner and "Ambassadors" in owner
    assert "🟢 recruiting 1" in owner

    full = stats_text(ws, BOSS)
    assert "Needs attention now" in full and "Ambassadors" in full
    plain = stats_text(ws, ANA)
    assert "Peer learning in this workspace" in plain and "Booking.com saw 80%" in plain
    assert "Ambassadors" not in plain and "Needs attention" not in plain and "<@" not in plain


def test_admins_name_program_owners_and_take_them_off(ws: SimulatedWorkspace) -> None:
    ws.fake.add_user(BOSS, name="boss", tz="Europe/London", is_admin=True)
    start_group(ws)

    refused = said(ws, ANA, "owners add @ben")  # as typed: Slack sends <@U…|ben>
    assert "Only program owners can do that" in refused

    added = said(ws, BOSS, "owners add @ana")
    assert f"<@{ANA}> is now a program owner" in added
    again = said(ws, BOSS, f"owners add <@{ANA}>")
    assert "already a program owner" in again
    listed = said(ws, FAC, "owners")
    assert f"<@{ANA}>" in listed
    # Ana's Home now holds the program (republished when she was named)
    home = ws.fake.home(ANA)
    assert home is not None and "The program" in home.plain
    assert "Needs attention now" in stats_text(ws, ANA)
    # a named owner may name others too
    ws.command(ANA, f"owners add <@{BEN}>", channel_id=CHANNEL)

    removed = said(ws, BOSS, f"owners remove <@{ANA}>")
    assert "no longer a program owner" in removed
    home = ws.fake.home(ANA)
    assert home is not None and "The program" not in home.plain
    assert "Needs attention now" not in stats_text(ws, ANA)
    listed = said(ws, FAC, "owners list")
    assert f"<@{ANA}>" not in listed and f"<@{BEN}>" in listed
    bad = said(ws, BOSS, "owners add nobody")
    assert "Say who" in bad


def test_a_group_started_from_home_asks_for_a_channel_the_bot_is_in(
    ws: SimulatedWorkspace,
) -> None:
    ws.fake.add_channel("C_BOOKS", name="books", members=[GUS])
    ws.fake.add_channel("C_QUIET", name="quiet", members=[GUS], bot_is_member=False)
    view = home_text_view(ws, GUS)
    ws.driver.click_in_view(GUS, view, ids.HOME_START)
    ws.settle()
    form = ws.fake.open_modal(GUS)
    assert form is not None and form.callback_id == ids.START_VIEW
    assert "Channel" in form.plain and "Where you meet" in form.plain
    values = {**START_VALUES, "topic": "Type theory", "place": "Library, 2nd floor"}

    refused = ws.submit(GUS, form, {**values, ids.START_CHANNEL: "C_QUIET"})
    assert "Add me there with /invite @p2p" in (refused.json or {})["errors"][ids.START_CHANNEL]

    ws.submit(GUS, form, {**values, ids.START_CHANNEL: "C_BOOKS"})
    posted = ws.fake.find_message("C_BOOKS", "Type theory")
    assert "Library, 2nd floor" in posted.plain and "Add to calendar" in posted.plain
    assert "Type theory" in home_text(ws, GUS).split("Open groups")[0]
    # …and it is an open group for everyone else
    assert "Type theory" in home_text(ws, ANA).split("Open groups")[1]

    # A group recruiting in a private channel is not advertised to people outside it.
    ws.fake.add_channel("C_SECRET", name="secret", members=[GUS], is_private=True)
    ws.driver.click_in_view(GUS, home_text_view(ws, GUS), ids.HOME_START)
    ws.settle()
    form = ws.fake.open_modal(GUS)
    assert form is not None
    ws.submit(GUS, form, {**values, "topic": "Skunkworks", ids.START_CHANNEL: "C_SECRET"})
    assert "Skunkworks" in ws.fake.home(GUS).plain  # type: ignore[union-attr]
    assert "Skunkworks" not in home_text(ws, ANA)


def home_text_view(ws: SimulatedWorkspace, user: str):  # type: ignore[no-untyped-def]
    ws.driver.open_home(user)
    ws.settle()
    return ws.fake.home(user)
