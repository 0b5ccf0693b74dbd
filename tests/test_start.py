"""`scripts/start` a second time: the install is skipped when nothing changed, and
`grants db upgrade` says only what it did."""

import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers import grants

ROOT = Path(__file__).resolve().parent.parent
STAMPED = ("requirements.lock", "pyproject.toml", "scripts/install")


def needed(root: Path) -> bool:
    """Whether `scripts/install` in `root` would install the Python packages again."""
    run = subprocess.run([root / "scripts/install", "--needed"], capture_output=True, check=False)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode == 0


def test_install_is_skipped_until_something_it_installs_from_changes(tmp_path):
    for name in STAMPED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    assert needed(tmp_path)  # no .venv at all
    (tmp_path / ".venv/bin").mkdir(parents=True)
    python = tmp_path / ".venv/bin/python"
    python.write_text("#!/bin/sh\n")
    os.chmod(python, 0o755)
    assert needed(tmp_path)  # a venv, but no finished install
    stamp = subprocess.run(
        ["sha256sum", *STAMPED], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    (tmp_path / ".venv/.installed").write_text(stamp)
    assert not needed(tmp_path)
    with (tmp_path / "requirements.lock").open("a") as lock:
        lock.write("# changed\n")
    assert needed(tmp_path)


def test_the_install_writes_its_stamp_after_pip():
    script = (ROOT / "scripts/install").read_text()
    assert script.rindex('>"$STAMP"') > script.rindex("pip install")


def test_upgrade_on_a_fresh_database_says_only_what_it_applied(fresh_url):
    migrations = len(list((ROOT / "grants/migrations").glob("grants_*.py")))
    first = grants(fresh_url, "db", "upgrade")
    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines() == [f"Applied {migrations} migration(s)."]
    second = grants(fresh_url, "db", "upgrade")
    assert second.output.strip().splitlines() == ["The database is up to date."]


def test_the_readme_says_the_first_start_takes_a_few_minutes():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("scripts/start")
    assert "first run takes a few minutes" in readme[start : start + 600]
