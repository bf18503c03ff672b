"""Index-backed search of the large registers (``Register(large=True)``).

A large register keeps its searchable columns, lower-cased, in one ``search_text`` column, which a trigram
index covers: ``pg_trgm`` GIN on PostgreSQL, an FTS5 ``trigram`` table on SQLite (migration 0015). A
search term becomes ``LIKE '%term%'`` on that column, which both indexes answer.

Trigrams need three characters, and the commonest Chinese names have two (张伟). So every character is
written twice: ``张伟`` → ``张张伟伟``, whose trigrams the index holds. Doubling keeps substrings exact:
``a`` contains ``b`` exactly when ``doubled(a)`` contains ``doubled(b)`` (a match at an odd offset needs a
run of one character at least as long as ``b``, which then contains ``b`` too). The fields are joined by a
line break, which a search term never holds, so no match spans two fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

#: The column holding a large register's searchable text.
SEARCH_COLUMN = "search_text"
SEPARATOR = "\n"
LIKE_ESCAPE = "\\"


def fts_table(table: str) -> str:
    """The SQLite FTS5 table indexing ``table.search_text``."""
    return f"{table}_search"


def is_search_index(name: str) -> bool:
    """Is this table or index one of the search indexes the migration builds beside the models (the FTS5
    table ``call_records_search`` and its shadow tables, the GIN index ``ix_call_records_search_text``)?"""
    return name.endswith("_search_text") or ("_search" in name and name.rsplit("_search", 1)[1] in (
        "", "_data", "_idx", "_content", "_docsize", "_config"))


def doubled(text: str) -> str:
    return "".join(ch + ch for ch in text.lower())


def search_text(values: Iterable[Any]) -> str:
    """The ``search_text`` of a row whose searchable columns hold ``values``."""
    return SEPARATOR.join(doubled(str(v)) for v in values if v is not None and str(v) != "")


def row_search_text(row: Mapping[str, Any] | Any, columns: Iterable[str]) -> str:
    """``search_text`` of an object or a mapping of column values (bulk inserts); ``key.label`` is the
    label of the row's ``key``."""
    return search_text(row.get(name) if isinstance(row, Mapping) else _path(row, name) for name in columns)


def _path(obj: Any, name: str) -> Any:
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def condition(model: type[Any], term: str, dialect: str) -> sa.ColumnElement[bool]:
    """Rows of ``model`` whose searchable text contains ``term``, answered by the trigram index.

    On SQLite the FTS5 table answers a phrase of the doubled term (its trigrams in a row: the term as a
    substring); FTS5 does not use its index for ``LIKE … ESCAPE``. A one-character term has no trigram
    and is looked for row by row.
    """
    needle = doubled(term.replace(SEPARATOR, " "))
    if dialect == "sqlite" and len(needle) >= 3:
        fts = fts_table(model.__tablename__)
        phrase = '"' + needle.replace('"', '""') + '"'
        ids = sa.select(sa.literal_column("rowid")).select_from(sa.table(fts)).where(
            sa.literal_column(fts).op("MATCH")(phrase))
        return model.id.in_(ids)
    return getattr(model, SEARCH_COLUMN).like(like_pattern(term), escape=LIKE_ESCAPE)


def like_pattern(term: str) -> str:
    """The ``LIKE`` pattern (escape ``\\``) matching rows whose searchable text contains ``term``."""
    needle = doubled(term.replace(SEPARATOR, " "))
    escaped = "".join(LIKE_ESCAPE + ch if ch in "%_\\" else ch for ch in needle)
    return f"%{escaped}%"
