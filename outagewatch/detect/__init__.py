"""Detection: seasonal baselines and the spike detector (counts in, per-bin evidence out)."""

from outagewatch.detect.baseline import SeasonalBaseline
from outagewatch.detect.detector import BinScore, SpikeDetector, evidence_level, score_from_p
from outagewatch.detect.params import DEFAULT_PARAMS, DetectorParams
from outagewatch.detect.score_series import score_csv, score_frame

__all__ = [
    "DEFAULT_PARAMS",
    "BinScore",
    "DetectorParams",
    "SeasonalBaseline",
    "SpikeDetector",
    "evidence_level",
    "score_csv",
    "score_frame",
    "score_from_p",
]
