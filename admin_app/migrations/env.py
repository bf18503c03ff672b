"""Alembic environment: the app hands over its engine; models give the target metadata."""

from __future__ import annotations

from alembic import context

import models

config = context.config
target_metadata = models.Base.metadata


def run_migrations() -> None:
    connectable = config.attributes["engine"]
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
