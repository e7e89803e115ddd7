"""A small, fast run of benchmarks/active_learning.py: the machinery, on the synthetic pool."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "active_learning.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("active_learning_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_uncertainty_picks_are_uncertain_and_both_strategies_learn(bench):
    began = time.perf_counter()
    data = bench.load(pool_size=1500, test_size=500, seed=0)
    results = bench.run(data, seeds=3, init=30, budget=60, rounds=2)
    summary = bench.summary(results)
    assert len(results) == 3
    # The uncertainty strategy really picks posts near p = 0.5; random picks do not.
    assert summary["margin_uncertainty_first_round"][0] < 0.05 < summary["margin_random"][0]
    # Sixty more labels help either way (AUC on the held-out set).
    assert summary["auc_gain_uncertainty"][0] > 0
    assert summary["auc_gain_random"][0] > 0
    assert np.isfinite([v for pair in summary.values() for v in pair]).all()
    assert time.perf_counter() - began < 120
