"""`outagewatch dashboard` as a process: stopping the launcher stops the Streamlit server it started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.dashboard.test_browser import free_port, wait_healthy


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from /proc")
def test_terminating_the_launcher_stops_the_server(empty_db, tmp_path):
    port = free_port()
    exe = str(Path(sys.executable).with_name("outagewatch"))
    command = [exe, "--db-url", empty_db, "dashboard", "--port", str(port)]
    env_proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", env_proc)
        server = children(env_proc.pid)
        assert server, "the launcher runs Streamlit as a child process"
        env_proc.terminate()
        env_proc.wait(timeout=20)
        for pid in server:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    finally:
        if env_proc.poll() is None:
            env_proc.kill()
