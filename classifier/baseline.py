"""The plain keyword matcher we must beat (reported beside the model by ``evaluate``).

A post is a report if it has an outage word; its services are every taxonomy service whose
phrase appears. No negation, hearsay, news or maintenance handling: that is the point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from classifier.taxonomy import load_taxonomy

OUTAGE_WORDS = r"down|outage|offline|not working|crash\w*|error\w*|broken|unavailable|can'?t (?:log|get|access)"


@cache
def _patterns() -> tuple[re.Pattern[str], dict[str, re.Pattern[str]]]:
    report = re.compile(rf"\b(?:{OUTAGE_WORDS})\b")
    services = {
        s.id: re.compile(r"\b(?:" + "|".join(re.escape(p) for p in s.phrases) + r")\b") for s in load_taxonomy()
    }
    return report, services


def keyword_baseline(texts: Sequence[str]) -> tuple[list[bool], list[list[str]]]:
    """Return (is_report, services) per text from keywords alone."""
    report, services = _patterns()
    flags, found = [], []
    for text in texts:
        low = text.lower()
        flags.append(report.search(low) is not None)
        found.append([sid for sid, pattern in services.items() if pattern.search(low)])
    return flags, found
