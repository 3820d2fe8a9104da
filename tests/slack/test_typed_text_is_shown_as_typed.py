"""Text people typed is shown as they typed it: `&`, `<` and `>` are escaped where it goes into
Slack's mrkdwn, so `<templates>` is not read as a link and `<!channel>` pings nobody."""

from __future__ import annotations

import pytest

from bot.devtools.fake_slack import Message
from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from bot.slack.render.format import escape, link, shorten, truncate, user_text
from tests.slack.clock import Clock, utc
from tests.slack.people import (
    ANA,
    BEN,
    CHANNEL,
    START_VALUES,
    recruitment,
    run_cycle,
    start_group,
)

TOPIC = "C++ <templates> & more <!channel>"


def mrkdwn_texts(message: Message) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.blocks)
    return found


def markup(message: Message) -> str:
    """What the bot sent that Slack reads as markup: the top-level text and every mrkdwn text
    (plain_text, e.g. a header, is shown literally and holds the topic as typed)."""
    return "\n".join([message.text, *mrkdwn_texts(message)])


def test_a_typed_topic_is_escaped_in_the_recruitment_message_and_shown_as_typed(
    ws: SimulatedWorkspace,
) -> None:
    start_group(ws, topic=TOPIC, why=f"Ask <@{ANA}> & me: <b>templates</b> > macros")

    message = recruitment(ws)

    sent = markup(message)
    assert "<!channel>" not in sent and "<templates>" not in sent
    assert "&lt;!channel&gt;" in message.text
    assert message.text.startswith("Peer-learning group: C++ &lt;templates&gt; &amp; more")
    why = next(t for t in mrkdwn_texts(message) if t.startswith("*Why*"))
    # A mention stays a mention (it names one person); the rest is shown as typed.
    assert why == f"*Why*\nAsk <@{ANA}> &amp; me: &lt;b&gt;templates&lt;/b&gt; &gt; macros"
    # The header is plain_text: Slack shows it literally, so it is not escaped.
    header = next(b for b in message.blocks if b["type"] == "header")
    assert header["text"]["type"] == "plain_text" and header["text"]["text"] == f"📚 {TOPIC}"
    # What people see.
    assert f"Peer-learning group: {TOPIC} —" in message.plain
    assert f"Ask <@{ANA}> & me: <b>templates</b> > macros" in message.plain


def test_refusals_that_name_the_group_show_its_topic_as_typed(ws: SimulatedWorkspace) -> None:
    start_group(ws, topic=TOPIC)
    ws.command(BEN, "leave", channel_id=CHANNEL)  # not a member: the domain says so
    refusal = ws.fake.ephemerals(BEN)[-1]
    assert "&lt;!channel&gt;" in refusal.text and "<!channel>" not in refusal.text
    assert f"*{TOPIC}*" in refusal.plain


def test_a_proposal_and_its_link_are_shown_as_typed_on_the_vote(
    ws: SimulatedWorkspace, clock: Clock
) -> None:
    run_cycle(ws, clock)
    ws.command(ANA, "propose Raft", channel_id=CHANNEL)
    clock.at(utc(2026, 3, 18, 17))  # the prompt
    clock.at(utc(2026, 3, 19, 17))  # the session
    clock.at(utc(2026, 3, 19, 18))  # the vote
    vote = ws.fake.find_message(CHANNEL, "Vote: week")
    ws.click(BEN, vote, ids.PROPOSE)
    form = ws.fake.open_modal(BEN)
    assert form is not None
    reply = ws.submit(
        BEN,
        form,
        {"proposal": "Paxos <!here> & Raft", "link": "https://x.io/?a=1&b=2|<!channel>"},
    )
    assert not (reply.json or {}).get("errors"), reply.json
    ws.click(ANA, ws.fake.find_message(CHANNEL, "Vote: week"), ids.PROPOSE)
    form = ws.fake.open_modal(ANA)
    assert form is not None
    ws.submit(ANA, form, {"proposal": "R&D <notes>", "link": ""})

    vote = ws.fake.find_message(CHANNEL, "Vote: week")

    sent = markup(vote)
    assert "<!here>" not in sent and "<!channel>" not in sent and "<notes>" not in sent
    # The link can't be ended early by a `|` or `>` typed in it; its label is escaped.
    assert "*<https://x.io/?a=1&amp;b=2%7C%3C!channel%3E|Paxos &lt;!here&gt; &amp; Raft>*" in sent
    assert "*R&amp;D &lt;notes&gt;*" in sent
    assert "*R&D <notes>*" in vote.plain


# --- the helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("R&D", "R&amp;D"),
        ("C++ <templates> & more", "C++ &lt;templates&gt; &amp; more"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("&lt; typed as such", "&amp;lt; typed as such"),
        ("*bold* _it_ `code` #general @ana", "*bold* _it_ `code` #general @ana"),
    ],
)
def test_escape_writes_only_the_three_control_characters_as_entities(typed: str, sent: str) -> None:
    assert escape(typed) == sent


def test_user_text_keeps_mentions_of_people_and_its_limit_holds_once_escaped() -> None:
    assert user_text("ask <@U_ANA> or <!here> <@U_BEN|ben>") == (
        "ask <@U_ANA> or &lt;!here&gt; &lt;@U_BEN|ben&gt;"
    )
    assert user_text("a&b&c", 8) == "a&amp;b…"  # 8 characters as sent, no entity cut
    assert user_text("<" * 500, 100) == "&lt;" * 24 + "…"
    assert user_text("see <@U_ANA> now", 10) == "see …"  # nor a mention


def test_plain_text_is_shortened_as_typed() -> None:
    header = shorten("📖 Week 1 of 6: a < b, " + "y" * 200, 150)
    assert header.startswith("📖 Week 1 of 6: a < b, yyy") and len(header) == 150


def test_truncate_never_cuts_an_entity_in_half() -> None:
    assert truncate("ab&amp;cd", 5) == "ab…"
    assert truncate("ab&lt;cd", 4) == "ab…"
    assert truncate("ab&amp;cd", 8) == "ab&amp;…"
    assert truncate("abcdefgh", 5) == "abcd…"


def test_a_link_cannot_be_broken_out_of() -> None:
    assert link("https://x.io/a b|c>d<e?f=1&g=2", "R&D <x>") == (
        "<https://x.io/a%20b%7Cc%3Ed%3Ce?f=1&amp;g=2|R&amp;D &lt;x&gt;>"
    )
    assert link("https://x.io/") == "<https://x.io/>"


def test_a_form_error_naming_a_group_shows_its_topic_as_typed(ws: SimulatedWorkspace) -> None:
    start_group(ws, topic=TOPIC)
    ws.command(BEN, "start Go", channel_id=ws.fake.ws.im_channel(BEN).id)
    form = ws.fake.open_modal(BEN)
    assert form is not None
    refused = ws.submit(BEN, form, {**START_VALUES, "topic": "Go", ids.START_CHANNEL: CHANNEL})
    error = (refused.json or {})["errors"][ids.START_CHANNEL]
    assert f"already has a live group, {TOPIC}" in error, error  # plain text: no entities
