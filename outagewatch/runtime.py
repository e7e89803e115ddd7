"""Wiring shared by every command: the effective settings and the store they point at."""

from __future__ import annotations

from pathlib import Path

from outagewatch.config import Settings
from outagewatch.pseudonym import load_or_create_salt
from outagewatch.store import Store
from outagewatch.watchlist import WatchList, load_watchlist

_settings: Settings | None = None


def set_settings(settings: Settings) -> None:
    """Called once by the CLI's root callback with the flags it parsed."""
    global _settings
    _settings = settings


def settings() -> Settings:
    """The effective settings (environment and config file only, when no CLI set them)."""
    global _settings
    if _settings is None:
        _settings = Settings.load()
    return _settings


def author_salt(s: Settings) -> str:
    """The configured salt, or one created once per data folder and kept there."""
    return s.get("author_salt") or load_or_create_salt(Path(s.get("data_dir")) / "author_salt")


def open_store(s: Settings | None = None, *, migrate: bool = True) -> Store:
    """Open the configured store (migrated on first use)."""
    s = s or settings()
    return Store.open(
        s.get("db_url"), migrate=migrate, author_salt=author_salt(s), keep_author_handles=s.get("keep_author_handles")
    )


def watchlist(s: Settings | None = None) -> WatchList:
    """The configured watch list."""
    s = s or settings()
    return load_watchlist(s.get("watchlist"))
