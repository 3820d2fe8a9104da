"""A fake Slack Web API over real HTTP on loopback, for tests. See FakeSlack."""

from bot.devtools.fake_slack.fake import FakeSlack
from bot.devtools.fake_slack.state import Call, Channel, Message, OpenedView, Response, User

__all__ = ["Call", "Channel", "FakeSlack", "Message", "OpenedView", "Response", "User"]
