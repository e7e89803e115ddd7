"""How much do hand-labeled real posts help? Page-grouped cross-validation of the training recipe.

The real posts are split into folds by source page; each fold retrains the shipped recipe with the
other folds' posts added (each counting ``--weight`` synthetic posts) and labels the held-out fold,
so every post is scored by a model that saw nothing from its page. The pooled figures sit beside
the current model's on the same posts (data/README.md, round 8).

    python scripts/real_label_cv.py REAL.jsonl... --out /tmp/cv --weight 20

Each fold is a full training run (about 5 minutes on two cores); predictions are kept in
``OUT/pred_<fold>.jsonl``, and a fold already there is not trained again.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import GroupKFold

from classifier import EXTRA_WEIGHT
from classifier.commands import train
from classifier.jsonl import post_from_record, read_labeled
from classifier.labeling import label
from classifier.metrics import services_report
from classifier.persist import default_model, load_model


def _predictions(records: list[dict], model: object) -> list[dict]:
    labels = label([post_from_record(r) for r in records], model)
    return [
        {"id": r["id"], "p": lab.p_report, "pred": lab.is_report, "services": lab.services}
        for r, lab in zip(records, labels, strict=True)
    ]


def _figures(records: list[dict], preds: list[dict]) -> str:
    gold = np.array([bool(r["is_report"]) for r in records])
    p = np.array([x["p"] for x in preds])
    services = services_report([r.get("services") or [] for r in records], [x["services"] for x in preds])
    return (
        f"report F1 {f1_score(gold, [x['pred'] for x in preds]):.3f}, AUC {roc_auc_score(gold, p):.3f}, "
        f"service macro-F1 {services['macro_f1']:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labeled", nargs="+", type=Path, help="real labeled JSONL files (with text and page)")
    parser.add_argument("--out", type=Path, required=True, help="work folder (models, predictions)")
    parser.add_argument("--weight", type=int, default=EXTRA_WEIGHT, help="copies of each real post in training")
    parser.add_argument("--folds", type=int, default=4)
    args = parser.parse_args(argv)
    records = [r for path in args.labeled for r in read_labeled(path)]
    groups = [r.get("page") or r.get("source_url") or r["id"] for r in records]
    by_id: dict[str, dict] = {}
    for k, (train_rows, test_rows) in enumerate(GroupKFold(args.folds).split(records, groups=groups)):
        pred_path = args.out / f"pred_{k}.jsonl"
        if not pred_path.exists():
            fold = args.out / f"fold{k}"
            fold.mkdir(parents=True, exist_ok=True)
            extra = fold / "real_train.jsonl"
            extra.write_text(
                "".join(json.dumps(records[i], ensure_ascii=False) + "\n" for i in train_rows), encoding="utf-8"
            )
            train(fold, extra_labeled=[extra], extra_weight=args.weight)
            preds = _predictions([records[i] for i in test_rows], load_model(fold))
            pred_path.write_text("".join(json.dumps(x) + "\n" for x in preds), encoding="utf-8")
        by_id.update((x["id"], x) for x in map(json.loads, pred_path.read_text(encoding="utf-8").splitlines()))
        print(f"fold {k}: {len(test_rows)} posts scored")
    print(f"current model:             {_figures(records, _predictions(records, default_model()))}")
    print(f"+ other pages' real posts: {_figures(records, [by_id[r['id']] for r in records])}  (x{args.weight})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
