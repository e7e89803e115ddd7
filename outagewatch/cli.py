"""The `outagewatch` command line: thin commands that parse, call one function and print.

Each part of the system registers its commands from its own ``commands`` module (listed in
COMMAND_MODULES), so adding a command never means growing this file.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Annotated

import typer
from rich.console import Console

from outagewatch import __version__, runtime
from outagewatch.config import ConfigError, Settings

console = Console()
err_console = Console(stderr=True, soft_wrap=True, highlight=False)

app = typer.Typer(
    name="outagewatch",
    help="Early, explainable outage signals from public posts (Reddit, Bluesky, Mastodon, RSS).\n\n"
    "Start with `outagewatch demo` (offline, no credentials), then `outagewatch dashboard`.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)
config_app = typer.Typer(help="Show and check the effective settings.", no_args_is_help=True)
db_app = typer.Typer(help="Create or migrate the database schema.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")

COMMAND_MODULES: tuple[str, ...] = (
    "outagewatch.classify_commands",
    "outagewatch.detect.commands",
    "outagewatch.alerts.commands",
    "collectors.commands",
    "dashboard.commands",
    "outagewatch.demo.commands",
    "outagewatch.run_commands",
    "outagewatch.export.commands",
    "outagewatch.backfill_commands",
)

_debug = False


def _version(value: bool) -> None:
    if value:
        console.print(f"outagewatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL of the store [env: OUTAGEWATCH_DB_URL].")] = None,
    config: Annotated[
        str | None, typer.Option(help="Config file [env: OUTAGEWATCH_CONFIG; default ./outagewatch.toml].")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks and debug logs.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Set up settings shared by every command."""
    global _debug
    _debug = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    runtime.set_settings(Settings.load(flags={"db_url": db_url}, config_file=config))


@config_app.command("show")
def config_show() -> None:
    """Print every setting, its value (secrets masked) and where the value came from."""
    from outagewatch.config import BY_NAME

    s = runtime.settings()
    out = Console(soft_wrap=True, highlight=False)
    out.print(
        f"[bold]OutageWatch settings[/bold]  (config file: {s.config_file.resolve()}"
        f"{'' if s.config_file.exists() else ', not present'})"
    )
    out.print("Precedence: command-line flag > environment variable > config file (secrets: secrets.toml) > default.\n")
    for name, value, origin, env in s.rows():
        shown = value if value != "" else "[dim](not set)[/dim]"
        out.print(f"[bold]{name}[/bold] = {shown}   [cyan]from {origin}[/cyan]   [dim]{env}[/dim]")
        out.print(f"    [dim]{BY_NAME[name].help}[/dim]")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply schema migrations (a fresh database is also migrated on first use)."""
    from outagewatch.store.migrate import current_revision, upgrade

    store = runtime.open_store(migrate=False)
    upgrade(store.engine, revision)
    console.print(f"database at revision {current_revision(store.engine)}: {store.engine.url!r}")


def _register_modules() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def main() -> None:
    """Console entry point: one clear line per error unless --debug."""
    _register_modules()
    try:
        code = app(standalone_mode=False)  # an Exit(n) inside a command comes back as n
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: bad option, unknown command
        exc.show()
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except (ConfigError, ValueError, KeyError, FileNotFoundError, PermissionError, OSError) as exc:
        if _debug:
            raise
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        err_console.print(f"[red]error:[/red] {message}")
        sys.exit(1)
    except Exception as exc:
        if _debug:
            raise
        err_console.print(f"[red]error:[/red] {type(exc).__name__}: {exc} (run with --debug for details)")
        sys.exit(1)
