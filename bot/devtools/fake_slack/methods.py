"""The Web API methods the fake answers, each `(ctx, args) -> response body`.

Errors are raised as SlackError with the code Slack uses (sources in spec/web_api_methods.json).
Arguments have passed checks.py: required ones are present, JSON ones are decoded.
"""

from __future__ import annotations

from bot.devtools.fake_slack import chat, conversations, files, views
from bot.devtools.fake_slack.common import Handler

HANDLERS: dict[str, Handler] = {
    **conversations.HANDLERS,
    **chat.HANDLERS,
    **views.HANDLERS,
    **files.HANDLERS,
}
