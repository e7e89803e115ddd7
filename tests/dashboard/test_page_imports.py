"""Pages hold layout and widgets only: no SQL and no SQLAlchemy, everything goes through dashboard/data.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[2] / "dashboard" / "pages").glob("*.py"))
BANNED_MODULES = ("sqlalchemy", "outagewatch.store")
BANNED_NAMES = {"select", "text", "create_engine"}


def sql_uses(source: str) -> list[str]:
    """Imports of SQLAlchemy or the store, SQL-building names, and select(/text( calls in a module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith(BANNED_MODULES)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.startswith(BANNED_MODULES):
                found.append(module)
            found += [a.name for a in node.names if a.name in BANNED_NAMES]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"select", "text"}:
            found.append(f"{node.func.id}(")
    return found


def test_every_page_is_scanned():
    assert {p.stem for p in PAGES} >= {"overview", "map", "trends", "posts", "incidents", "sources", "model"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_has_no_sql(page):
    assert sql_uses(page.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy",
        "from sqlalchemy import select",
        "from sqlalchemy.sql import text as t",
        "from outagewatch.store.queries import find_posts",
        "import outagewatch.store",
        "rows = select(posts)",
        "rows = text('select 1')",
    ],
)
def test_scanner_catches_sql(source):
    assert sql_uses(source) != []
