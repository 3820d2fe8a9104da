"""The real thing: `p2p-bot serve` as its own process, reached over HTTP like Slack does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.devtools.driver import SlackDriver
from bot.devtools.fake_slack import FakeSlack
from bot.store import Store

P2P_BOT = str(Path(sys.executable).parent / "p2p-bot")
SECRET = "process-signing-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [P2P_BOT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def base_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    return {**keep, **extra}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user("U_ANA", name="ana", tz="Europe/Lisbon")
    fake.add_channel("C_LEARN", name="learning", members=["U_ANA"])
    yield fake
    fake.stop()
    assert fake.take_violations() == []


@pytest.fixture
def server(db_url: str, store: Store, fake: FakeSlack, tmp_path: Path) -> Iterator[str]:
    """`store` first: it hands over an empty database (PostgreSQL is shared by tests)."""
    port = free_port()
    env = base_env(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=db_url,
        PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [P2P_BOT, "serve", "--host", "127.0.0.1", "--no-scheduler"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read() if process.stdout else ""
            process.kill()
            pytest.fail(f"p2p-bot serve did not come up:\n{output}")
        time.sleep(0.1)
    yield url
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


def test_the_server_process_answers_slack_and_refuses_forgeries(
    server: str, fake: FakeSlack
) -> None:
    slack = SlackDriver(f"{server}/slack/events", SECRET, fake)

    help_reply = slack.command("U_ANA", "help", channel_id="C_LEARN")
    assert help_reply.status == 200 and "/p2p start" in help_reply.body_text

    slack.command("U_ANA", "start Rust", channel_id="C_LEARN")
    try:
        modal = fake.wait_until(lambda: fake.open_modal("U_ANA"), timeout=15)
    except TimeoutError:
        calls = [(c.method, c.response.get("error")) for c in fake.calls]
        pytest.fail(f"no modal opened; Slack saw {calls}, the user saw {fake.responses()}")
    assert modal.callback_id == "group_start"

    forged = SlackDriver(f"{server}/slack/events", "not-the-secret", fake)
    assert forged.command("U_ANA", "help", channel_id="C_LEARN").status == 401


def test_serve_refuses_a_database_that_was_not_migrated(tmp_path: Path) -> None:
    result = run_cli(
        "serve",
        env=base_env(
            SLACK_BOT_TOKEN="xoxb-1",
            SLACK_SIGNING_SECRET="s",
            DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}",
        ),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Run `p2p-bot migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_slack_credentials_it_says_what_to_set_and_where(tmp_path: Path) -> None:
    result = run_cli("serve", env=base_env(), cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "https://api.slack.com/apps" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("PORT", "http", "PORT"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must start with xoxb-"),
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a database URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
    ],
)
def test_a_malformed_setting_ends_with_one_clear_line(
    tmp_path: Path, name: str, value: str, said: str
) -> None:
    result = run_cli("serve", env=base_env(**{name: value}), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], result.stderr


def test_settings_are_read_from_a_dot_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=99999\n")
    result = run_cli("serve", env=base_env(), cwd=tmp_path)
    assert result.returncode == 2 and "PORT" in result.stderr


def test_migrate_then_tick_on_an_empty_workspace(tmp_path: Path, fake: FakeSlack) -> None:
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'p2p.db'}",
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_API_URL=fake.api_url,
    )
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    result = run_cli("tick", "--at", "2026-12-01T17:00:00+01:00", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nothing due"
    bad = run_cli("tick", "--at", "2026-12-01T17:00:00", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "no UTC offset" in bad.stderr


def test_socket_mode_asks_for_the_app_level_token(tmp_path: Path) -> None:
    result = run_cli("socket", env=base_env(SLACK_BOT_TOKEN="xoxb-1"), cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in result.stderr and "connections:write" in result.stderr
    assert "SLACK_SIGNING_SECRET" not in result.stderr  # not needed over a socket
