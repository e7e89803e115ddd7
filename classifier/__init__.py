"""Outage classifier: is_report, services, organization, state and region for posts.

Entry points: :func:`classifier.labeling.label` (live path and classify-file) and the plain
functions in :mod:`classifier.commands` (train, evaluate, classify_file).
"""
