"""Two (or more) workspaces in one fake Slack, each with its people, channel and group."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.devtools.driver import Reply, SlackDriver
from bot.devtools.fake_slack import FakeSlack, Message, OpenedView
from bot.devtools.workspace import SimulatedWorkspace
from bot.slack import ids
from tests.slack.people import START_VALUES


@dataclass
class Team:
    """A workspace as its people use it: commands, clicks and forms sent from it."""

    ws: SimulatedWorkspace
    team_id: str
    channel: str
    people: list[str]
    enterprise_id: str | None = None
    org_wide: bool = False
    driver: SlackDriver = field(init=False)

    def __post_init__(self) -> None:
        self.driver = self.ws.driver.as_team(
            self.team_id, enterprise_id=self.enterprise_id, org_wide=self.org_wide
        )

    @property
    def fac(self) -> str:
        return self.people[0]

    @property
    def fake(self) -> FakeSlack:
        return self.ws.fake

    def command(self, user: str, text: str, channel: str | None = None) -> Reply:
        reply = self.driver.command(user, text, channel_id=channel or self.channel)
        self.ws.settle()
        return reply

    def click(self, user: str, message: Message, action_id: str, value: Any = None) -> Reply:
        reply = self.driver.click(user, message, action_id, value=value)
        self.ws.settle()
        return reply

    def submit(self, user: str, view: OpenedView, values: dict[str, Any]) -> Reply:
        reply = self.driver.submit(user, view, values)
        self.ws.settle()
        return reply

    def post(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> Any:
        reply = self.driver.user_posts(user, channel, text, thread_ts=thread_ts)
        self.ws.settle()
        return reply

    def modal(self, user: str) -> OpenedView:
        view = self.fake.open_modal(user)
        assert view is not None, f"no form open for {user}"
        return view

    def recruit(self, topic: str) -> Message:
        """Start a group and fill it to four."""
        self.command(self.fac, f"start {topic}")
        reply = self.submit(self.fac, self.modal(self.fac), {**START_VALUES, "topic": topic})
        assert not (reply.json or {}).get("errors"), reply.body_text
        for person in self.people[1:4]:
            self.click(person, self.recruitment(), ids.JOIN)
            reply = self.submit(
                person, self.modal(person), {"goal": "Learn", "minutes_per_week": "60"}
            )
            assert not (reply.json or {}).get("errors"), reply.body_text
        return self.recruitment()

    def recruitment(self) -> Message:
        return self.fake.find_message(self.channel, "Join")

    def schedule_kickoff(self, day: str, clock: str) -> None:
        nudge = self.fake.find_message(self.fac, "Schedule kick-off")
        self.click(self.fac, nudge, ids.KICKOFF_SCHEDULE)
        reply = self.submit(
            self.fac, self.modal(self.fac), {"kickoff_date": day, "kickoff_time": clock}
        )
        assert not (reply.json or {}).get("errors"), reply.json


def add_team(
    fake: FakeSlack,
    team_id: str,
    channel: str,
    people: list[str],
    *,
    enterprise_id: str | None = None,
) -> None:
    fake.add_team(team_id, domain=team_id.lower(), enterprise_id=enterprise_id)
    for person in people:
        fake.add_user(person, name=person.lower(), tz="Europe/Amsterdam", team=team_id)
    fake.add_channel(channel, name=f"learning-{team_id.lower()}", members=people, team=team_id)
