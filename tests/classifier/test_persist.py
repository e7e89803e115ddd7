"""Model files: skops with an explicit trusted-type list and a SHA-256 that must match."""

from __future__ import annotations

import shutil

import pytest
import skops.io as sio

from classifier.persist import CARD_JSON, MODEL_FILE, TRUSTED_TYPES, ModelLoadError, load_model


def test_tampered_model_is_refused(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree("data/model", folder)
    path = folder / MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match=MODEL_FILE) as error:
        load_model(folder)
    assert "SHA-256" in str(error.value)
    assert "outagewatch train" in str(error.value)


def test_missing_card_is_refused(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree("data/model", folder)
    (folder / CARD_JSON).unlink()
    with pytest.raises(ModelLoadError, match="missing"):
        load_model(folder)


def test_shipped_model_holds_only_trusted_types():
    found = set(sio.get_untrusted_types(file="data/model/" + MODEL_FILE))
    assert found <= set(TRUSTED_TYPES)


def test_shipped_model_is_small():
    from pathlib import Path

    assert Path("data/model", MODEL_FILE).stat().st_size < 20_000_000


def test_model_from_before_the_word_vectors_is_refused_with_a_way_out(tmp_path):
    from classifier.persist import save_model

    old = load_model()
    del old.featurizer_.vector_table_  # what a model saved before the word-vector block lacks
    save_model(old, tmp_path, {"model_version": "old"})
    with pytest.raises(ModelLoadError, match="older OutageWatch") as error:
        load_model(tmp_path)
    assert "outagewatch train" in str(error.value)
