"""Save and load the model with skops, refusing unknown types and tampered files.

Never bare pickle: ``skops.io.load`` only builds the types we list in ``TRUSTED_TYPES``, and
the file's SHA-256 must match the one recorded in the model card JSON beside it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import skops.io as sio

from classifier.model import OutageModel
from outagewatch.checksums import sha256_file
from outagewatch.resources import data_path

DEFAULT_MODEL_DIR = data_path("model")
MODEL_FILE = "outage_model.skops"
CARD_JSON = "model_card.json"

# Every non-builtin type the shipped model contains; anything else in a file is refused.
TRUSTED_TYPES: tuple[str, ...] = (
    "classifier.model.OutageModel",
    "classifier.features.PostFeaturizer",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.preprocessing._label.LabelBinarizer",
    "scipy.sparse._csr.csr_matrix",
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float64",
    "numpy.int64",
    "numpy.bool_",
    "builtins.int",
)


class ModelLoadError(RuntimeError):
    """The model file is missing, altered, or holds types we do not trust; the message says what to do."""


def save_model(model: OutageModel, directory: Path, card: dict) -> Path:
    """Dump the model, check its types against the trusted list, record its hash in the card JSON."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    sio.dump(model, path, compression=8)
    unknown = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
    if unknown:
        path.unlink()
        raise ModelLoadError(f"model holds types not in classifier.persist.TRUSTED_TYPES: {unknown}")
    card = {**card, "model_file": MODEL_FILE, "sha256": sha256_file(path), "size_bytes": path.stat().st_size}
    (directory / CARD_JSON).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load_model(directory: Path | str | None = None) -> OutageModel:
    """Load and verify a saved model (the shipped default when ``directory`` is None)."""
    folder = Path(directory) if directory else DEFAULT_MODEL_DIR
    path, card_path = folder / MODEL_FILE, folder / CARD_JSON
    retrain = "run `outagewatch train` to rebuild it, or restore the file from the release"
    if not path.exists() or not card_path.exists():
        raise ModelLoadError(f"model file {path} or its card {card_path} is missing; {retrain}")
    expected = json.loads(card_path.read_text(encoding="utf-8")).get("sha256")
    actual = sha256_file(path)
    if expected != actual:
        raise ModelLoadError(
            f"model file {path} does not match the SHA-256 in {card_path} (expected {expected}, found {actual}); "
            f"it was altered or replaced, so it is refused: {retrain}"
        )
    found = sio.get_untrusted_types(file=path)
    unknown = sorted(set(found) - set(TRUSTED_TYPES))
    if unknown:
        raise ModelLoadError(f"model file {path} holds types outside the trusted list {unknown}; refused. {retrain}")
    model = sio.load(path, trusted=list(found))
    if not isinstance(model, OutageModel):
        raise ModelLoadError(f"model file {path} does not hold an OutageModel; {retrain}")
    if not hasattr(model.featurizer_, "vector_table_"):
        raise ModelLoadError(f"model file {path} was trained by an older OutageWatch (no word vectors); {retrain}")
    return model


@cache
def default_model() -> OutageModel:
    """The shipped model, loaded once per process."""
    return load_model()
