"""Counts gathered while the export streams, for the dataset card and the manifest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd


@dataclass
class ExportStats:
    """What was exported: rows per split, source, channel and label value, and the time windows."""

    label_source: str
    rows: int = 0
    splits: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    labelers: Counter = field(default_factory=Counter)  # (origin, model version or annotator)
    labels: dict[str, Counter] = field(default_factory=dict)  # head -> value -> rows
    synthetic: int = 0
    posted: list[datetime] = field(default_factory=list)  # [min, max]
    collected: list[datetime] = field(default_factory=list)

    def _heads(self) -> dict[str, str]:
        if self.label_source == "both":
            return {f"{who} {h}": f"{who}_{h}" for who in ("model", "human") for h in ("is_report", "org", "services")}
        return {h: h for h in ("is_report", "org", "services", "state")}

    def add(self, frame: pd.DataFrame) -> None:
        """Count one shaped page."""
        if frame.empty:
            return
        self.rows += len(frame)
        self.splits.update(frame["split"])
        self.sources.update(frame["source"])
        self.channels.update(frame["channel"].fillna("(none)"))
        self.languages.update(frame["language"].dropna())
        self.synthetic += int(frame["synthetic"].fillna(False).astype(bool).sum())
        pairs = (("model", "model_version"), ("human", "annotator"))
        if self.label_source != "both":
            pairs = ((self.label_source, "labeler"),)
        for origin, column in pairs:
            self.labelers.update((origin, v) for v in frame[column].dropna())
        for head, column in self._heads().items():
            counter = self.labels.setdefault(head, Counter())
            for value in frame[column]:
                if isinstance(value, list | tuple):
                    counter.update(value or ["(none)"])
                else:
                    counter["(unlabeled)" if value is None or value is pd.NA or value != value else str(value)] += 1
        for window, column in ((self.posted, "created_at"), (self.collected, "collected_at")):
            low, high = frame[column].min(), frame[column].max()
            window[:] = [min(window[0], low), max(window[1], high)] if window else [low, high]
