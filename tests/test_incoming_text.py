"""Text as Slack sends it (its markup) is kept as the person meant it, and the test driver
sends what Slack's composer would."""

from __future__ import annotations

import pytest

from bot.devtools.slack_text import as_slack_sends
from bot.slack.incoming import plain
from bot.slack.render.format import user_text

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
