"""Alembic environment: the app hands over its engine; models give the target metadata."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import models
from models.search import is_search_index

config = context.config
target_metadata = models.Base.metadata


def run_migrations() -> None:
    connectable = config.attributes["engine"]
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # batch mode rebuilds a table by DROP and RENAME, which rows of other tables refer to
            foreign_keys(connection, on=False)
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_object=lambda obj, name, kind, reflected, compare_to: not is_search_index(name or ""),
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("迁移后有记录引用了不存在的行(PRAGMA foreign_key_check),已回滚")
            connection.commit()
        finally:
            if sqlite:
                foreign_keys(connection, on=True)


def foreign_keys(connection: Connection, *, on: bool) -> None:
    """SQLite ignores this pragma inside a transaction: send it on the driver's connection, which
    begins none (admin_app/database.py sets isolation_level None)."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


run_migrations()
