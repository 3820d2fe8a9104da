"""`p2p-bot` as a newcomer and an operator meet it: one clear line for each problem, no
traceback, and an installed wheel that works from any folder."""

from __future__ import annotations

import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

from bot.devtools.fake_slack import FakeSlack
from tests.test_server_process import base_env, fake, run_cli  # noqa: F401  (fake: a fixture)

REPO = Path(__file__).resolve().parents[1]


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_without_a_command_it_lists_the_commands(tmp_path: Path) -> None:
    result = run_cli(env=base_env(), cwd=tmp_path)
    assert result.returncode == 2
    for command in ("serve", "socket", "migrate", "tick", "demo"):
        assert f"    {command} " in result.stderr


def test_migrate_names_a_missing_sqlite_folder(tmp_path: Path) -> None:
    result = run_cli("migrate", env=base_env(DATABASE_URL="sqlite:///nowhere/p2p.db"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"the folder {tmp_path / 'nowhere'} does not exist" in one_line(result)
    assert not (tmp_path / "nowhere").exists()


def test_migrate_names_an_unreachable_postgresql(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql+psycopg://p2p:secret@127.0.0.1:{port}/p2p"
    result = run_cli("migrate", env=base_env(DATABASE_URL=url), cwd=tmp_path)
    assert result.returncode == 2
    line = one_line(result)
    assert "Connection refused" in line and f"127.0.0.1:{port}" in line
    assert "secret" not in line


def test_migrate_says_what_it_did_without_alembics_chatter(tmp_path: Path) -> None:
    env = base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'p2p.db'}", LOG_LEVEL="INFO")
    first = run_cli("migrate", env=env, cwd=tmp_path)
    again = run_cli("migrate", env=env, cwd=tmp_path)
    assert first.returncode == again.returncode == 0
    assert "from empty to" in first.stdout and "already up to date" in again.stdout
    assert "INFO" not in first.stderr + again.stderr  # no "Context impl SQLiteImpl."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p2p.db"]


def test_serve_on_a_missing_sqlite_file_leaves_nothing_behind(tmp_path: Path) -> None:
    env = base_env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}",
    )
    result = run_cli("serve", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "Run `p2p-bot migrate` first" in one_line(result)
    assert list(tmp_path.iterdir()) == []


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path: Path, fake: FakeSlack) -> None:  # noqa: F811
    db = tmp_path / "p2p.db"
    env = base_env(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=f"sqlite:///{db}",
        LOG_LEVEL="WARNING",
    )
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(
            "serve", "--host", "127.0.0.1", env=env | {"PORT": str(port)}, cwd=tmp_path
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in one_line(result)
    assert not [c for c in fake.calls if c.method != "auth.test"]  # the scheduler never ran


def test_a_bad_port_is_explained_in_plain_words(tmp_path: Path) -> None:
    line = one_line(run_cli("serve", env=base_env(PORT="http"), cwd=tmp_path))
    assert line == (
        "p2p-bot: PORT is 'http', not a port number — "
        "set it to a TCP port number between 1 and 65535."
    )


def test_tick_accepts_the_instants_it_suggests(tmp_path: Path, fake: FakeSlack) -> None:  # noqa: F811
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'p2p.db'}",
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_API_URL=fake.api_url,
    )
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    refused = run_cli("tick", "--at", "2026-12-01", env=env, cwd=tmp_path)
    assert refused.returncode == 2
    suggestions = refused.stderr.split("e.g. ")[1].strip().split(" or ")
    assert suggestions == ["2026-12-01T00:00+01:00", "2026-12-01T00:00Z"]
    for instant in suggestions:
        result = run_cli("tick", "--at", instant, env=env, cwd=tmp_path)
        assert result.returncode == 0 and result.stdout.strip() == "nothing due", result.stderr


def test_the_wheel_carries_its_migrations_and_runs_from_any_folder(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    # The dependencies come from the test environment; p2p itself only from the wheel.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            *map(str, wheels.glob("p2p-*.whl")),
        ],
        check=True,
        capture_output=True,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    env = base_env(DATABASE_URL=f"sqlite:///{empty / 'p2p.db'}")
    p2p_bot = str(venv / "bin" / "p2p-bot")
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import bot; print(bot.__file__)"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site))

    migrate = subprocess.run(
        [p2p_bot, "migrate"], cwd=empty, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    assert "from empty to" in migrate.stdout

    demo = subprocess.run(
        [p2p_bot, "demo"], cwd=empty, env=env, capture_output=True, text=True, timeout=120
    )
    assert demo.returncode == 0, demo.stderr
    assert "Retro" in demo.stdout
