"""App Home for every member, the program view for program owners, `/p2p stats` and
`/p2p owners`, and what their buttons do (join, check in, start, add to calendar, export)."""

from __future__ import annotations

import logging
import re
from contextlib import suppress
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import calendar, export, groups, home, program
from bot.domain.errors import DomainError
from bot.domain.markup import typed
from bot.slack import ids
from bot.slack.context import deps, team
from bot.slack.gateway import Gateway, SlackCallFailed
from bot.slack.home_tab import is_admin, publish, who
from bot.slack.render import program as program_render
from bot.slack.render import recruitment as recruitment_render
from bot.slack.render.message import Message
from bot.slack.replies import dm, tell
from bot.store.types import utcnow

log = logging.getLogger(__name__)

# <@U123|name> as Slack escapes a mention, or a bare user id. (Slack ids are [A-Z0-9];
# the simulated workspace's people have an underscore too.)
USER_ID = re.compile(r"[UW][A-Z0-9_]{1,30}")
MENTION = re.compile(r"<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>|^@?([UW][A-Z0-9_]{2,})$")


def register(app: App) -> None:
    app.event("app_home_opened")(on_home_opened)
    app.action(ids.HOME_START)(on_start_clicked)
    app.action(ids.CALENDAR)(on_calendar_clicked)
    app.action(ids.PROGRAM_EXPORT)(on_export_clicked)
    # Link buttons (vote, attendance) still send an action: acknowledge it, nothing to do.
    app.action(re.compile(r"^home_open_"))(lambda ack: ack())


# --- publishing (bot/slack/home_tab.py builds the tab) ---------------------------------


def refresh(context: BoltContext, client: WebClient, user_id: str) -> None:
    """After a person's own action that changes what their Home shows."""
    try:
        publish(deps(context).store, client, team(context), user_id)
    except Exception:  # never let a Home refresh spoil the action that caused it
        log.exception("could not refresh the Home tab of %s", user_id)


def on_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    user = event.get("user")
    if not isinstance(user, str) or not USER_ID.fullmatch(user):
        log.warning("app_home_opened without a user id we can read: %r", user)
        return
    with deps(context).store.transaction() as session:
        home.remember_opened(session, team_id=team(context), user_id=user, now=utcnow())
    publish(deps(context).store, client, team(context), user)


# --- buttons in the Home tab ----------------------------------------------------------------


def _tell(client: WebClient, user_id: str, text: str) -> None:
    """Home has no response_url: the answer goes to the person's DM with the app."""
    dm(Gateway(client), user_id, Message(text=text))


def on_start_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    user_id = body["user"]["id"]
    gateway = Gateway(client)
    view = recruitment_render.start_modal(channel_id="", topic="", timezone="", pick_channel=True)
    try:
        view_id = gateway.open_view(body["trigger_id"], view)
    except SlackCallFailed:
        _tell(client, user_id, "Slack took too long to open the form. Please try again.")
        return
    timezone = gateway.user_timezone(user_id)
    if timezone:
        with suppress(SlackCallFailed):  # they can still type it in
            gateway.update_view(
                view_id,
                recruitment_render.start_modal(
                    channel_id="", topic="", timezone=timezone, pick_channel=True
                ),
            )


# --- add to calendar, export --------------------------------------------------------------


