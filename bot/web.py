"""HTTP mode: Bolt on POST /slack/events, a health check on GET /healthz, served by waitress."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.store import Store

EVENTS_PATH = "/slack/events"

StartResponse = Callable[..., Any]


def make_wsgi_app(
    app: App, store: Store
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in {
            "GET",
            "HEAD",
        }:
            healthy = store.ping()
            body = b"ok\n" if healthy else b"database unreachable\n"
            start_response(
                "200 OK" if healthy else "503 Service Unavailable",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return slack(environ, start_response)

    return wsgi


def serve(wsgi_app: Any, *, host: str, port: int, threads: int = 8) -> None:
    from waitress import serve as waitress_serve

    waitress_serve(wsgi_app, host=host, port=port, threads=threads, ident="p2p")
