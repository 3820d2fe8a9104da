"""Text as Slack sends it (its markup) is kept as the person meant it, and the test driver
sends what Slack's composer would."""

from __future__ import annotations

import pytest

from bot.devtools.slack_text import as_slack_sends
from bot.slack.incoming import plain
from bot.slack.listeners.topics import split_link
from bot.slack.render.format import truncate, user_text

USERS = {"ana": "U_ANA", "ben": "U_BEN"}
CHANNELS = {"general": "C_GEN"}


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("R&amp;D &lt;templates&gt;", "R&D <templates>"),
        ("Raft <https://raft.github.io>", "Raft https://raft.github.io"),
        ("<https://raft.github.io|raft.github.io>", "https://raft.github.io"),
        ("read <https://x.io/a|this paper>", "read this paper (https://x.io/a)"),
        ("with <@U_BEN|ben> and <@W12AB>", "with <@U_BEN> and <@W12AB>"),
        ("in <#C_GEN|general>, <!here> <!subteam^S1|@devs>", "in #general, @here @devs"),
        ("<mailto:a@b.io|a@b.io>", "a@b.io"),
        ("&amp;lt; typed as such", "&lt; typed as such"),
    ],
)
def test_slack_markup_reads_as_the_person_meant_it(sent: str, meant: str) -> None:
    assert plain(sent) == meant


def test_the_composer_marks_up_mentions_channels_links_and_control_characters() -> None:
    typed = "@ana & @nobody: see #general, https://x.io/?a=1&b=2 <@U_BEN> @here"
    command = as_slack_sends(typed, users=USERS, channels=CHANNELS, named=True)
    assert command == (
        "<@U_ANA|ana> &amp; @nobody: see <#C_GEN|general>, <https://x.io/?a=1&amp;b=2> "
        "<@U_BEN> <!here>"
    )
    message = as_slack_sends(typed, users=USERS, channels=CHANNELS, named=False)
    assert message.startswith("<@U_ANA> &amp; @nobody")
    assert (
        plain(command) == "<@U_ANA> & @nobody: see #general, https://x.io/?a=1&b=2 <@U_BEN> @here"
    )


def test_a_channel_slack_sent_without_its_name_stays_a_channel_mention() -> None:
    assert user_text(plain("see <#C0123|> &amp; <#C9|general>, not <!channel>")) == (
        "see <#C0123> &amp; #general, not @channel"
    )


@pytest.mark.parametrize(
    ("sent", "topic", "link"),
    [
        ("Raft <https://raft.github.io>", "Raft", "https://raft.github.io"),
        ("Raft <https://x.io/a|the paper>", "Raft the paper", "https://x.io/a"),
        ("Raft https://raft.github.io", "Raft", "https://raft.github.io"),
        ("Raft (the paper)", "Raft (the paper)", None),
    ],
)
def test_a_proposed_topics_link_is_found_however_it_was_written(
    sent: str, topic: str, link: str | None
) -> None:
    assert split_link(plain(sent)) == (topic, link)


def test_a_cut_never_leaves_a_link_or_an_entity_open() -> None:
    text = "see <https://example.com/a/long/path|the paper> &amp; more"
    assert truncate(text, 20) == "see …"
    assert truncate("R&amp;D", 4) == "R…"
    assert truncate("<@U1> and <https://x.io>", 12) == "<@U1> and …"


def test_broadcasts_and_dates_read_as_words() -> None:
    assert plain("<!here|here> <!channel> <!date^1392734382^{date}|Feb 18th> <!date^1^{date}>") == (
        "@here @channel Feb 18th "
    )
