"""Shared fixtures: the shipped model (loaded once) and a helper to build posts by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from classifier.labeling import label
from classifier.persist import default_model
from outagewatch.models import Label, Post


@pytest.fixture(scope="session")
def model():
    """The model shipped in data/model (verified by hash on load)."""
    return default_model()


def make_post(text: str, channel: str | None = None, location: str | None = None, native_id: str = "1") -> Post:
    """A post as a collector would yield it."""
    return Post(
        source="test",
        native_id=native_id,
        text=text,
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        channel=channel,
        author_location=location,
    )


@pytest.fixture(scope="session")
def label_one(model):
    """Label a single text with the shipped model."""

    def run(text: str, channel: str | None = None, location: str | None = None) -> Label:
        return label([make_post(text, channel, location)], model)[0]

    return run
