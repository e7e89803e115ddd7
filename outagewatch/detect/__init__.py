"""Spike detection: seasonal baselines, detectors, incidents."""
