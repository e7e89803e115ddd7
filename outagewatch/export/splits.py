"""Deterministic train/validation/test splits, grouped by conversation so replies never leak.

A post's group is its thread (``thread_id``), else the root of its parent chain, else the post
itself. Group keys are ``source:root_native_id`` whichever way the root was found, so a
thread's root post (no thread_id of its own) and its replies (thread_id = root) agree.
The split is a pure function of the group key: the same post lands in the same split in every
export, whatever the filters.

>>> group_key("reddit", "t1_b", "t3_a", "t1_x") == group_key("reddit", "t3_a", None, None)
True
>>> split_of("reddit:t3_a") == split_of("reddit:t3_a")
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

SPLITS: tuple[str, ...] = ("train", "validation", "test")
MAX_DEPTH = 50

# Looks up stored parents: {(source, native_id)} -> {(source, native_id): (thread_id, parent_id)}.
ParentLookup = Callable[[set[tuple[str, str]]], dict[tuple[str, str], tuple[str | None, str | None]]]


def group_key(source: str, native_id: str, thread_id: str | None, parent_id: str | None) -> str:
    """The conversation a post belongs to, from its own fields only (no parent lookup)."""
    root = thread_id or parent_id or native_id
    return f"{source}:{root}"


def split_of(key: str, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)) -> str:
    """The split of a group: a hash of its key mapped onto [0, 1) and cut at the fractions."""
    digest = hashlib.sha256(key.encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    edge = 0.0
    for name, fraction in zip(SPLITS, fractions, strict=True):
        edge += fraction
        if u < edge:
            return name
    return SPLITS[-1] if fractions[-1] > 0 else next(n for n, f in zip(SPLITS, fractions, strict=True) if f > 0)


def _id(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def resolve_roots(
    posts: Iterable[tuple[str, str, str | None, str | None]], lookup: ParentLookup
) -> dict[tuple[str, str], str]:
    """Group keys of posts without a thread id, following stored parents up to the root.

    ``posts`` are (source, native_id, thread_id, parent_id). A reply whose parent is stored
    with a thread id joins that thread; a chain that leaves the store ends at the last parent
    named, which all its siblings share too.
    """
    keys: dict[tuple[str, str], str] = {}
    pending: dict[tuple[str, str], tuple[str, str]] = {}  # post -> current ancestor to look up
    for source, native_id, thread_id, parent_id in posts:
        thread_id, parent_id = _id(thread_id), _id(parent_id)  # pandas hands missing ids over as NaN
        if thread_id or not parent_id:
            keys[(source, native_id)] = group_key(source, native_id, thread_id, None)
        else:
            pending[(source, native_id)] = (source, parent_id)
    for _ in range(MAX_DEPTH):
        if not pending:
            break
        found = lookup(set(pending.values()))
        still: dict[tuple[str, str], tuple[str, str]] = {}
        for post, ancestor in pending.items():
            thread_id, parent_id = (_id(v) for v in found.get(ancestor, (None, None)))
            if thread_id:
                keys[post] = f"{ancestor[0]}:{thread_id}"
            elif parent_id and ancestor in found:
                still[post] = (ancestor[0], parent_id)
            else:  # the ancestor is the root, or is not stored: its id names the group
                keys[post] = f"{ancestor[0]}:{ancestor[1]}"
        pending = still
    for post, ancestor in pending.items():  # absurdly deep chains: stop at the last ancestor
        keys[post] = f"{ancestor[0]}:{ancestor[1]}"
    return keys
