"""`p2p-bot export --team T… --out DIR`: the program export for operators."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.domain import groups
from bot.store import Store
from tests.domain.factories import draft
from tests.test_server_process import base_env, run_cli


def test_export_writes_the_workspaces_files_and_names_a_wrong_team(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p2p.db'}"
    env = base_env(DATABASE_URL=url)
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    store = Store.from_url(url)
    with store.transaction() as session:
        for team, channel, topic in (("T_OURS", "C1", "Raft"), ("T_THEIRS", "C2", "Secret")):
            groups.create_group(
                session, team_id=team, channel_id=channel, user_id="U1", draft=draft(topic=topic)
            )
    store.dispose()

    done = run_cli("export", "--team", "T_OURS", "--out", "out", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Wrote 7 files for 1 group of T_OURS" in done.stdout
    out = tmp_path / "out"
    with (out / "groups.csv").open() as f:
        assert [row["topic"] for row in csv.DictReader(f)] == ["Raft"]
    assert (out / "program.png").read_bytes().startswith(b"\x89PNG")

    wrong = run_cli("export", "--team", "T_NOBODY", "--out", "out2", env=env, cwd=tmp_path)
    assert wrong.returncode == 2 and "No groups in workspace T_NOBODY" in wrong.stderr
    assert not (tmp_path / "out2").exists()
