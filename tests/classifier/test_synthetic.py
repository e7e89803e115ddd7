"""The generator is seeded and keeps held-out templates apart from training ones."""

from __future__ import annotations

from classifier.synthetic import generate


def test_generator_is_deterministic_and_split_by_template():
    train_a, heldout_a = generate(seed=5)
    train_b, _ = generate(seed=5)
    assert [r["text"] for r in train_a[:50]] == [r["text"] for r in train_b[:50]]
    assert {r["template"] for r in train_a}.isdisjoint({r["template"] for r in heldout_a})
    assert all(r["origin"] == "synthetic" for r in train_a + heldout_a)
    assert {r["is_report"] for r in train_a} == {True, False}
