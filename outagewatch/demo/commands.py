"""`outagewatch demo`: one command from a fresh clone to a dashboard showing a modeled outage."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(soft_wrap=True)


def demo(
    dashboard: Annotated[bool, typer.Option(help="Open the dashboard on the demo database at the end.")] = True,
    port: Annotated[int, typer.Option(help="Dashboard port.")] = 8501,
    data_dir: Annotated[Path | None, typer.Option(help="Where the demo database goes (default: data_dir).")] = None,
) -> None:
    """Run the whole pipeline offline, on demo data.

    A replay server plays three weeks of SYNTHETIC posts (with an outage modeled on Kaiser
    Permanente's of 28 May 2025) to the real Reddit, Bluesky, Mastodon and RSS clients; posts
    are classified, spikes detected, incidents opened and alerts sent to a local webhook.
    The demo has its own SQLite database (demo.db), rebuilt on every run.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from outagewatch import runtime
    from outagewatch.demo.run import run_demo

    folder = data_dir or Path(runtime.settings().get("data_dir"))
    console.print(f"[bold]OutageWatch demo[/bold] - synthetic scenario, offline; database {folder / 'demo.db'}")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("starting", total=None)

        def on_step(i: int, total: int, now: object, stage: str) -> None:
            progress.update(task, total=total, completed=i, description=f"{now:%a %d %b %H:%M} UTC: {stage}")

        result = run_demo(folder, on_step=on_step)
        progress.update(task, completed=progress.tasks[0].total, description="done")
    console.print(f"{result.posts} synthetic posts collected, {result.labeled} labels")
    console.print(f"[bold]{len(result.incidents)} incidents found[/bold]")
    for inc in result.incidents:
        minutes = inc["lead_minutes"]
        known = minutes is not None and not math.isnan(minutes)  # NaN: never acknowledged yet
        lead = f"{minutes:.0f} min, grade {inc['lead_grade']}" if known else "-"
        opened = f"{inc['opened_at']:%Y-%m-%d %H:%M} UTC"
        console.print(f"#{inc['id']} {inc['org']}: {inc['status']}, {inc['level']}; opened {opened}; lead {lead}")
        console.print(f"    services: {', '.join(inc['services'])}", soft_wrap=True)
        console.print(f"    regions: {', '.join(inc['regions'])}", soft_wrap=True)
    console.print(f"{len(result.alerts)} alerts delivered to the local webhook sink ({folder / 'demo-alerts.jsonl'})")
    for line in result.collector_errors[:5]:
        console.print(f"[yellow]collector note[/yellow] {line}")
    if not dashboard:
        console.print(f"Open the dashboard with: outagewatch --db-url {result.db_url} dashboard")
        return
    from dashboard.commands import streamlit_command, streamlit_env

    console.print(f"Dashboard on http://localhost:{port} (Ctrl-C stops it)")
    subprocess.run(streamlit_command(port, "127.0.0.1"), env=streamlit_env(result.db_url, None), check=False)


def register(app: typer.Typer) -> None:
    """Add the demo command to the CLI."""
    app.command("demo")(demo)
