"""``outagewatch export``: a research dataset (data, dataset card, manifest) from the store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from outagewatch import runtime
from outagewatch.export.filters import ExportFilters, ExportOptions, ExportQueryError
from outagewatch.models import ensure_utc

console = Console(stderr=True, highlight=False)


def parse_time(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 date or time from the command line, as UTC (a time without offset is UTC)."""
    if value is None or not value.strip():
        return None
    try:
        return ensure_utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        raise ExportQueryError(
            f"{option} must be an ISO 8601 date or time such as 2025-06-01 or 2025-06-01T12:00Z, not {value!r}"
        ) from None


def parse_fractions(value: str) -> tuple[float, float, float]:
    """'80/10/10' or '0.8,0.1,0.1' as fractions of one."""
    parts = [float(p) for p in value.replace("/", ",").split(",") if p.strip()]
    total = sum(parts)
    if len(parts) != 3 or total <= 0:
        raise ExportQueryError(f"--splits needs three numbers such as 80/10/10, not {value!r}")
    return (parts[0] / total, parts[1] / total, parts[2] / total)


def export(
    out: Annotated[Path, typer.Option("--out", help="Folder to create (must be new or empty).")],
    format: Annotated[
        str, typer.Option("--format", help="csv, parquet, jsonl, or ids (source, native_id, url).")
    ] = "parquet",
    posted_since: Annotated[str | None, typer.Option(help="Posted at or after (ISO 8601, UTC).")] = None,
    posted_until: Annotated[str | None, typer.Option(help="Posted before (ISO 8601, UTC).")] = None,
    collected_since: Annotated[str | None, typer.Option(help="Collected at or after (ISO 8601, UTC).")] = None,
    collected_until: Annotated[str | None, typer.Option(help="Collected before (ISO 8601, UTC).")] = None,
    org: Annotated[str | None, typer.Option(help="Organization id from the watch list, e.g. kaiser.")] = None,
    service: Annotated[str | None, typer.Option(help="Service, e.g. pharmacy.")] = None,
    region: Annotated[
        str | None, typer.Option(help="Organization region (e.g. 'Northern California') or state code.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="reddit, bluesky, mastodon, rss, ...")] = None,
    reports_only: Annotated[bool, typer.Option("--reports-only", help="Only posts labeled as outage reports.")] = False,
    min_confidence: Annotated[
        float | None, typer.Option(help="Minimum confidence of the label's is_report decision (0-1).")
    ] = None,
    label_source: Annotated[str, typer.Option(help="model, human, or both (side by side).")] = "model",
    scrub_mentions: Annotated[
        bool, typer.Option("--scrub-mentions", help="Replace @handles and u/names in text.")
    ] = False,
    scrub_urls: Annotated[bool, typer.Option("--scrub-urls", help="Replace links in text with <url>.")] = False,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise/--internal-author-keys",
            help="Re-key authors for export (default) or keep the store's keys; raw handles are never exported.",
        ),
    ] = True,
    splits: Annotated[str, typer.Option(help="Train/validation/test fractions.")] = "80/10/10",
    chunk_size: Annotated[int, typer.Option(help="Posts read per page (bounds memory).")] = 5000,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an earlier export in --out.")] = False,
) -> None:
    """Export labeled posts as a dataset folder.

    Data per split, a README.md dataset card and a manifest.json, pseudonymised by default.

    Example: outagewatch export --format parquet --out exports/kaiser-june --org kaiser --posted-since 2025-06-01
    """
    from outagewatch.export.build import export_dataset

    filters = ExportFilters(
        posted_since=parse_time(posted_since, "--posted-since"),
        posted_until=parse_time(posted_until, "--posted-until"),
        collected_since=parse_time(collected_since, "--collected-since"),
        collected_until=parse_time(collected_until, "--collected-until"),
        org=org,
        service=service,
        region=region,
        source=source,
        reports_only=reports_only,
        min_confidence=min_confidence,
        label_source=label_source,  # type: ignore[arg-type]
    )
    options = ExportOptions(
        format=format,
        pseudonymise=pseudonymise,
        scrub_mentions=scrub_mentions,
        scrub_urls=scrub_urls,
        split_fractions=parse_fractions(splits),
        chunk_size=chunk_size,
    )
    s = runtime.settings()
    store = runtime.open_store(s)
    try:
        with console.status("Exporting posts...") as status:
            result = export_dataset(
                store,
                out,
                filters,
                options,
                salt=runtime.author_salt(s),
                watchlist=runtime.watchlist(s),
                overwrite=overwrite,
                progress=lambda n: status.update(f"Exporting posts... {n} written"),
            )
    finally:
        store.close()
    per_split = ", ".join(f"{k} {v}" for k, v in result.rows_per_split.items())
    print(f"Exported {result.rows} posts ({per_split}) to {result.folder}: data/, README.md, manifest.json.")
    if result.rows == 0:
        print("No post matched. Widen the time range or drop a filter; `outagewatch config show` names the store.")


def register(app: typer.Typer) -> None:
    """Add the export command to the CLI."""
    app.command("export")(export)
