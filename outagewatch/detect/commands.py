"""CLI commands of the detection stage: score-series, detect, recount."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from outagewatch.config import Settings
    from outagewatch.detect.incidents import Enqueue

console = Console()


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def score_series(
    input_csv: Annotated[Path, typer.Argument(help="CSV with columns timestamp,value (regular bins).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the scored CSV.")],
) -> None:
    """Score a count series with the spike detector.

    Reads timestamp,value rows and writes them back with expected, upper, score and alert.

    Example: outagewatch score-series counts.csv --output scored.csv
    """
    from outagewatch.detect.score_series import score_csv

    rows = score_csv(input_csv, output)
    console.print(f"scored {rows} bins -> {output}")


def detect(
    follow: Annotated[bool, typer.Option("--follow", help="Keep running, one pass per interval.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes with --follow.")] = 60.0,
    now: Annotated[
        str | None, typer.Option(help="Pretend the time is this ISO timestamp (replays, backtests).")
    ] = None,
) -> None:
    """Score new bins, update incidents, queue alerts.

    Each pass scores the 5-minute bins completed since the last one, opens, grows, confirms or
    resolves incidents, and queues one alert per incident update on the configured channels.

    Example: outagewatch detect --follow
    """
    from outagewatch import runtime
    from outagewatch.detect.run import detect_once

    store = runtime.open_store()
    enqueue = _enqueue_for(runtime.settings())
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    while True:
        summary = detect_once(store, now=_when(now), enqueue=enqueue)
        if summary.until is None:
            console.print("no posts in the store yet: run `outagewatch collect` or `outagewatch demo` first")
        else:
            console.print(
                f"scored {summary.series} series up to {summary.until:%Y-%m-%d %H:%M} UTC; "
                f"{summary.hot_bins} hot bins; {len(summary.changed)} incident updates"
            )
            for inc in summary.changed:
                console.print(
                    f"  incident #{inc.id} {inc.org} v{inc.version}: {inc.status}, {inc.level}; "
                    f"services {', '.join(inc.services) or '-'}; regions {', '.join(inc.regions) or '-'}"
                )
        if not follow or stop["now"]:
            return
        time.sleep(interval)


def _enqueue_for(settings: Settings) -> Enqueue | None:
    """The outbox callback for the channels that are configured (None when there is none)."""
    from outagewatch.alerts.outbox import configured_channels, enqueue_incident_update

    channels = configured_channels(settings)
    if not channels:
        return None
    return lambda conn, incident_id, version: enqueue_incident_update(conn, incident_id, version, channels)


def recount(
    since: Annotated[str, typer.Option(help="Start (ISO timestamp, UTC unless it says otherwise).")],
    until: Annotated[str | None, typer.Option(help="End (ISO timestamp); default now.")] = None,
) -> None:
    """Recompute 5-minute counts from stored labels."""
    from outagewatch import runtime
    from outagewatch.detect.counts import recount as do_recount
    from outagewatch.models import utcnow

    written = do_recount(runtime.open_store(), _when(since), _when(until) or utcnow())
    console.print(f"wrote {written} count rows")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the CLI."""
    app.command("score-series")(score_series)
    app.command("detect")(detect)
    app.command("recount")(recount)
