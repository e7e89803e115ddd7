"""The generator's hand-written pieces, kept as data in ``data/synthetic/`` (see data/README.md).

``templates.json`` holds the template families; ``vocab.json`` the slot vocabularies: service
clauses, subjects (what failed, with the services each names) and predicates (how it failed),
organization surface forms with typos, places with their state and organization region.
"""

from __future__ import annotations

import json
from functools import cache

from outagewatch.resources import data_path


@cache
def vocab() -> dict:
    """Slot vocabularies."""
    return json.loads(data_path("synthetic", "vocab.json").read_text(encoding="utf-8"))


@cache
def families() -> dict[str, dict]:
    """Template families: is_report, keeps_org, services mode, templates."""
    return json.loads(data_path("synthetic", "templates.json").read_text(encoding="utf-8"))["families"]


def clause(service: str, subject_index: int, predicate_index: int) -> tuple[str, tuple[str, ...]]:
    """One composed first-hand clause ("the portal keeps timing out") and the services it names."""
    v = vocab()
    subjects = v["SUBJECTS"][service]
    subject, extra = subjects[subject_index % len(subjects)]
    predicates = v["PHONE_PREDICATES"] if service == "phone" else v["PREDICATES"]
    return f"{subject} {predicates[predicate_index % len(predicates)]}", (service, *extra)
