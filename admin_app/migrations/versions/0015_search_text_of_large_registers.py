"""trigram-indexed search text of the large registers (call log, repair orders, key loans)

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.search import fts_table, row_search_text

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Table → (the SQL of its searched values by id, their column names), as the models declare them.
TABLES = {
    "call_records": ("SELECT id, number, caller, phone, address, content FROM call_records",
                     ("number", "caller", "phone", "address", "content")),
    "repair_orders": ("SELECT id, number, resident, phone, address, content FROM repair_orders",
                      ("number", "resident", "phone", "address", "content")),
    "key_loans": ("SELECT l.id, l.number, l.borrower, l.purpose, k.label FROM key_loans l "
                  "JOIN keys k ON k.id = l.key_id", ("number", "borrower", "purpose", "key.label")),
}


def upgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, (query, columns) in TABLES.items():
        op.add_column(table, sa.Column("search_text", sa.Text(), server_default="", nullable=False))
        rows = bind.execute(sa.text(query)).all()
        if rows:
            bind.execute(sa.text(f"UPDATE {table} SET search_text = :text WHERE id = :id"),
                         [{"id": r[0], "text": row_search_text(dict(zip(columns, r[1:], strict=True)), columns)}
                          for r in rows])
        if postgresql:
            op.execute(f"CREATE INDEX ix_{table}_search_text ON {table} USING gin (search_text gin_trgm_ops)")
        else:
            create_sqlite_index(table)


def create_sqlite_index(table: str) -> None:
    """An FTS5 trigram index over ``table.search_text`` (external content), kept by triggers."""
    fts = fts_table(table)
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
               "tokenize='trigram')")
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
               f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END")
    op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
               f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgresql:
            op.execute(f"DROP INDEX ix_{table}_search_text")
        else:
            fts = fts_table(table)
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {fts}_{trigger}")
            op.execute(f"DROP TABLE {fts}")
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("search_text")
