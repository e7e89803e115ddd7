"""`outagewatch alerts ...`: test a channel, run the dispatcher, show the outbox."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from outagewatch import runtime
from outagewatch.alerts.base import REGISTRY, DeliveryError, build_channel, configured_channels
from outagewatch.alerts.message import sample_payload
from outagewatch.alerts.outbox import DEFAULT_POLICY, RetryPolicy, dispatch_due, dispatch_forever
from outagewatch.config import ConfigError
from outagewatch.models import Alert
from outagewatch.store import outbox as sql

console = Console()
# Failures exit through SystemExit: cli.main runs typer with standalone_mode=False, which returns
# (and so drops) the code of a typer.Exit instead of exiting with it.
alerts_app = typer.Typer(help="Alert channels and the outbox dispatcher.", no_args_is_help=True)


@alerts_app.command("test")
def alerts_test(channel: Annotated[str, typer.Argument(help=f"One of: {', '.join(REGISTRY)}.")]) -> None:
    """Send a clearly marked test alert through one channel and report what happened."""
    sender = build_channel(channel, runtime.settings())
    alert = Alert(incident_id=0, incident_version=0, channel=channel, payload=sample_payload(channel))
    try:
        sender.send(alert)
    except DeliveryError as exc:
        kind = "temporary" if exc.retryable else "permanent"
        console.print(f"[red]test alert via {channel} failed ({kind}):[/red] {exc}")
        raise SystemExit(1) from None
    finally:
        sender.close()
    console.print(f"[green]test alert sent via {channel}[/green] (key {alert.payload['idempotency_key']})")


@alerts_app.command("dispatch")
def alerts_dispatch(
    follow: Annotated[bool, typer.Option("--follow", help="Keep dispatching until interrupted.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes with --follow.")] = 10.0,
    channel: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Only this channel; repeatable (default: all configured).")
    ] = None,
    lease: Annotated[
        float, typer.Option(help="Seconds a claimed alert belongs to this dispatcher; above every timeout.")
    ] = DEFAULT_POLICY.lease,
    max_attempts: Annotated[int, typer.Option(help="Attempts before an alert is marked failed.")] = 8,
) -> None:
    """Send due alerts from the outbox once, or in a loop with --follow."""
    settings = runtime.settings()
    if lease <= float(settings.get("http_timeout")):
        raise ConfigError(f"--lease ({lease:g} s) must exceed http_timeout ({settings.get('http_timeout')} s)")
    channels = configured_channels(settings, channel)
    if not channels:
        console.print("no alert channel is configured (set webhook_url, slack_webhook_url or smtp_host)")
        raise SystemExit(1)
    policy = RetryPolicy(base=DEFAULT_POLICY.base, cap=DEFAULT_POLICY.cap, lease=lease, max_attempts=max_attempts)
    store = runtime.open_store(settings)
    try:
        if follow:
            logging.getLogger("outagewatch.alerts").setLevel(logging.INFO)
            console.print(f"dispatching via {', '.join(channels)} every {interval:g} s; Ctrl-C stops")
            stop = threading.Event()  # SIGTERM lets the send in progress finish and be recorded
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                dispatch_forever(store, channels, interval=interval, policy=policy, stop=stop)
            except KeyboardInterrupt:
                console.print("stopped")
            return
        stats = dispatch_due(store, channels, policy=policy)
        console.print(f"claimed {stats.claimed}, sent {stats.sent}, retry later {stats.retried}, failed {stats.failed}")
        for error in stats.errors:
            console.print(f"  {error}")
    finally:
        for sender in channels.values():
            sender.close()
        store.close()


@alerts_app.command("list")
def alerts_list(
    status: Annotated[str | None, typer.Option(help="pending, sending, sent or failed.")] = None,
    limit: Annotated[int, typer.Option(help="Newest rows to show.")] = 50,
) -> None:
    """Show the outbox, newest first."""
    store = runtime.open_store()
    try:
        with store.engine.connect() as conn:
            rows = sql.list_rows(conn, status=status, limit=limit)
    finally:
        store.close()
    table = Table(title="Alert outbox")
    for column in ("id", "incident", "version", "channel", "status", "attempts", "next attempt", "sent", "last error"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.id),
            str(r.incident_id),
            str(r.incident_version),
            r.channel,
            r.status,
            str(r.attempts),
            r.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") if r.status in ("pending", "sending") else "",
            r.sent_at.strftime("%Y-%m-%d %H:%M:%S") if r.sent_at else "",
            (r.last_error or "")[:80],
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach `alerts` to the main app."""
    app.add_typer(alerts_app, name="alerts")
