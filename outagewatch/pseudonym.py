"""Pseudonymous author keys: a salted hash, stable within a project, not reversible without the salt."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path


def author_key(salt: str, source: str, handle: str) -> str:
    """HMAC-SHA256 of the handle, keyed by the project's salt (32 hex characters)."""
    message = f"{source}:{handle.strip().lower()}".encode()
    return hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()[:32]


def load_or_create_salt(path: Path) -> str:
    """Read the project's salt file, creating it (mode 600) with a random salt the first time."""
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32)
    path.touch(mode=0o600)
    path.write_text(salt + "\n", encoding="utf-8")
    return salt
