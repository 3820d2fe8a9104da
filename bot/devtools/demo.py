"""`p2p-bot demo`: a whole six-week cycle in a simulated workspace, printed as a transcript.

The same bench the tests use — the real Bolt app over HTTP, the fake Slack Web API, a
temporary SQLite database — with the bot's clock moved forward hour by hour.
"""

from __future__ import annotations

import re
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot import clock
from bot.devtools.block_walk import visible_text
from bot.devtools.fake_slack import FakeSlack, Message
from bot.devtools.workspace import SimulatedWorkspace
from bot.domain import groups
from bot.domain.markup import unescape
from bot.schedule.runner import collect_due
from bot.slack import ids
from bot.store import Store
from bot.store.migrate import upgrade
from bot.store.models import Ambassador, Group, TopicRequest

START = datetime(2026, 3, 16, 8, tzinfo=UTC)  # a Monday morning
CHANNEL = "C_LEARN"
PEOPLE = {
    "U_FRAN": ("fran", "Europe/Amsterdam"),
    "U_ANA": ("ana", "Europe/Lisbon"),
    "U_BEN": ("ben", "Europe/Berlin"),
    "U_CHEN": ("chen", "Asia/Singapore"),
    "U_DEV": ("dev", "Europe/Amsterdam"),
    "U_EVA": ("eva", "Europe/Madrid"),
    "U_FINN": ("finn", "Europe/Helsinki"),
}
FRAN, ANA, BEN, CHEN, DEV, EVA, FINN = PEOPLE
WIDTH = 96
INDENT = "      "
_MENTION = re.compile(r"<@(U[A-Z0-9_]+)>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9_]+)>")
_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>|<(https?://[^>]+)>")


def readable(text: str) -> str:
    """Slack markup as a person sees it: names, dates, link labels."""
    text = _MENTION.sub(lambda m: "@" + PEOPLE.get(m.group(1), (m.group(1),))[0], text)
    text = _CHANNEL.sub("#learning", text)
    text = _DATE.sub(lambda m: m.group(1), text)
    return _LINK.sub(lambda m: m.group(2) or m.group(3), text)


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment


class Transcript:
    """Prints what appeared in Slack since it last looked: posts, edits, DMs, private notes."""

    def __init__(self, fake: FakeSlack, sim: SimulatedClock, out: TextIO) -> None:
        self.fake, self.sim, self.out = fake, sim, out
        self._seen: dict[tuple[str, str], tuple[int, list[str]]] = {}
        self._ephemerals = 0

    def say(self, text: str) -> None:
        self.out.write(f"\n{self._when()}  {text}\n")

    def action(self, who: str, text: str) -> None:
        self.out.write(f"{self._when()}  👤 {PEOPLE[who][0]} {text}\n")

    def flush(self) -> None:
        for where, label in [
            (CHANNEL, "#learning"),
            *[(u, f"DM to {n}") for u, (n, _) in PEOPLE.items()],
        ]:
            messages = self.fake.messages(where) if where == CHANNEL else self.fake.dm(where)
            for message in messages:
                self._show(message, label)
                channel = message.channel
                for reply in self.fake.thread(channel, message.ts):
                    self._show(reply, f"{label} (thread)")
        # Replies to commands and clicks (response_url) show up as ephemerals too.
        ephemerals = self.fake.ephemerals()
        for note in ephemerals[self._ephemerals :]:
            user = note.ephemeral_to or ""
            who = PEOPLE[user][0] if user in PEOPLE else user
            self._print(f"only {who} sees", shown_lines(note.blocks, note.text))
        self._ephemerals = len(ephemerals)

    def _show(self, message: Message, label: str) -> None:
        if message.user != self.fake.bot_user_id:
            return
        key = (message.channel, message.ts)
        lines = shown_lines(message.blocks, message.text)
        seen = self._seen.get(key)
        if seen is not None and seen[0] == message.edits:
            return
        self._seen[key] = (message.edits, lines)
        if seen is None:
            self._print(label, lines)
        else:
            changed = [line for line in lines if line not in seen[1]]
            self._print(f"{label}, updated", changed or ["(no visible change)"])

    def _print(self, where: str, lines: list[str]) -> None:
        self.out.write(f"{self._when()}  🤖 [{where}]\n")
        for line in lines:
            self.out.write(wrapped(line))

    def _when(self) -> str:
        local = self.sim.moment.astimezone(ZoneInfo("Europe/Amsterdam"))
        return f"{local:%a %d %b %H:%M}"


def wrapped(line: str) -> str:
    """One line of a message, wrapped (never cut) under the transcript's indent."""
    lead = INDENT + " " * (len(line) - len(line.lstrip(" ")))
    return (
        "\n".join(
            textwrap.wrap(
                line.strip(),
                WIDTH,
                initial_indent=lead,
                subsequent_indent=lead + "  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
        + "\n"
    )


def shown_lines(blocks: list[dict[str, Any]] | None, fallback: str | None) -> list[str]:
    """A message as a person sees it: plain text, buttons as [ Buttons ]."""
    if not blocks:
        return _lines(fallback or "")
    lines: list[str] = []
    for block in blocks:
        lines += _block_lines(block)
    return lines


def _block_lines(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [f"▌ {plain(block['text']['text'])}"]
    if kind == "divider":
        return ["─" * 24]
    if kind == "actions":
        return ["  ".join(_control(e) for e in block.get("elements", []))]
    if kind == "context":
        return [plain(" · ".join(t for e in block.get("elements", []) if (t := _text_of(e))))]
    if kind == "section":
        lines = _lines(_text_of(block.get("text") or {}))
        for field in block.get("fields") or []:
            lines += _lines(_text_of(field))
        accessory = block.get("accessory")
        if accessory:
            lines.append(_control(accessory))
        return lines
    return _lines(visible_text([block], as_shown=False))  # plain() reads the entities


def _text_of(element: dict[str, Any]) -> str:
    text = element.get("text")
    return text if isinstance(text, str) else ""


def _control(element: dict[str, Any]) -> str:
    label = (element.get("text") or element.get("placeholder") or {}).get("text", "…")
    return f"[ {plain(label)} ]" if element.get("type") == "button" else f"[ {plain(label)} ▾ ]"


_CODE_FENCE = re.compile(r"```\n?(.*?)\n?```", re.S)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def plain(text: str) -> str:
    """Slack's mrkdwn read as a person reads it: no *, _, ~ or backticks, names for ids."""
    text = readable(text)
    text = _CODE_FENCE.sub(
        lambda m: "\n".join("  " + line for line in m.group(1).split("\n")), text
    )
    for pattern in (_BOLD, _ITALIC, _STRIKE, _INLINE_CODE):
        text = pattern.sub(r"\1", text)
    return unescape(text)


def _lines(text: str) -> list[str]:
    return [line for line in plain(text).splitlines() if line.strip()]


class Story:
    def __init__(self, ws: SimulatedWorkspace, sim: SimulatedClock, out: TextIO) -> None:
        self.ws, self.sim = ws, sim
        self.log = Transcript(ws.fake, sim, out)

    # --- moving time ---------------------------------------------------------------------

    def until(self, moment: datetime) -> None:
        """Move time to `moment`, stopping at each instant something falls due (as the
        bot, ticking every minute, would send it) rather than at every hour."""
        while self.sim.moment < moment:
            with self.ws.store.transaction() as session:
                ahead = [
                    d.due_at for d in collect_due(session, moment) if d.due_at > self.sim.moment
                ]
            self.sim.moment = min([*ahead, moment])
            self.ws.tick(self.sim.moment)
            self.log.flush()

    # --- people ----------------------------------------------------------------------------

    def command(self, user: str, text: str) -> None:
        self.log.action(user, f"types /p2p {text}")
        self.ws.command(user, text, channel_id=CHANNEL)
        self.log.flush()

    def click(self, user: str, message: Message, action_id: str, label: str) -> None:
        self.log.action(user, f"clicks {label}")
        self.ws.click(user, message, action_id)
        self.log.flush()

    def fill(self, user: str, values: dict[str, Any], what: str) -> None:
        modal = self.ws.fake.open_modal(user)
        assert modal is not None, f"no form open for {user}"
        self.log.action(user, f"fills in {what}")
        self.ws.submit(user, modal, values)
        self.log.flush()

    def post(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> None:
        self.log.action(user, f"writes: {text!r}")
        self.ws.post(user, channel, text, thread_ts=thread_ts)
        self.log.flush()

    def find(self, where: str, contains: str) -> Message:
        return self.ws.fake.find_message(where, contains)

    def group(self) -> Group:
        with self.ws.store.transaction() as session:
            return groups.channel_groups(session, team_id=self.ws.fake.team_id, channel_id=CHANNEL)[
                0
            ]

    # --- the cycle ---------------------------------------------------------------------------

    def run(self) -> None:
        self.log.say("— Recruiting —")
        self.command(FRAN, "start Distributed systems")
        self.fill(
            FRAN,
            {
                "topic": "Distributed systems",
                "why": "We run dozens of services and few of us know the theory behind them.",
                "format": "study_present",
                "weekday": "3",
                "session_time": "18:00",
                "timezone": "Europe/Amsterdam",
                "weeks": "6",
                "seats": "6",
                "min_members": "4",
                "facilitator_minutes": "120",
            },
            "the start form",
        )
        for user, goal, minutes in (
            (ANA, "Understand Raft well enough to review our etcd setup", "30"),
            (BEN, "Design a sharded queue for payments", "120"),
            (CHEN, "Learn how CRDTs work for our offline editor", "90"),
            (DEV, "Get better at reasoning about failure modes", "60"),
            (EVA, "Know when eventual consistency is good enough", "60"),
            (FINN, "Prepare for our move to multi-region", "90"),
        ):
            self.click(user, self.find(CHANNEL, "Join"), ids.JOIN, "Join")
            self.fill(user, {"goal": goal, "minutes_per_week": minutes}, "the join form")

        self.log.say("— Kick-off —")
        self.click(
            FRAN, self.find(FRAN, "Schedule kick-off"), ids.KICKOFF_SCHEDULE, "Schedule kick-off"
        )
        self.fill(
            FRAN, {"kickoff_date": "2026-03-17", "kickoff_time": "18:00"}, "the kick-off form"
        )
        self.until(datetime(2026, 3, 17, 17, tzinfo=UTC))
        for user in (ANA, BEN, CHEN, DEV, EVA, FRAN):
            self.click(user, self.find(CHANNEL, "I'm aligned"), ids.KICKOFF_ALIGNED, "I'm aligned")
        self.click(FRAN, self.find(CHANNEL, "I'm aligned"), ids.CYCLE_START, "Start the cycle")
        for user, topic in (
            (ANA, "Raft consensus <https://raft.github.io>"),
            (BEN, "CRDTs"),
            (CHEN, "Vector clocks"),
            (DEV, "Failure detectors"),
            (BEN, "Gossip protocols"),
        ):
            self.command(user, f"propose {topic}")

        for n in range(1, 7):
            self.week(n)

        final = self.group().weeks_planned[-1]
        self.log.say("— After the last session —")
        self.until(final.ends_at + timedelta(hours=1))
        retro = self.find(CHANNEL, "Retro:")
        self.post(
            ANA, CHANNEL, "Explaining Raft to others is how I finally understood it.", retro.ts
        )
        for user, facilitate, topics in (
            (ANA, "yes", "Kafka internals, Observability"),
            (BEN, "no", ""),
        ):
            self.click(user, retro, ids.FEEDBACK, "Give feedback")
            self.fill(
                user,
                {
                    "rating": "5",
                    "learned_goal": "yes",
                    "join_again": "yes",
                    "facilitate": facilitate,
                    "topics_wanted": topics,
                },
                "the feedback form",
            )
        self.until(final.ends_at + timedelta(days=4, hours=2))
        self.outcome()

    def week(self, n: int) -> None:
        """Week 2 goes wrong: Chen can't make it, the vote ties, and Fran skips the next
        week for a holiday. Dev drifts away in weeks 3 and 4, which the bot points out."""
        planned = self.group().week(n)
        assert planned is not None
        starts, ends = planned.starts_at, planned.ends_at
        self.until(starts - timedelta(days=1, hours=1))  # last week's digest comes first
        self.log.say(f"— Week {n} —")
        self.until(starts - timedelta(hours=2))
        prompt = self.find(CHANNEL, f"Week {n} of 6")
        self.post(BEN, CHANNEL, f"Worth reading: <https://example.com/distributed/{n}>", prompt.ts)
        self.until(starts)
        check = self.find(CHANNEL, f"Week {n} —")
        drifting = n in (3, 4)
        for user in (FRAN, ANA, BEN, EVA, *(() if drifting else (DEV,))):
            self.click(user, check, ids.ATTEND_HERE, "I'm here")
        if n == 2:
            self.click(CHEN, check, ids.ATTEND_AWAY, "Can't make it")
        else:
            self.click(CHEN, check, ids.ATTEND_HERE, "I'm here")
        self.until(ends)
        if n < 6:
            vote = self.find(CHANNEL, "Vote: week")
            self.click(ANA, vote, f"{ids.VOTE_OPTION}_1", "1️⃣ on the vote")
            second = 2 if n == 2 else 1  # a tie in week 2
            self.click(BEN, vote, f"{ids.VOTE_OPTION}_{second}", f"{second}️⃣ on the vote")
        self.until(ends + timedelta(hours=16))
        ana_dm = [m for m in self.ws.fake.dm(ANA) if "check-in —" in m.plain][-1]
        self.click(ANA, ana_dm, ids.CHECKIN, "Check in")
        self.fill(
            ANA,
            {
                "learned": "How leader election and log matching fit together",
                "hours": "2",
                "confidence": str(min(5, n + 1)),
                "blockers": "not enough time",
            },
            "the check-in form",
        )
        ben_dm = [m for m in self.ws.fake.dm(BEN) if "check-in —" in m.plain][-1]
        self.post(
            BEN, BEN, "Read two papers, the second one finally made quorums click.", ben_dm.ts
        )
        if n == 2:
            self.log.say("Fran is away next week, so the group takes a week off.")
            self.command(FRAN, "skip")

    def outcome(self) -> None:
        group = self.group()
        with self.ws.store.transaction() as session:
            ambassadors = [PEOPLE[a.user_id][0] for a in session.query(Ambassador)]
            wanted = [t.text for t in session.query(TopicRequest)]
        self.log.say(
            f"Outcome: {group.state.value} · ambassadors: {', '.join(ambassadors) or 'none'} · "
            f"topics wanted next: {', '.join(wanted) or 'none'}"
        )


@contextmanager
def simulated_workspace(sim: SimulatedClock) -> Iterator[SimulatedWorkspace]:
    clock.set_source(sim.now)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'demo.db'}"
            upgrade(url)
            store = Store.from_url(url)
            fake = FakeSlack().start()
            try:
                for user, (name, tz) in PEOPLE.items():
                    fake.add_user(user, name=name, real_name=name.title(), tz=tz)
                fake.add_channel(CHANNEL, name="learning", members=list(PEOPLE))
                with SimulatedWorkspace(store, fake) as ws:
                    yield ws
            finally:
                fake.stop()
                store.dispose()
    finally:
        clock.set_source(None)


def main(out: TextIO = sys.stdout) -> int:
    began = time.monotonic()
    sim = SimulatedClock(START)
    out.write(
        "p2p demo: a six-week peer-learning cycle in a simulated Slack workspace (no Slack, "
        "no network).\nTimes are Amsterdam time; members live in Lisbon, Berlin, Madrid, "
        "Helsinki, Amsterdam and Singapore.\n"
    )
    with simulated_workspace(sim) as ws:
        Story(ws, sim, out).run()
        violations = ws.fake.take_violations()
    out.write(f"\nDone in {time.monotonic() - began:.1f} s.")
    if violations:
        out.write(f" Slack would have refused {len(violations)} call(s):\n" + "\n".join(violations))
        return 1
    out.write("\n")
    return 0
