"""A list page in one statement: the page's ids first, then its rows with their badges.

Flask-Admin pages with ``ORDER BY … LIMIT … OFFSET`` on the query that also LEFT OUTER JOINs every
eagerly loaded link (room, engineer, the recorder's department …), so a deep page joins every row it
skips. Here the sorted, filtered and scoped query selects only the id and its sort keys, paginated, as
a subquery (a deferred join); the rows, their links, their approval (审批状态) and their due items
(办理时限) are joined to the page's ids alone, in the same statement::

    SELECT record, links, approval, due items
    FROM (SELECT id, sort keys FROM record … WHERE … ORDER BY … LIMIT … OFFSET …) AS page
    JOIN record ON record.id = page.id LEFT OUTER JOIN … ORDER BY page.sort keys

The page is then the same rows in the same order, whatever the page number or page size, in one
statement instead of one for the rows and one per badge column.

A filter written as a semi-join (``id IN (SELECT record_id FROM …)``) may mark itself :func:`walkable`.
SQLite lets such a condition drive the query: it fetches every match, then sorts them all to cut the page,
which costs as much as there are matches (20,000 overdue repair orders: 45 ms). When the page's bounded
count says the matches are many (:class:`views.counting.AtLeast`), the page instead walks the index of
its sort column and tests each row against the matches, stopping when the page is full
(:func:`walk_along_order`); few matches keep the first plan, where walking would read the whole index.

A date range (``BETWEEN``) on another date column than the one sorted on is the opposite case. PostgreSQL
may walk the sort column's index and test each row against the range, guessing the matches are spread evenly
along it; but the dates of one record go together (a call is recorded when it comes in), so a week of last
year lies half a million rows down that index (249 ms at 1M rows, against 2 ms through the range's own
index). Which plan it takes flips with each ANALYZE's sample. Such a page sorts on ``coalesce(key, key)``
(:func:`sorted_apart`): the same order, but no index serves it, so the range's index finds the matches and
only they are sorted. A bound on one side alone keeps the planner's choice: its matches may be half the
table, and sorting them cost SQLite more than walking (calls before a day of last year, 1M rows: 229
against 182 ms), while PostgreSQL chose to sort them by itself (129 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Load, Query
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, UnaryExpression

from models.approval import Approval
from models.deadlines import DueItem

#: The wrappers Flask-Admin's sorting (or a view's own ``order_by``) puts around a sort key.
DIRECTIONS: dict[Any, Callable[[Any], Any]] = {
    operators.desc_op: sa.desc,
    operators.asc_op: sa.asc,
    operators.nulls_first_op: sa.nulls_first,
    operators.nulls_last_op: sa.nulls_last,
}


#: Annotation of a walkable semi-join condition (see the module's docstring).
WALKABLE = "kefu_walkable"


def walkable(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """``column IN (SELECT …)`` that the page may test row by row along its order instead."""
    return condition._annotate({WALKABLE: True})


def walk_along_order(statement: sa.Select[Any]) -> sa.Select[Any]:
    """``statement`` with its walkable conditions written ``column + 0 IN (…)``: the same rows, but no
    index on the column can serve them, so SQLite walks the ORDER BY's index and tests each row."""

    def replace(element: Any) -> Any:
        if isinstance(element, BinaryExpression) and element._annotations.get(WALKABLE):
            return BinaryExpression(element.left + sa.literal_column("0"), element.right, element.operator)
        return None

    return visitors.replacement_traverse(statement, {}, replace)


def sorted_apart(statement: sa.Select[Any], table: sa.Table,
                 keys: list[tuple[Any, list[Callable[[Any], Any]]]]) -> sa.Select[Any]:
    """``statement`` sorted on ``coalesce(key, key)`` where a ``BETWEEN`` bounds a date column of ``table``
    other than its first sort key (see the module's docstring); else unchanged. Conditions inside subqueries
    (the due items of a 办理时限 filter) are not on the table's own columns and do not count."""
    if not keys or statement.whereclause is None:
        return statement
    bounds = [element for element in visitors.iterate(statement.whereclause)
              if isinstance(element, BinaryExpression) and element.operator is operators.between_op
              and isinstance(element.left, sa.Column) and element.left.table is table
              and isinstance(element.left.type, sa.Date | sa.DateTime)]
    if all(bound.left.compare(keys[0][0]) for bound in bounds):
        return statement
    return statement.order_by(None).order_by(*(directed(sa.func.coalesce(key, key), wrappers)
                                               for key, wrappers in keys))


def directed(column: Any, wrappers: list[Callable[[Any], Any]]) -> Any:
    """``column`` in a sort key's directions (:func:`sort_keys`), applied from the inside out."""
    for wrap in wrappers:
        column = wrap(column)
    return column


def sort_keys(query: Query[Any]) -> list[tuple[Any, list[Callable[[Any], Any]]]]:
    """The query's ORDER BY as (sort key, its directions from the inside out)."""
    keys = []
    for clause in query._order_by_clauses:  # no public accessor; Flask-Admin's _apply_sorting fills it
        wrappers = []
        while isinstance(clause, UnaryExpression) and clause.modifier in DIRECTIONS:
            wrappers.append(DIRECTIONS[clause.modifier])
            clause = clause.element
        keys.append((clause, wrappers[::-1]))
    return keys


def page_statement(query: Query[Any], model: type[Any], register: str, approvals: bool, deadlines: bool,
                   walk: bool = False) -> sa.Select[Any]:
    """``query`` (Flask-Admin's list query, sorted and paginated) as a deferred join that selects the
    records of its page, with their :class:`Approval` and :class:`DueItem` rows when asked (outer joins:
    ``None`` for a record without). ``walk``: see :func:`walk_along_order`."""
    keys = sort_keys(query)
    ids = query.with_entities(model.id.label("page_id"),
                              *(key.label(f"sort_{i}") for i, (key, _) in enumerate(keys))).statement
    page = sorted_apart(walk_along_order(ids) if walk else ids, model.__table__, keys).subquery("page")
    order = [directed(page.c[f"sort_{i}"], wrappers) for i, (_, wrappers) in enumerate(keys)]
    statement = (sa.select(model).select_from(page).join(model, model.id == page.c.page_id)
                 .order_by(*order, page.c.page_id))
    for wanted, entity in ((approvals, Approval), (deadlines, DueItem)):
        if wanted:  # their own links (and an approval's signatures) are not shown in the list: left unloaded
            on = sa.and_(entity.register == register, entity.record_id == model.id)
            statement = (statement.add_columns(entity).outerjoin(entity, on)
                         .options(Load(entity).lazyload("*")))
    if deadlines:
        statement = statement.order_by(DueItem.due_at)
    return statement


def split_rows(rows: Any, approvals: bool, deadlines: bool
               ) -> tuple[list[Any], dict[int, Approval], dict[int, list[DueItem]]]:
    """The records of ``page_statement``'s rows in order, each once; their approvals and due items by id."""
    records: dict[int, Any] = {}
    by_record: dict[int, Approval] = {}
    items: dict[int, list[DueItem]] = {}
    for row in rows:
        record = row[0]
        records.setdefault(record.id, record)
        approval = row[1] if approvals else None
        if approval is not None:
            by_record[record.id] = approval
        if deadlines:
            mine = items.setdefault(record.id, [])
            if row[-1] is not None and row[-1] not in mine:
                mine.append(row[-1])
    return list(records.values()), by_record, items
