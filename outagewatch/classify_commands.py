"""CLI commands of the classification stage: train, evaluate, classify, classify-file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from classifier import EXTRA_WEIGHT

console = Console()
err = Console(stderr=True, highlight=False)


def _model():
    """The model in the configured model_dir (verified before use)."""
    from classifier.persist import load_model
    from outagewatch import runtime

    return load_model(runtime.settings().get("model_dir"))


def train(
    extra: Annotated[
        list[Path] | None, typer.Option("--extra", help="More labeled JSONL files to train on.", exists=True)
    ] = None,
    human_labels: Annotated[
        bool, typer.Option(help="Also train on the human labels in the store (Labeling page).")
    ] = True,
    output_dir: Annotated[Path | None, typer.Option(help="Where to save the model (default: model_dir).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (training is reproducible).")] = 13,
    extra_weight: Annotated[
        int,
        typer.Option(
            min=1,
            help="How many synthetic posts one hand-labeled post (human labels, --extra files) counts as; "
            "capped so that they never outweigh the synthetic set.",
        ),
    ] = EXTRA_WEIGHT,
    calibrate_on: Annotated[
        Path | None,
        typer.Option(
            help="Hand-labeled real posts (JSONL with text) to refit the report head's calibration and "
            "threshold on; see `python -m classifier.real_eval`.",
            exists=True,
        ),
    ] = None,
) -> None:
    """Train the classifier; save model and card.

    Trains on the shipped labeled data, the store's human labels (unless --no-human-labels) and
    any --extra files. Example: outagewatch train --extra my_labels.jsonl
    """
    import tempfile

    from classifier.active import export_human_labels_jsonl
    from classifier.commands import train as do_train
    from outagewatch import runtime

    folder = output_dir or Path(runtime.settings().get("model_dir"))
    files = list(extra or [])
    with tempfile.TemporaryDirectory(prefix="outagewatch-train-") as tmp:
        if human_labels:
            path = Path(tmp) / "human_labels.jsonl"
            n = export_human_labels_jsonl(runtime.open_store(), path)
            console.print(f"{n} human-labeled posts from the store")
            if n:
                files.append(path)
        with console.status("training..."):
            result = do_train(
                output_dir=folder, extra_labeled=files, seed=seed, calibrate_on=calibrate_on, extra_weight=extra_weight
            )
    console.print(f"model {result['model_version']} saved to {result['model_path']}")
    for name, metrics in result.items():
        if isinstance(metrics, dict) and "is_report" in metrics:
            report, services = metrics["is_report"], metrics.get("services", {})
            console.print(
                f"  {name}: report F1 {report['f1']:.3f}, service macro-F1 {services.get('macro_f1', float('nan')):.3f}"
            )


def evaluate(
    labeled: Annotated[
        Path | None, typer.Argument(help="Labeled JSONL (id, text, is_report, org, services, state...).")
    ] = None,
    human: Annotated[bool, typer.Option("--human", help="Compare the model with the store's human labels.")] = False,
    output: Annotated[Path | None, typer.Option(help="Also write the full report as JSON here.")] = None,
) -> None:
    """Score the model per head on labeled posts.

    Precision, recall, F1, confusion and calibration for each head, beside a keyword baseline.

    Example: outagewatch evaluate data/labeled/heldout.jsonl, or outagewatch evaluate --human
    """
    import tempfile

    from classifier.commands import evaluate as do_evaluate

    if (labeled is None) == (not human):
        raise typer.BadParameter("give a LABELED.jsonl file or --human (one of the two)")
    if human:
        from classifier.active import evaluate_against_humans
        from outagewatch import runtime

        with tempfile.TemporaryDirectory(prefix="outagewatch-eval-") as tmp:
            report = evaluate_against_humans(runtime.open_store(), Path(tmp), _model())
    else:
        report = do_evaluate(labeled, _model())
    text = json.dumps(report, indent=2, default=str)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    console.print_json(text)


def classify(
    batch_size: Annotated[int, typer.Option(help="Posts per batch (one transaction each).")] = 2000,
) -> None:
    """Label stored posts not labeled yet.

    Posts the current model version has not labeled are labeled in batches, then their
    5-minute counts are updated.
    """
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
    """Label a JSONL file of posts.

    Uses the same labeling code as the live path.

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
