"""Where the files that ship with OutageWatch live (taxonomy, watch list, map shapes, model)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def data_path(*parts: str) -> Path:
    """Return a path inside the shipped ``data/`` folder."""
    return DATA_DIR.joinpath(*parts)
