"""`outagewatch dashboard`: serve the Streamlit app on the configured database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from outagewatch import runtime

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(port: int, address: str) -> list[str]:
    """The `streamlit run` command line: headless, no usage statistics sent anywhere."""
    return [
        sys.executable,
        "-m",
        "dashboard.serve",  # streamlit, with the old pages-folder mode off (see serve.py)
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def streamlit_env(db_url: str, config_file: Path | None) -> dict[str, str]:
    """The environment of the Streamlit process: the database URL (and config file) it must read."""
    env = dict(os.environ, OUTAGEWATCH_DB_URL=db_url)
    if config_file is not None and config_file.is_file():
        env["OUTAGEWATCH_CONFIG"] = str(config_file.resolve())
    return env


def run_streamlit(command: list[str], env: dict[str, str]) -> int:
    """Run the Streamlit server as a child until it exits; a SIGTERM to this process is passed on.

    Without this, stopping `outagewatch dashboard` (kill, a process supervisor, a test or
    benchmark harness) ended only this launcher and left the server running, orphaned.
    Ctrl-C reaches both processes already; the launcher then waits for the server to stop.
    """
    child = subprocess.Popen(command, env=env)
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: child.send_signal(signum))
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def _shown(url: str) -> str:
    """The URL with its password masked, for printing."""
    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    """Add the `dashboard` command to the CLI."""

    @app.command("dashboard")
    def dashboard(
        port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
        address: Annotated[
            str, typer.Option(help="Address to listen on (0.0.0.0 to serve other machines).")
        ] = "127.0.0.1",
    ) -> None:
        """Open the dashboard on the configured store.

        Streamlit, headless, on the configured database. Example: outagewatch dashboard --port 8502
        """
        settings = runtime.settings()
        store = runtime.open_store(settings)  # fail here, in one line, on a bad URL; migrate a new file
        store.close()
        typer.echo(f"OutageWatch dashboard on http://{address}:{port} (database {_shown(settings.get('db_url'))})")
        code = run_streamlit(
            streamlit_command(port, address), env=streamlit_env(settings.get("db_url"), settings.config_file)
        )
        raise typer.Exit(code)
