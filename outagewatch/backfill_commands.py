"""`outagewatch backfill`: classify archives on a Dask cluster, write Parquet by day, load counts.

Dask is imported inside the command so `outagewatch --help` stays fast and works without it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from outagewatch.backfill import BackfillError

console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


@contextmanager
def connect(workers: int | None = None, scheduler: str | None = None, timeout: float = 10.0) -> Iterator[Any]:
    """A Dask client: on the cluster at ``scheduler``, else on a LocalCluster of ``workers`` processes.

    The local cluster listens on 127.0.0.1 only, on free ports and with no dashboard, so two runs
    (or a Jupyter dashboard on 8787) never clash and nothing is exposed beyond this machine.
    """
    from distributed import Client, LocalCluster

    if not logging.getLogger().isEnabledFor(logging.DEBUG):  # --debug shows the cluster's own logs
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise BackfillError(
                f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: {exc}). "
                "Check the address (tcp://HOST:PORT), that `dask scheduler` is running there and that its "
                "port is open from this machine; or leave out --scheduler to run a local cluster (--workers N)."
            ) from exc
        with client:
            yield client
        return
    # no dashboard, and the scheduler's small HTTP server (health, metrics) on a free local port
    http = {"dashboard_address": "127.0.0.1:0"}
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs=http,
    )
    with cluster, Client(cluster) as client:
        yield client


class _Bars:
    """A rich progress bar per stage, created when the stage reports first."""

    def __init__(self, progress: Progress) -> None:
        self.progress, self.tasks = progress, {}

    def __call__(self, stage: str, advance: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.advance(self.tasks[stage], advance)


def backfill(
    inputs: Annotated[list[Path], typer.Argument(help="Archive files: NDJSON/JSONL (plain, .gz, .zst) or CSV.")],
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: one per core).")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Parquet folder: DIR/day=YYYY-MM-DD/part-0.parquet.")] = Path("backfill"),
    fmt: Annotated[str, typer.Option("--format", help="auto, reddit, bluesky, ndjson or csv.")] = "auto",
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="CSV only: COLUMN=FIELD, e.g. --map body=text (repeatable).")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: the shipped model).")] = None,
    chunk_mb: Annotated[int, typer.Option(help="Size of one task's share of a plain file, in MB.")] = 16,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for --scheduler to answer.")] = 10.0,
) -> None:
    """Classify large archives with Dask.

    Writes Parquet partitioned by day and loads the counts into the store.

    Re-running on the same input gives the same Parquet and counts: the days it covers are replaced
    (so pass every file that covers a day in one run). With --scheduler, the workers must see the
    input files and --out on a shared filesystem.
    """
    from collectors.archive import parse_mapping
    from outagewatch import runtime
    from outagewatch.backfill import plan_chunks, run_backfill

    if workers is not None and scheduler:
        raise typer.BadParameter("choose one of --workers (local cluster) and --scheduler (running cluster)")
    if (workers is not None and workers < 1) or chunk_mb < 1:
        raise typer.BadParameter("--workers and --chunk-mb must be at least 1")
    plan_chunks(inputs, fmt)  # a missing file or bad format fails before any cluster starts
    settings = runtime.settings()
    store, salt = runtime.open_store(settings), runtime.author_salt(settings)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    try:
        with connect(workers, scheduler, timeout) as client, Progress(*columns, console=err, transient=True) as bar:
            summary = run_backfill(
                client,
                inputs,
                out,
                store,
                salt=salt,
                fmt=fmt,
                mapping=parse_mapping(mapping or []),
                model_dir=str(model.resolve()) if model else None,
                chunk_bytes=chunk_mb << 20,
                progress=_Bars(bar),
            )
    except BackfillError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        store.close()
    console.print(
        f"{summary.posts} posts from {summary.lines} lines ({summary.rejected} rejected), "
        f"{summary.reports} reports, {len(summary.days)} days in {out}/day=*, "
        f"{summary.count_rows} count rows stored (model {summary.model_version})"
    )
    for path in summary.reject_files:
        console.print(f"rejected lines: {path}")


def register(app: typer.Typer) -> None:
    """Add the backfill command to the CLI."""
    app.command("backfill")(backfill)
