from sqlalchemy import inspect

from outagewatch.store import Store
from outagewatch.store.migrate import current_revision, head_revision, upgrade
from outagewatch.store.schema import metadata


def test_fresh_database_is_migrated_on_first_use(db_url):
    store = Store.open(db_url)
    assert current_revision(store.engine) == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) <= tables
    store.close()


def test_migrations_match_the_schema(db_url):
    """The migration chain creates exactly the columns the schema declares."""
    store = Store.open(db_url)
    inspector = inspect(store.engine)
    for name, table in metadata.tables.items():
        assert {c["name"] for c in inspector.get_columns(name)} == {c.name for c in table.columns}, name
    store.close()


def test_upgrade_is_idempotent(db_url):
    store = Store.open(db_url)
    upgrade(store.engine)
    upgrade(store.engine)
    assert current_revision(store.engine) == head_revision()
    store.close()


def test_sqlite_uses_wal(sqlite_store):
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_sqlite_ddl_is_transactional(tmp_path):
    """A process killed mid-migration must not leave half a schema behind."""
    from sqlalchemy import text

    from outagewatch.store.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'ddl.db'}")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE half (id INTEGER)"))
        conn.rollback()
    assert "half" not in inspect(engine).get_table_names()
