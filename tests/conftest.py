"""Shared fixtures: a real store on SQLite and, when reachable, on PostgreSQL.

PostgreSQL tests use ``OUTAGEWATCH_TEST_PG_URL`` (default: the local server, database
``test``) and one fresh schema per test. Outside CI they skip with a message when no server
answers; in CI (``CI=true``) an unreachable server is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from outagewatch.store import Store

PG_URL = os.environ.get("OUTAGEWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any driver or network error means "not reachable"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


@pytest.fixture(scope="session")
def pg_available() -> None:
    problem = _pg_reachable()
    if problem is None:
        return
    message = f"PostgreSQL not reachable at {PG_URL} ({problem}); start it or set OUTAGEWATCH_TEST_PG_URL"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def pg_url(pg_available: None) -> Iterator[str]:
    """A URL whose connections use a fresh, private schema, dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of an empty database, on each supported dialect."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated, empty store on each dialect."""
    s = Store.open(db_url, author_salt="test-salt")
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:
    """A migrated, empty SQLite store, for tests that need only one dialect."""
    s = Store.open(f"sqlite:///{tmp_path / 'store.db'}", author_salt="test-salt")
    yield s
    s.close()
