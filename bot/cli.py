"""`p2p-bot`: serve (HTTP), socket (Socket Mode), migrate."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence

from bot.config import HOW_TO_FIX, Settings, SettingsError, configure_logging, load_settings

log = logging.getLogger("bot")


class Abort(Exception):
    """Stop with one line on stderr and a non-zero exit status."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        return COMMANDS[args.command](settings, args)
    except (SettingsError, Abort) as error:
        print(f"p2p-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="p2p-bot", description="Peer-learning study groups that run themselves inside Slack."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run in HTTP mode (POST /slack/events, GET /healthz)")
    serve.add_argument("--host", default="0.0.0.0", help="interface to listen on (default 0.0.0.0)")
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="serve requests without the background scheduler",
    )
    socket = commands.add_parser("socket", help="run in Socket Mode (needs SLACK_APP_TOKEN)")
    socket.add_argument(
        "--no-scheduler", action="store_true", help="run without the background scheduler"
    )
    commands.add_parser(
        "migrate", help="bring the database schema up to date (alembic upgrade head)"
    )
    return parser


def migrate(settings: Settings, _: argparse.Namespace) -> int:
    from bot.store.migrate import upgrade

    upgrade(settings.database_url)
    log.info("database is up to date")
    return 0


def serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.web import make_wsgi_app
    from bot.web import serve as run_server

    store, app = _start(settings, socket_mode=False)
    _stop_on_sigterm()
    log.info("p2p listening on http://%s:%s/slack/events", args.host, settings.port)
    run_server(make_wsgi_app(app, store), host=args.host, port=settings.port)
    return 0


def socket(settings: Settings, _: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    _, app = _start(settings, socket_mode=True)
    _stop_on_sigterm()
    log.info("p2p connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token).start()
    return 0


def _start(settings: Settings, *, socket_mode: bool):  # type: ignore[no-untyped-def]
    from slack_bolt.error import BoltError

    from bot.slack.app import build_app
    from bot.store import Store
    from bot.store.migrate import SchemaOutdated, require_current

    missing = settings.missing_for_slack(socket_mode=socket_mode)
    if missing:
        lines = [f"{name.upper()} is not set — set it to {HOW_TO_FIX[name]}." for name in missing]
        lines.append(
            "Put them in the environment or in a .env file in this directory; README.md "
            "shows how to create the Slack app from manifest.yml."
        )
        raise Abort("\n".join(lines))

    store = Store.from_url(settings.database_url)
    try:
        require_current(store.engine)
    except SchemaOutdated as outdated:
        raise Abort(str(outdated)) from None
    except Exception as error:
        raise Abort(
            f"cannot open the database ({error.__class__.__name__}: {error}) — check DATABASE_URL."
        ) from None
    try:
        app = build_app(settings, store)
    except OSError as error:
        raise Abort(
            f"cannot reach Slack at {settings.slack_api_url} ({error}) — check the network "
            "or SLACK_API_URL."
        ) from None
    except BoltError as error:
        raise Abort(
            f"Slack did not accept SLACK_BOT_TOKEN at {settings.slack_api_url} ({error}) — "
            f"set it to {HOW_TO_FIX['slack_bot_token']}."
        ) from None
    return store, app


def _stop_on_sigterm() -> None:
    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


COMMANDS = {"serve": serve, "socket": socket, "migrate": migrate}


if __name__ == "__main__":
    sys.exit(main())
