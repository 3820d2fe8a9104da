"""views.*: modals (opened with a trigger, stacked, updated) and the Home tab."""

from __future__ import annotations

import time
from typing import Any

from bot.devtools.block_walk import with_ids
from bot.devtools.fake_slack.args import SlackError
from bot.devtools.fake_slack.common import Context, Handler
from bot.devtools.fake_slack.state import JsonDict, OpenedView, Workspace

PUSH_LIMIT = 3  # views in one modal stack


def new_hash() -> str:
    return f"{time.time():.0f}.{time.monotonic_ns() & 0xFFFFFFFF:08x}"


def _exchange_trigger(ctx: Context, args: dict[str, Any]) -> str | None:
    """Use up the trigger; return the user it was issued for."""
    trigger_id = str(args.get("trigger_id") or args.get("interactivity_pointer") or "")
    trigger = ctx.ws.triggers.get(trigger_id)
    if trigger is None:
        raise SlackError("invalid_trigger_id")
    if trigger.used:
        raise SlackError("exchanged_trigger_id")
    if time.monotonic() - trigger.issued > ctx.trigger_ttl:
        raise SlackError("expired_trigger_id")
    trigger.used = True
    return trigger.user


def _check_external_id(ctx: Context, view: JsonDict, *, except_id: str | None = None) -> None:
    external_id = view.get("external_id")
    if not external_id:
        return
    for existing in [*ctx.ws.views.values(), *ctx.ws.homes.values()]:
        if existing.external_id == external_id and existing.id != except_id:
            raise SlackError("duplicate_external_id")


def _view_body(ctx: Context, view: OpenedView) -> JsonDict:
    ws = ctx.ws
    return {"ok": True, "view": view.to_api(team_id=ws.team_id, app_id=ws.app_id, bot_id=ws.bot_id)}


def view_payload(view: JsonDict) -> JsonDict:
    """The view as stored: Slack fills in block_ids and action_ids."""
    return {**view, "blocks": with_ids(view.get("blocks"))}


def open_view(
    ws: Workspace, user: str | None, payload: JsonDict, *, on_top_of: OpenedView | None = None
) -> OpenedView:
    view_id = ws.next_id("V")
    view = OpenedView(
        id=view_id,
        user=user,
        payload=view_payload(payload),
        hash=new_hash(),
        root_view_id=on_top_of.root_view_id if on_top_of else view_id,
        previous_view_id=on_top_of.id if on_top_of else None,
    )
    ws.views[view_id] = view
    return view


def modal_stack(ws: Workspace, user: str | None) -> list[OpenedView]:
    """The user's open modals, bottom first."""
    open_views = [v for v in ws.views.values() if v.user == user and v.is_open]
    if not open_views:
        return []
    root = open_views[-1].root_view_id
    return [v for v in open_views if v.root_view_id == root]


def views_open(ctx: Context, args: dict[str, Any]) -> JsonDict:
    user = _exchange_trigger(ctx, args)
    _check_external_id(ctx, args["view"])
    for view in modal_stack(ctx.ws, user):  # a new modal replaces whatever was open
        view.is_open = False
    return _view_body(ctx, open_view(ctx.ws, user, args["view"]))


def views_push(ctx: Context, args: dict[str, Any]) -> JsonDict:
    user = _exchange_trigger(ctx, args)
    _check_external_id(ctx, args["view"])
    stack = modal_stack(ctx.ws, user)
    if len(stack) >= PUSH_LIMIT:
        raise SlackError("push_limit_reached")
    return _view_body(
        ctx, open_view(ctx.ws, user, args["view"], on_top_of=stack[-1] if stack else None)
    )


def views_update(ctx: Context, args: dict[str, Any]) -> JsonDict:
    ws = ctx.ws
    candidates = [*ws.views.values(), *ws.homes.values()]
    if args.get("view_id"):
        found = [v for v in candidates if v.id == args["view_id"]]
    else:
        found = [v for v in candidates if v.external_id == args.get("external_id")]
    if not found:
        raise SlackError("not_found")
    view = found[0]
    if args.get("hash") and args["hash"] != view.hash:
        raise SlackError("hash_conflict")
    _check_external_id(ctx, args["view"], except_id=view.id)
    external_id = view.external_id
    view.payload = view_payload(args["view"])
    if external_id and not view.payload.get("external_id"):
        view.payload["external_id"] = external_id  # an update without one keeps it
    view.hash = new_hash()
    view.updates += 1
    return _view_body(ctx, view)


def views_publish(ctx: Context, args: dict[str, Any]) -> JsonDict:
    ws = ctx.ws
    user_id = str(args["user_id"])
    if user_id not in ws.users:
        raise SlackError("user_not_found")
    current = ws.homes.get(user_id)
    if args.get("hash") and (current is None or args["hash"] != current.hash):
        raise SlackError("hash_conflict")
    if current is None:
        current = OpenedView(id=ws.next_id("V"), user=user_id, payload={}, hash="", root_view_id="")
        current.root_view_id = current.id
        ws.homes[user_id] = current
    else:
        current.updates += 1
    _check_external_id(ctx, args["view"], except_id=current.id)
    current.payload = view_payload(args["view"])
    current.hash = new_hash()
    return _view_body(ctx, current)


HANDLERS: dict[str, Handler] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
