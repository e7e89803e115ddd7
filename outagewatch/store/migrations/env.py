"""Alembic environment: runs on the connection the store hands over (see outagewatch.store.migrate)."""

from alembic import context

from outagewatch.store.schema import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
