"""Telling one person something: ephemeral where they are, or a DM."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.render.message import Message

log = logging.getLogger(__name__)


def tell(respond: Respond, text: str) -> None:
    """An ephemeral reply to the person who clicked or typed (via response_url)."""
    if not respond.response_url:  # a click that did not come from a message Slack knows
        log.warning("no response_url to tell the person: %s", text)
        return
    respond(text=text, response_type="ephemeral", replace_original=False)


def answer(respond: Respond, client: WebClient, user_id: str, text: str) -> None:
    """To the person who clicked: ephemeral where they clicked, or — from App Home, which
    has no response_url — in their DM with the app."""
    if respond.response_url:
        tell(respond, text)
    else:
        dm(Gateway(client), user_id, Message(text=text))


def tell_in_channel(gateway: Gateway, channel: str, user: str, text: str) -> None:
    """An ephemeral note in the channel, or a DM if the person is not in it."""
    try:
        gateway.ephemeral(channel, user, Message(text=text))
    except SlackCallFailed:
        dm(gateway, user, Message(text=text))


def dm(gateway: Gateway, user: str, message: Message) -> bool:
    """A DM that may fail (deactivated person): logged, and reported by the return value."""
    try:
        gateway.dm(user, message)
    except SlackCallFailed as failed:
        log.warning("could not DM %s: %s", user, failed.error)
        return False
    return True


def open_form(
    client: WebClient,
    trigger_id: str,
    view: View,
    respond: Respond,
    *,
    again: str,
    user_id: str = "",
) -> str | None:
    """Open a modal (its id); if Slack says the moment passed (triggers last 3 s), say
    what to redo (by DM to `user_id` when the click has no response_url)."""
    try:
        return Gateway(client).open_view(trigger_id, view)
    except SlackCallFailed:
        text = f"Slack took too long to open the form. Please {again} again."
        if user_id:
            answer(respond, client, user_id, text)
        else:
            tell(respond, text)
        return None
