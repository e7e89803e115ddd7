"""CLI commands of the collectors: `collect`, `import` and `replay-server`.

Client libraries and the store are imported inside the commands, so `outagewatch --help`
stays fast.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def collect(
    sources: Annotated[list[str] | None, typer.Argument(help="Sources to run (default: all configured).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Run each source once, then exit (default).")] = False,
    follow: Annotated[bool, typer.Option("--follow", help="Keep polling until SIGINT/SIGTERM.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between polls with --follow.")] = 60.0,
    max_rate_wait: Annotated[float, typer.Option(help="Longest rate-limit wait before a run ends.")] = 30.0,
    idle_seconds: Annotated[
        float, typer.Option(help="Streams (Jetstream) end a run after this long without events.")
    ] = 5.0,
) -> None:
    """Run the collectors once or continuously.

    Each batch and its resume point are stored together and each run is recorded, so an
    interrupted run resumes where it stopped. Example: outagewatch collect reddit --once
    """
    from collectors.registry import REGISTRY, get
    from collectors.runner import RunResult, run_all
    from collectors.runner import follow as follow_loop
    from outagewatch import runtime

    if once and follow:
        raise typer.BadParameter("choose one of --once and --follow")
    settings, wl = runtime.settings(), runtime.watchlist()
    names = sources or list(REGISTRY)
    collectors, skipped = [], []
    for name in names:
        cls = get(name)
        try:
            collector = cls.from_settings(settings, wl)
            if hasattr(collector, "idle_seconds"):
                collector.idle_seconds = idle_seconds
            collectors.append(collector)
        except Exception as exc:  # ConfigError for missing credentials: named sources must have them
            if sources:
                raise
            skipped.append(f"{name} ({exc})")
    for line in skipped:
        err.print(f"[yellow]skipped[/yellow] {line}")
    store = runtime.open_store(settings)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        err.print(f"{signal.Signals(signum).name} received: finishing the current batch, then exiting")
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    def show(results: list[RunResult]) -> None:
        for r in results:
            colour = "green" if r.status == "ok" else "red"
            note = f" - {r.error}" if r.error else ""
            console.print(f"[{colour}]{r.name}[/{colour}] {r.status}: {r.posts} posts in {r.batches} batches{note}")

    if follow:
        follow_loop(store, collectors, interval=interval, stop=stop, on_round=show)
    else:
        results = run_all(store, collectors, max_rate_wait=max_rate_wait, stop=stop)
        show(results)
        if any(r.status != "ok" for r in results):
            raise typer.Exit(2)


def import_archive(
    files: Annotated[list[Path], typer.Argument(help="JSONL/NDJSON (.gz, .zst) or CSV files.", exists=True)],
    fmt: Annotated[str, typer.Option("--format", help="auto|reddit|bluesky|ndjson|csv")] = "auto",
    maps: Annotated[list[str] | None, typer.Option("--map", help="CSV column mapping COLUMN=FIELD.")] = None,
    source: Annotated[str | None, typer.Option(help="Source name for records that carry none.")] = None,
    rejects: Annotated[Path | None, typer.Option(help="Reject file (default: <file>.rejects.jsonl).")] = None,
) -> None:
    """Import archives (JSONL, gz, zst, CSV).

    Streams in bounded memory; malformed lines go to a reject file with their line numbers.
    Example: outagewatch import RS_2025-05.zst --format reddit
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from collectors.archive import ImportReport, import_file, parse_mapping, total_bytes
    from outagewatch import runtime

    mapping = parse_mapping(maps or [])
    store = runtime.open_store()
    report = ImportReport()
    started = time.monotonic()
    columns = ("{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("importing", total=total_bytes(files))
        done = 0
        for path in files:
            progress.update(task, description=path.name)
            offset = done
            import_file(
                store, path, fmt=fmt, mapping=mapping, source=source, rejects_path=rejects, report=report,
                on_bytes=lambda pos, offset=offset: progress.update(task, completed=offset + pos),
            )  # fmt: skip
            done += path.stat().st_size
            progress.update(task, completed=done)
    seconds = max(time.monotonic() - started, 1e-9)
    console.print(
        f"imported {report.posts} posts from {report.lines} lines in {seconds:.1f} s "
        f"({report.posts / seconds:.0f} posts/s); {report.rejected} rejected"
    )
    for path in dict.fromkeys(report.reject_files):
        console.print(f"rejected lines (with line numbers and reasons): {path}")


def replay_server(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder (posts.jsonl, feeds/, watchlist.toml).")],
    port: Annotated[int, typer.Option(help="HTTP port (0: any free port).")] = 0,
    ws_port: Annotated[int, typer.Option(help="Jetstream WebSocket port (0: any free port).")] = 0,
    now: Annotated[str | None, typer.Option(help="Start the clock here (ISO time); default: release all.")] = None,
) -> None:
    """Serve a scenario to the real clients.

    A local server on 127.0.0.1 speaking Reddit, Bluesky XRPC, Jetstream, Mastodon and RSS/Atom,
    with fault injection (POST /__fault) for testing.
    """
    from collectors.replay import ReplayServer

    if not scenario.is_dir():
        raise FileNotFoundError(f"scenario folder {scenario} not found; it needs posts.jsonl and/or feeds/")
    server = ReplayServer(scenario, port=port, ws_port=ws_port, now=now).start()
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(f"replay server on {server.base_url} (Jetstream {server.jetstream_url}); Ctrl-C stops it.")
    console.print("Point OutageWatch at it with:")
    for key, value in server.env().items():
        console.print(f"export {key}={value}", highlight=False, soft_wrap=True)
    console.print(f'Faults: curl -X POST {server.base_url}/__fault -d \'{{"path": "/r/x/new", "kind": "429"}}\'')
    try:
        stop.wait()
    finally:
        server.stop()


def register(app: typer.Typer) -> None:
    """Add the collector commands to the `outagewatch` app."""
    app.command("collect")(collect)
    app.command("import")(import_archive)
    app.command("replay-server")(replay_server)
