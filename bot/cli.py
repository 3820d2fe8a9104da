"""`p2p-bot`: serve (HTTP), socket (Socket Mode), migrate, tick, forget, new-key."""

from __future__ import annotations

import argparse
import atexit
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import HOW_TO_FIX, Settings, SettingsError, configure_logging, load_settings

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.store import Store

log = logging.getLogger("bot")


class Abort(Exception):
    """Stop with one line on stderr and a non-zero exit status."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
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
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
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
    tick = commands.add_parser("tick", help="do what is due at one instant, once, and exit")
    tick.add_argument(
        "--at",
        type=_instant,
        default=None,
        help="the instant, with its offset, e.g. 2026-12-01T17:00:00+01:00 (default: now)",
    )
    export = commands.add_parser(
        "export", help="write one workspace's program export (CSV files and a chart) to a folder"
    )
    export.add_argument("--team", required=True, help="the workspace's team id, e.g. T0123ABCD")
    export.add_argument("--out", required=True, type=Path, help="the folder to write into")
    commands.add_parser(
        "demo", help="run a whole cycle in a simulated workspace and print what people see"
    )
    forget = commands.add_parser(
        "forget", help="delete everything stored about a workspace (a data-deletion request)"
    )
    forget.add_argument(
        "--team", required=True, help="the workspace's team id (T…), or an org's id (E…)"
    )
    commands.add_parser("new-key", help="print a new P2P_TOKEN_KEY (encrypts stored tokens)")
    return parser


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date-time such as 2026-12-01T17:00:00+01:00"
        ) from None
    if value.tzinfo is None:
        plain = value.isoformat(timespec="minutes")
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset; add one, e.g. {plain}+01:00 or {plain}Z"
        )
    return value.astimezone(UTC)


def migrate(settings: Settings, _: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from bot.store.engine import make_engine
    from bot.store.migrate import current_revision, head_revision, upgrade, why_unreachable

    url = settings.database_url
    try:
        engine = make_engine(url)
        try:
            before = current_revision(engine)
            upgrade(url)
            after = current_revision(engine)
        finally:
            engine.dispose()
    except RuntimeError as error:  # a migration that found data it cannot carry over
        where = make_url(url).render_as_string(hide_password=True)
        raise Abort(f"cannot migrate the database {where}: {error}") from None
    except Exception as error:
        raise Abort(why_unreachable(url, error)) from None
    where = make_url(url).render_as_string(hide_password=True)
    if before == after:
        print(f"The database {where} was already up to date (revision {after}).")
    else:
        print(f"Migrated the database {where} from {before or 'empty'} to {after}.")
    assert after == head_revision()
    return 0


def tick(settings: Settings, args: argparse.Namespace) -> int:
    from bot.schedule.runner import run_due
    from bot.slack.gateway import make_client
    from bot.slack.interest_run import InterestRunner
    from bot.slack.scheduled import SlackSender
    from bot.slack.tenants import from_settings
    from bot.store.types import utcnow

    if not settings.slack_bot_token and not settings.oauth_mode:
        raise Abort(f"SLACK_BOT_TOKEN is not set — set it to {HOW_TO_FIX['slack_bot_token']}.")
    store = _open_store(settings)
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    tokens = from_settings(settings, store)
    now = args.at or utcnow()
    # By hand: everything due, whichever replica sends for its workspace.
    sender = SlackSender(client, store, tokens=tokens)
    report = run_due(store, sender, now=now, as_replica=False)
    print(report.describe())
    if not sender.homes.wait_idle(timeout=120):
        print("Some Home tabs were not republished in time; they are rebuilt when opened.")
    board = InterestRunner(client, store, tokens=tokens).run(now)
    if board.did_something:
        print(board.summary())
    return 0


def export(settings: Settings, args: argparse.Namespace) -> int:
    """The same files as the Export CSV button, for operators."""
    from bot.domain import charts, program
    from bot.domain import export as program_export
    from bot.store.types import utcnow

    store = _open_store(settings)
    now = utcnow()
    try:
        with store.transaction() as session:
            files = program_export.export(session, team_id=args.team, now=now)
            stats = program.stats(session, team_id=args.team, now=now)
            months = program.outcomes_by_month(session, team_id=args.team)
    finally:
        store.dispose()
    if stats.total == 0:
        raise Abort(f"No groups in workspace {args.team}: check the team id (it starts with T).")
    files["program.png"] = charts.program_chart(stats, months)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
    noun = "group" if stats.total == 1 else "groups"
    print(f"Wrote {len(files)} files for {stats.total} {noun} of {args.team} to {out}.")
    return 0


def serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.web import bind, make_wsgi_app

    store, app = _start(settings, socket_mode=False)
    wsgi = make_wsgi_app(app, store, signing_secret=settings.slack_signing_secret or "")
    try:
        server = bind(wsgi, host=args.host, port=settings.port)
    except OSError as error:
        raise Abort(
            f"cannot listen on {args.host}:{settings.port} ({error.strerror or error}) — "
            "is another p2p-bot (or something else) using that port? Set PORT to a free one."
        ) from None
    _stop_on_sigterm()
    if not args.no_scheduler:
        _start_scheduler(store, app)
    log.info("p2p listening on http://%s:%s/slack/events", args.host, settings.port)
    if settings.oauth_mode:
        log.info("Add to Slack at http://%s:%s/slack/install", args.host, settings.port)
    server.run()
    return 0


def socket(settings: Settings, args: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    store, app = _start(settings, socket_mode=True)
    _stop_on_sigterm()
    if not args.no_scheduler:
        _start_scheduler(store, app)
    log.info("p2p connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token).start()
    return 0


def _start_scheduler(store: Store, app: App) -> None:
    from bot.schedule.heartbeat import start_heartbeat, stop_heartbeat
    from bot.slack.interest_run import InterestRunner
    from bot.slack.scheduled import SlackSender
    from bot.slack.tenants import tokens_of

    tokens = tokens_of(app)
    board = InterestRunner(app.client, store, tokens=tokens)
    scheduler = start_heartbeat(
        store, SlackSender(app.client, store, tokens=tokens), also=[board.run]
    )
    atexit.register(stop_heartbeat, store, scheduler)


def _start(settings: Settings, *, socket_mode: bool) -> tuple[Store, App]:
    from slack_bolt.error import BoltError

    from bot.slack.app import build_app

    if socket_mode and settings.oauth_mode:
        raise Abort(
            "Socket Mode serves one workspace, by its SLACK_BOT_TOKEN. To serve many "
            "workspaces (SLACK_CLIENT_ID is set), run `p2p-bot serve` instead; README.md, "
            '"Install on many workspaces", says more.'
        )
    missing = settings.missing_for_slack(socket_mode=socket_mode)
    if missing:
        lines = [f"{name.upper()} is not set — set it to {HOW_TO_FIX[name]}." for name in missing]
        lines.append(
            "Put them in the environment or in a .env file in this directory; README.md "
            "shows how to create the Slack app from manifest.yml."
        )
        raise Abort("\n".join(lines))

    from bot.slack.tenants import from_settings

    store = _open_store(settings)
    try:
        app = build_app(settings, store, tokens=from_settings(settings, store))
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


def _open_store(settings: Settings) -> Store:
    from bot.store import Store
    from bot.store.migrate import SchemaOutdated, require_current, sqlite_path, why_unreachable

    url = settings.database_url
    path = sqlite_path(url)
    if path is not None and not path.exists():  # opening it would leave an empty file behind
        raise Abort(
            f"The database file {path} does not exist yet. Run `p2p-bot migrate` first "
            "(or point DATABASE_URL at the existing one)."
        )
    store = Store.from_url(url)
    try:
        require_current(store.engine)
    except SchemaOutdated as outdated:
        store.dispose()
        raise Abort(str(outdated)) from None
    except Exception as error:
        store.dispose()
        raise Abort(why_unreachable(url, error)) from None
    return store


def _stop_on_sigterm() -> None:
    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def demo(settings: Settings, _: argparse.Namespace) -> int:
    from bot.devtools.demo import main as run_demo

    logging.getLogger().setLevel(logging.WARNING)
    return run_demo()


def forget(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.workspaces import forget as forget_workspace
    from bot.store.secrets import use_key

    team_id = str(args.team).strip()
    if not team_id or team_id[0] not in "TE":
        raise Abort(f"{team_id!r} is not a team id (T…) or an org id (E…).")
    use_key(*settings.token_keys)
    store = _open_store(settings)
    try:
        with store.transaction() as session:
            gone = forget_workspace(session, team_id=team_id)
    finally:
        store.dispose()
    if not gone.total:
        print(f"Nothing was stored about {team_id}.")
        return 0
    print(f"Deleted everything stored about {team_id}:")
    for table, count in sorted(gone.counts.items()):
        print(f"  {table}: {count} row{'s' if count != 1 else ''}")
    return 0


def new_key(settings: Settings, _: argparse.Namespace) -> int:
    from bot.store.secrets import new_key as make_key

    print(make_key())
    return 0


COMMANDS = {
    "serve": serve,
    "socket": socket,
    "migrate": migrate,
    "tick": tick,
    "export": export,
    "demo": demo,
    "forget": forget,
    "new-key": new_key,
}


if __name__ == "__main__":
    sys.exit(main())
