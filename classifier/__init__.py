"""Outage classifier: is_report, services, organization, state and region for posts.

Entry points: :func:`classifier.labeling.label` (live path and classify-file) and the plain
functions in :mod:`classifier.commands` (train, evaluate, classify_file).
"""

EXTRA_WEIGHT = 20
"""How many synthetic posts one hand-labeled real post counts as in training (data/README.md,
round 8); here so that the CLI can show it without importing scikit-learn."""
