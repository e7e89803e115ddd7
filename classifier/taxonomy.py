"""The service taxonomy, read from ``data/taxonomy.toml`` so operators can extend the phrases."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from outagewatch.models import SERVICES
from outagewatch.resources import data_path

DEFAULT_TAXONOMY = data_path("taxonomy.toml")


@dataclass(frozen=True, slots=True)
class Service:
    """One service id with its description and example phrases; ``passing`` are those of the
    phrases that often mean something else ("call", "bill"), so they alone do not choose it."""

    id: str
    description: str
    phrases: tuple[str, ...]
    passing: tuple[str, ...] = ()

    @property
    def naming(self) -> tuple[str, ...]:
        """The phrases that choose the service wherever they appear."""
        return tuple(p for p in self.phrases if p not in self.passing)


@cache
def load_taxonomy(path: Path | None = None) -> tuple[Service, ...]:
    """Read the taxonomy; refuse ids outside ``outagewatch.models.SERVICES`` so labels stay valid."""
    file = path or DEFAULT_TAXONOMY
    doc = tomllib.loads(Path(file).read_text(encoding="utf-8"))
    services = tuple(
        Service(
            id=raw["id"],
            description=raw.get("description", ""),
            phrases=tuple(raw.get("phrases", ())),
            passing=tuple(raw.get("passing", ())),
        )
        for raw in doc.get("service", [])
    )
    unknown = [s.id for s in services if s.id not in SERVICES]
    if unknown:
        raise ValueError(f"{file}: service ids {unknown} are not in outagewatch.models.SERVICES")
    stray = [f"{s.id}: {p!r}" for s in services for p in s.passing if p not in s.phrases]
    if stray:
        raise ValueError(f"{file}: passing phrases must also be listed under phrases ({', '.join(stray)})")
    return services