def on_calendar_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The group's sessions as an .ics file, in the person's DM with the app."""
    ack()
    user_id = body["user"]["id"]
    try:
        with deps(context).store.transaction() as session:
            group = groups.get_group(session, team_id=team(context), group_id=int(action["value"]))
            ics = calendar.group_calendar(group, now=utcnow())
            topic, count = group.topic, len(group.weeks_planned) or group.weeks
    except DomainError as error:
        _tell(client, user_id, error.message)
        return
    gateway = Gateway(client)
    try:
        gateway.upload_file(
            channel=gateway.dm_channel(user_id),
            filename=f"p2p-{_slug(topic)}.ics",
            content=ics,
            title=f"P2P: {topic} — sessions",
            comment=f"The {count} sessions of *{typed(topic)}*: open the file to add them to your "
            "calendar. If a week is skipped or moved, get it again to update them.",
        )
    except SlackCallFailed as failed:
        log.warning("could not send the calendar of %s to %s: %s", topic, user_id, failed)
        _tell(client, user_id, "I couldn't send the calendar file just now. Please try again.")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "group"


def on_export_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    user_id = body["user"]["id"]
    gateway = Gateway(client)
    info = who(gateway, user_id)
    now = utcnow()
    try:
        with deps(context).store.transaction() as session:
            program.require_owner(
                session, team_id=team(context), user_id=user_id, is_admin=is_admin(info)
            )
            files = export.export(session, team_id=team(context), now=now)
            stats = program.stats(session, team_id=team(context), now=now)
            months = program.outcomes_by_month(session, team_id=team(context))
    except DomainError as error:
        _tell(client, user_id, error.message)
        return
    from bot.domain import charts  # matplotlib: loaded only when someone exports

    files["program.png"] = charts.program_chart(stats, months)
    try:
        channel = gateway.dm_channel(user_id)
        for number, (name, content) in enumerate(files.items()):
            gateway.upload_file(
                channel=channel,
                filename=name,
                content=content,
                title=name,
                comment=(
                    f"The program export ({now:%Y-%m-%d}): {len(files) - 1} CSV files and a chart. "
                    "Check-in answers appear only for groups that chose to share them."
                    if number == 0
                    else ""
                ),
            )
    except SlackCallFailed as failed:
        log.warning("export for %s stopped: %s", user_id, failed)
        _tell(
            client, user_id, "The export stopped half-way (Slack refused a file). Please try again."
        )


# --- /p2p stats and /p2p owners -------------------------------------------------------------


def stats_command(
    *,
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    **_: Any,
) -> None:
    """Acknowledged at once; the numbers follow privately once Slack has said whether the
    person is an admin (users.info may be slow or rate limited)."""
    ack()
    user_id = command["user_id"]
    info = who(Gateway(client), user_id)
    with deps(context).store.transaction() as session:
        owner = program.is_owner(
            session, team_id=team(context), user_id=user_id, is_admin=is_admin(info)
        )
        stats = program.stats(session, team_id=team(context), now=utcnow())
    message = program_render.stats_message(stats, owner=owner)
    respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())


def owners_command(
    *,
    ack: Ack,
    command: dict[str, Any],
    args: str,
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    **_: Any,
) -> None:
    user_id = command["user_id"]
    first, _sep, rest = args.partition(" ")
    verb = first.lower()
    if verb in ("", "list"):
        with deps(context).store.transaction() as session:
            named = [o.user_id for o in program.named_owners(session, team_id=team(context))]
        ack(text=program_render.owners_message(named))
        return
    if verb not in ("add", "remove"):
        ack(
            text="Use `/p2p owners` to list program owners, `/p2p owners add @person` or "
            "`/p2p owners remove @person`."
        )
        return
    match = MENTION.search(rest.strip())
    if match is None:
        ack(text=f"Say who: `/p2p owners {verb} @person` (mention them so Slack links the name).")
        return
    target = match.group(1) or match.group(2)
    ack()  # whether they may is Slack's to say (users.info): the answer follows privately
    info = who(Gateway(client), user_id)
    try:
        with deps(context).store.transaction() as session:
            if verb == "add":
                program.add_owner(
                    session,
                    team_id=team(context),
                    user_id=target,
                    by=user_id,
                    by_admin=is_admin(info),
                    now=utcnow(),
                )
            else:
                program.remove_owner(
                    session,
                    team_id=team(context),
                    user_id=target,
                    by=user_id,
                    by_admin=is_admin(info),
                )
            named = [o.user_id for o in program.named_owners(session, team_id=team(context))]
    except DomainError as error:
        tell(respond, error.message)
        return
    done = (
        f"<@{target}> is now a program owner: they'll see the program in their App Home and "
        "in `/p2p stats`."
        if verb == "add"
        else f"<@{target}> is no longer a program owner."
    )
    tell(respond, f"{done}\n{program_render.owners_message(named, admins_note=False)}")
    refresh(context, client, target)
