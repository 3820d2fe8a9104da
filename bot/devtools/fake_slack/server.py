"""HTTP on loopback: POST /api/<method> (Web API) and POST /response/<id> (response_urls)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.devtools.fake_slack.tenants import basic_credentials


@dataclass
class HttpReply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering (after acting on the call)


@dataclass
class ApiRequest:
    method: str
    token: str | None
    args: dict[str, Any]
    body_error: str | None = None  # set when the body could not be read as Slack reads it


ApiHandler = Callable[[ApiRequest], HttpReply]
ResponseUrlHandler = Callable[[str, Any], HttpReply]
UploadHandler = Callable[[str, bytes], HttpReply]


def read_args(content_type: str, body: bytes, query: str) -> tuple[dict[str, Any], str | None]:
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return args, None
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            return args, "invalid_json"
        if not isinstance(data, dict):
            return args, "json_not_object"
        return args | data, None
    return args | dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        if parts.path.startswith("/api/"):
            args, error = read_args(content_type, body, parts.query)
            token = self._bearer() or args.pop("token", None)
            args.pop("token", None)
            credentials = basic_credentials(self.headers.get("Authorization", ""))
            if credentials is not None:  # oauth.v2.access: the app's id and secret
                args.setdefault("client_id", credentials[0])
                args.setdefault("client_secret", credentials[1])
            request = ApiRequest(parts.path.removeprefix("/api/"), token, args, error)
            self._send(self.server.on_api(request))
        elif parts.path.startswith("/upload/") and self.server.on_upload is not None:
            self._send(self.server.on_upload(parts.path.removeprefix("/upload/"), body))
        elif parts.path.startswith("/response/"):
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                payload = None
            self._send(self.server.on_response_url(parts.path.removeprefix("/response/"), payload))
        else:
            self._send(HttpReply(404, {"ok": False, "error": "not_found"}))

    def _bearer(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ").strip() or None
        return None

    def _send(self, reply: HttpReply) -> None:
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read fake.calls
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a few replicas' dozens of hands connecting at
    # once would be reset, which Slack's servers do not do.
    request_queue_size = 128

    def __init__(
        self,
        on_api: ApiHandler,
        on_response_url: ResponseUrlHandler,
        on_upload: UploadHandler | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.on_api = on_api
        self.on_response_url = on_response_url
        self.on_upload = on_upload


class HttpServer:
    """The server and its thread. Port 0: the OS picks a free one."""

    def __init__(
        self,
        on_api: ApiHandler,
        on_response_url: ResponseUrlHandler,
        on_upload: UploadHandler | None = None,
    ) -> None:
        self._server = _Server(on_api, on_response_url, on_upload)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"fake-slack:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
