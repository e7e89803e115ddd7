"""CLI commands of the classification stage: train, evaluate, classify, classify-file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True, highlight=False)


def _model():
    """The model in the configured model_dir (verified before use)."""
    from classifier.persist import load_model
    from outagewatch import runtime

    return load_model(runtime.settings().get("model_dir"))


def train(
    extra: Annotated[
        list[Path] | None, typer.Option("--extra", help="More labeled JSONL files (e.g. human labels).", exists=True)
    ] = None,
    output_dir: Annotated[Path | None, typer.Option(help="Where to save the model (default: model_dir).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (training is reproducible).")] = 13,
) -> None:
    """Train the classifier and save it with its model card.

    Example: outagewatch train --extra human_labels.jsonl
    """
    from classifier.commands import train as do_train
    from outagewatch import runtime

    folder = output_dir or Path(runtime.settings().get("model_dir"))
    with console.status("training..."):
        result = do_train(output_dir=folder, extra_labeled=list(extra or []), seed=seed)
    console.print(f"model {result['model_version']} saved to {result['model_path']}")
    for name, metrics in result.items():
        if isinstance(metrics, dict) and "is_report" in metrics:
            report, services = metrics["is_report"], metrics.get("services", {})
            console.print(
                f"  {name}: report F1 {report['f1']:.3f}, service macro-F1 {services.get('macro_f1', float('nan')):.3f}"
            )


def evaluate(
    labeled: Annotated[Path, typer.Argument(help="Labeled JSONL (id, text, is_report, org, services, state...).")],
    output: Annotated[Path | None, typer.Option(help="Also write the full report as JSON here.")] = None,
) -> None:
    """Score the model on a labeled file: precision, recall, F1, confusion, calibration per head."""
    from classifier.commands import evaluate as do_evaluate

    report = do_evaluate(labeled, _model())
    text = json.dumps(report, indent=2, default=str)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    console.print_json(text)


def classify(
    batch_size: Annotated[int, typer.Option(help="Posts per batch (one transaction each).")] = 2000,
) -> None:
    """Label the stored posts the current model has not labeled yet, then update counts."""
    from rich.progress import Progress

    from outagewatch import runtime
    from outagewatch.classify import classify_store, model_version, pending_count

    store, model = runtime.open_store(), _model()
    total = pending_count(store, model_version(model))
    with Progress(console=err) as progress:
        task = progress.add_task("labeling", total=total)
        summary = classify_store(store, model, progress=lambda n: progress.advance(task, n), batch_size=batch_size)
    console.print(f"{summary.labeled} posts labeled by {summary.model_version}; {summary.reports} reports")


def classify_file(
    input_jsonl: Annotated[Path, typer.Argument(help="JSONL with id and text (channel, created_at... optional).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the labeled JSONL.")],
) -> None:
    """Label a JSONL file of posts into another, with the live path's labeling code.

    Example: outagewatch classify-file posts.jsonl --output labeled.jsonl
    """
    from rich.progress import Progress

    from classifier.commands import classify_file as do_classify_file

    if not input_jsonl.is_file():
        raise FileNotFoundError(f"input file {input_jsonl} not found")
    with Progress(console=err) as progress:
        task = progress.add_task("labeling", total=None)
        n = do_classify_file(
            input_jsonl,
            output,
            progress=lambda k: progress.advance(task, k),
            on_error=lambda line, why: err.print(f"[yellow]line {line} skipped[/yellow]: {why}"),
        )
    console.print(f"labeled {n} posts -> {output}")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the CLI."""
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("classify")(classify)
    app.command("classify-file")(classify_file)
