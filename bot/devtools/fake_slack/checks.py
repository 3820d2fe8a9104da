"""Is a call well formed? Spec arguments, Block Kit, text fallbacks. Run before the handler.

Each problem is a violation (the test fails at teardown) and, where Slack refuses such a call,
the answer Slack gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.devtools import slack_spec
from bot.devtools.blockkit import check_blocks, check_view
from bot.devtools.fake_slack.args import SlackError, as_json

MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral"})
VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})


def check(method: str, args: dict[str, Any], violate: Callable[[str], None]) -> None:
    """Record what is wrong with the call; raise SlackError if Slack would refuse it."""
    missing: list[str] = []
    for problem in slack_spec.check_call(method, args):
        violate(problem)
        if "missing required" in problem or "needs one of" in problem:
            missing.append(problem.split(": ", 1)[1])
    if missing:
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": [f"[ERROR] {m}" for m in missing]},
        )
    if method in MESSAGE_METHODS:
        _check_message(method, args, violate)
    if method in VIEW_METHODS:
        _check_view(method, args, violate)


def _check_message(method: str, args: dict[str, Any], violate: Callable[[str], None]) -> None:
    if args.get("blocks") in (None, ""):
        return
    blocks = _parsed(method, args, "blocks", "invalid_blocks_format", violate)
    problems = check_blocks(blocks, "message")
    for problem in problems:
        violate(f"{method}: {problem}")
    if problems:
        code = (
            "msg_blocks_too_long"
            if any("msg_blocks_too_long" in p for p in problems)
            else "invalid_blocks"
        )
        raise SlackError(code, response_metadata={"messages": [f"[ERROR] {p}" for p in problems]})
    if not (str(args.get("text") or "").strip() or str(args.get("markdown_text") or "").strip()):
        # Slack accepts this but warns: no text for notifications and screen readers.
        violate(f"{method}: blocks without a top-level text fallback")


def _check_view(method: str, args: dict[str, Any], violate: Callable[[str], None]) -> None:
    view = _parsed(method, args, "view", "invalid_arguments", violate)
    problems = check_view(view)
    if method == "views.publish" and isinstance(view, dict) and view.get("type") != "home":
        problems.append("views.publish takes a view of type 'home'")
    if (
        method in ("views.open", "views.push")
        and isinstance(view, dict)
        and view.get("type") != "modal"
    ):
        problems.append(f"{method} takes a view of type 'modal'")
    for problem in problems:
        violate(f"{method}: {problem}")
    if problems:
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
        )


def _parsed(
    method: str, args: dict[str, Any], name: str, error: str, violate: Callable[[str], None]
) -> Any:
    """Decode a JSON argument in place (forms send it as a string)."""
    try:
        args[name] = as_json(args.get(name), error=error)
    except SlackError:
        violate(f"{method}: {name} is not valid JSON")
        raise
    return args[name]
