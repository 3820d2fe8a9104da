"""HTTP mode: Bolt on POST /slack/events, a health check on GET /healthz, and in OAuth mode
the install pages (GET /slack/install, GET /slack/oauth_redirect), served by waitress.

Bolt's own WSGI adapter parses a body before it checks the signature, and a body it cannot
parse becomes an HTTP 500 with a traceback (and a refused request's body in the log). So
this app reads every request itself first, in this order: size, signature, shape. Only a
signed request of a shape Slack sends reaches Bolt; everything else gets a 4xx and one
log line that does not repeat the body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.request.internals import build_context

from bot.slack.oauth import unavailable_page
from bot.slack.shapes import shape_problem
from bot.store import Store

EVENTS_PATH = "/slack/events"
# Slack's largest requests (a view_submission of a full modal) are tens of KB.
MAX_BODY_BYTES = 512 * 1024
MAX_AGE_SECONDS = 5 * 60

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
Environ = dict[str, Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_TIMESTAMP = re.compile(r"\d{1,12}")


class Refused(Exception):
    def __init__(self, status: str, answer: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.answer = answer


def make_wsgi_app(app: App, store: Store, *, signing_secret: str) -> WsgiApp:
    secret = signing_secret.encode()

    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in {"GET", "HEAD"}:
            healthy = store.ping()
            body = "ok\n" if healthy else "database unreachable\n"
            return _answer(start_response, "200 OK" if healthy else "503 Service Unavailable", body)
        flow = app.oauth_flow
        if flow is not None and path in (flow.install_path, flow.redirect_uri_path):
            if method not in {"GET", "HEAD"}:
                return _answer(start_response, "405 Method Not Allowed", "Use GET\n")
            oauth_request = BoltRequest(
                body="", query=environ.get("QUERY_STRING", ""), headers=_headers(environ)
            )
            try:
                if path == flow.install_path:
                    answer = flow.handle_installation(oauth_request)
                else:
                    answer = flow.handle_callback(oauth_request)
            except Exception as error:
                log.warning("install page %s failed: %s", path, type(error).__name__)
                answer = unavailable_page()
            return _bolt_answer(start_response, answer)
        if path != EVENTS_PATH:
            return _answer(start_response, "404 Not Found", "Not Found\n")
        if method != "POST":
            return _answer(start_response, "405 Method Not Allowed", "Use POST\n")
        try:
            request = _slack_request(environ, secret)
        except Refused as refused:
            log.warning("refused a request to %s: %s", EVENTS_PATH, refused)
            return _answer(start_response, refused.status, refused.answer)
        response = app.dispatch(request)
        return _bolt_answer(start_response, response)

    return wsgi


def _slack_request(environ: Environ, secret: bytes) -> BoltRequest:
    raw = _read_body(environ)
    headers = _headers(environ)
    if not _signed_by_slack(raw, headers, secret):
        raise Refused("401 Unauthorized", '{"error":"invalid request"}', "bad or stale signature")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("400 Bad Request", "Bad Request\n", "body is not UTF-8") from None
    content_type = str(headers.get("content-type", "")).split(";")[0].strip().lower()
    body = _parse(text, content_type)
    problem = shape_problem(body)
    if problem:
        raise Refused("400 Bad Request", "Bad Request\n", problem)
    request = BoltRequest(body=text, query=environ.get("QUERY_STRING", ""), headers=headers)
    if request.body != body:
        # Bolt takes any form body containing the word "payload" for an interaction; a
        # slash command that says "payload" is still a slash command.
        request.body = body
        request.context = build_context(BoltContext(), body)
    return request


def _signed_by_slack(raw: bytes, headers: dict[str, Any], secret: bytes) -> bool:
    """Slack's v0 signature over the raw bytes, made at most five minutes ago
    (docs.slack.dev/authentication/verifying-requests-from-slack)."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    if not _TIMESTAMP.fullmatch(timestamp) or abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("x-slack-signature", ""))


def _read_body(environ: Environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused("400 Bad Request", "Bad Request\n", "bad Content-Length") from None
    if length > MAX_BODY_BYTES:
        raise Refused("413 Content Too Large", "Too large\n", f"body of {length} bytes")
    body: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    return body


def _headers(environ: Environ) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return headers


def _parse(text: str, content_type: str) -> dict[str, Any]:
    """What Bolt would make of the body, or Refused: Events API bodies are JSON objects,
    commands are forms, interactions are forms with a JSON object in `payload`."""
    if content_type == "application/json" or text.startswith("{"):
        return _json_object(text, "JSON body")
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in form:
        return _json_object(form["payload"], "payload")
    return form


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused("400 Bad Request", "Bad Request\n", f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused("400 Bad Request", "Bad Request\n", f"{what} is not a JSON object")
    return value


def _answer(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    content_type = "application/json" if body.startswith("{") else "text/plain; charset=utf-8"
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def _bolt_answer(start_response: StartResponse, response: BoltResponse) -> list[bytes]:
    data = response.body.encode() if isinstance(response.body, str) else bytes(response.body)
    headers = [
        (name, value)
        for name, values in response.headers.items()
        for value in values
        if name.lower() != "content-length"
    ]
    headers.append(("Content-Length", str(len(data))))
    reason = _REASONS.get(response.status, "")
    start_response(f"{response.status} {reason}".strip(), headers)
    return [data]


_REASONS = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    500: "Error",
    503: "Service Unavailable",
}


def bind(wsgi_app: WsgiApp, *, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server listening on host:port (OSError when the port is taken);
    `.run()` serves until interrupted."""
    from waitress.server import create_server

    return create_server(
        wsgi_app,
        host=host,
        port=port,
        threads=threads,
        ident="p2p",
        max_request_body_size=MAX_BODY_BYTES,
    )
