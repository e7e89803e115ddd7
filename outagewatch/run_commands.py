"""`outagewatch run` (production mode) and `outagewatch health`."""

from __future__ import annotations

import json
import signal
import threading
import urllib.error
import urllib.request
from typing import Annotated

import typer
from rich.console import Console

console = Console(highlight=False)


def run(
    collect_interval: Annotated[float, typer.Option(help="Seconds between runs of each collector.")] = 300.0,
    pipeline_interval: Annotated[float, typer.Option(help="Seconds between classify and detect passes.")] = 60.0,
    health_port: Annotated[int, typer.Option(help="Port of the /health endpoint (0: none).")] = 8502,
    health_host: Annotated[str, typer.Option(help="Address the /health endpoint listens on.")] = "127.0.0.1",
) -> None:
    """Run everything, supervised (production).

    Collectors on their schedule, classification, detection and alert dispatch each run in a
    supervised loop: a part that fails is restarted with backoff, the others go on. SIGTERM lets
    every part finish its current unit of work (each commits on its own), then exits.
    Example: OUTAGEWATCH_DB_URL=postgresql://... outagewatch run --health-port 8502
    """
    from outagewatch import runtime
    from outagewatch.pipeline import Supervisor
    from outagewatch.production import collector_parts, pipeline_parts, serve_health

    settings = runtime.settings()
    store = runtime.open_store(settings)
    parts = collector_parts(settings, runtime.watchlist(settings), store, collect_interval)
    parts += pipeline_parts(settings, store, pipeline_interval)
    stop = threading.Event()
    supervisor = Supervisor(parts, stop)

    def on_signal(signum: int, _frame: object) -> None:
        console.print(f"{signal.Signals(signum).name}: finishing current work, then stopping")
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    supervisor.start()
    server = serve_health(supervisor, health_port, health_host) if health_port else None
    where = f"; health on http://{health_host}:{health_port}/health" if server else ""
    console.print(f"running {len(parts)} parts ({', '.join(p.name for p in parts)}){where}")
    stop.wait()
    supervisor.join(timeout=120)
    if server:
        server.shutdown()
    store.close()
    console.print("stopped cleanly")


def health(
    url: Annotated[str, typer.Option(help="The /health endpoint of a running `outagewatch run`.")] = (
        "http://127.0.0.1:8502/health"
    ),
) -> None:
    """Check a running `outagewatch run`.

    Prints each part's state; exits 1 unless all is well.
    """
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read() or b"{}")
    except OSError as exc:
        raise OSError(f"no answer from {url} ({exc}); is `outagewatch run` running with that --health-port?") from None
    console.print(f"status: {body.get('status')}")
    for name, part in body.get("parts", {}).items():
        state = "alive" if part["alive"] else "DEAD"
        error = f"; last error: {part['last_error']}" if part["consecutive_failures"] else ""
        console.print(f"  {name}: {state}, {part['runs']} runs, last ok {part['last_ok'] or '-'}{error}")
    if body.get("status") != "ok":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the production commands to the CLI."""
    app.command("run")(run)
    app.command("health")(health)
