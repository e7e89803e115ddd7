"""Pseudonyms and text scrubbing for exports, so a shared dataset does not name its authors.

The store already keeps only ``author_key`` (an HMAC of the handle). Exports re-key it with a
second, export-specific HMAC of the same project salt: exported ids are stable within the
project (two exports can be joined on author) but differ from the ids inside the store, and
neither can be reversed without the salt.

>>> a = export_author_id("salt-1", "k1")
>>> a == export_author_id("salt-1", "k1") and a != export_author_id("salt-2", "k1")
True
>>> scrub_mentions("thanks @kp_help and @ana@mastodon.social, u/bob too")
'thanks @user and @user, u/user too'
>>> scrub_urls("status at https://status.kp.org/x?y=1 or www.kp.org.")
'status at <url> or <url>.'
"""

from __future__ import annotations

import hashlib
import hmac
import re

EXPORT_CONTEXT = b"outagewatch-export-author:v1"
FINGERPRINT_CONTEXT = b"outagewatch-salt-fingerprint:v1"

# @user, @user.bsky.social, @user@instance.tld (Mastodon), u/user and /u/user (Reddit).
MENTION_RE = re.compile(r"(?<![\w@/])(?:@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?|/?u/[\w-]{2,})")
URL_RE = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)
TRAILING_PUNCT = ".,;:!?)]}'\""


def _export_key(salt: str) -> bytes:
    """A key derived from the project salt, used for nothing but exports."""
    return hmac.new(salt.encode(), EXPORT_CONTEXT, hashlib.sha256).digest()


def export_author_id(salt: str, author_key: str | None) -> str | None:
    """The exported pseudonym of one stored author key (no key stays None)."""
    if not isinstance(author_key, str) or not author_key:
        return None
    return hmac.new(_export_key(salt), author_key.encode(), hashlib.sha256).hexdigest()[:24]


class AuthorPseudonymiser:
    """Re-keys author keys for one export; caches, since authors repeat across posts."""

    def __init__(self, salt: str) -> None:
        if not salt:
            raise ValueError("an export needs the project's author salt (setting author_salt) to pseudonymise authors")
        self._key = _export_key(salt)
        self._cache: dict[str, str] = {}

    def __call__(self, author_key: str | None) -> str | None:
        if not isinstance(author_key, str) or not author_key:  # None, or NaN from a pandas column
            return None
        found = self._cache.get(author_key)
        if found is None:
            if len(self._cache) > 200_000:  # bounded memory on huge exports
                self._cache.clear()
            found = hmac.new(self._key, author_key.encode(), hashlib.sha256).hexdigest()[:24]
            self._cache[author_key] = found
        return found


def salt_fingerprint(salt: str) -> str:
    """A short digest that tells two exports used the same salt without revealing it."""
    return hmac.new(salt.encode(), FINGERPRINT_CONTEXT, hashlib.sha256).hexdigest()[:16]


def scrub_mentions(text: str) -> str:
    """Replace @handles, Mastodon @user@instance and Reddit u/name with neutral tokens."""
    return MENTION_RE.sub(lambda m: "u/user" if m.group(0).lstrip("/").startswith("u/") else "@user", text)


def _url_token(match: re.Match[str]) -> str:
    url = match.group(0)
    stripped = url.rstrip(TRAILING_PUNCT)
    return "<url>" + url[len(stripped) :]


def scrub_urls(text: str) -> str:
    """Replace web links with ``<url>``, keeping sentence punctuation that followed them."""
    return URL_RE.sub(_url_token, text)
