"""Alembic migrations of the OutageWatch store."""
