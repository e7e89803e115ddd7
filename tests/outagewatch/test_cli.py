import subprocess
import sys

import pytest

from outagewatch import __version__
from outagewatch.cli import COMMAND_MODULES, _register_modules, app


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from outagewatch.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_help_lists_every_command_with_its_help():
    _register_modules()
    result = run("--help")
    assert result.returncode == 0
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        assert name in result.stdout
        assert info.callback.__doc__, f"command {name} has no help text"
        assert "..." not in result.stdout.split("Commands:")[1], "a summary was cut in --help"
    assert COMMAND_MODULES


def test_errors_are_one_clear_line_without_traceback(tmp_path, monkeypatch):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OUTAGEWATCH_HTTP_TIMEOUT": "soon"}
    result = run("config", "show", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "http_timeout" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


@pytest.mark.parametrize("command", [["config", "show"], ["db", "upgrade"]])
def test_core_commands_run_on_a_fresh_data_dir(tmp_path, command):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OUTAGEWATCH_DATA_DIR": str(tmp_path / "data")}
    result = run(*command, env=env)
    assert result.returncode == 0, result.stderr
    if command[0] == "db":
        assert (tmp_path / "data" / "outagewatch.db").exists()
        assert "revision 0001" in result.stdout


def test_score_series_end_to_end(tmp_path):
    rows = ["timestamp,value"] + [
        f"2025-05-01 {h:02d}:{m:02d}:00,{3 if h != 20 else 60}" for h in range(24) for m in range(0, 60, 5)
    ]
    (tmp_path / "in.csv").write_text("\n".join(rows) + "\n")
    result = run("score-series", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    header = (tmp_path / "out.csv").read_text().splitlines()[0]
    assert header.split(",")[:6] == ["timestamp", "value", "expected", "upper", "score", "alert"]
