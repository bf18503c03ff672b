"""The 办理时限 column and filter every register with declared deadlines gets on its list page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from markupsafe import Markup, escape

from admin_app.clock import now
from admin_app.rules.deadlines import DONE, DONE_LATE, DUE_SOON, NORMAL, OVERDUE, STATES, describe_late, state
from models.deadlines import DueItem
from views import paging

BADGE = {OVERDUE: "danger", DUE_SOON: "warning", NORMAL: "secondary", DONE: "success", DONE_LATE: "dark"}


def condition(wanted: str, at: Any) -> sa.ColumnElement[bool]:
    """SQL for due items in state ``wanted`` at ``at`` (the same rule as ``rules.deadlines.state``)."""
    open_ = DueItem.done_at.is_(None)
    return {
        OVERDUE: sa.and_(open_, DueItem.due_at <= at),
        DUE_SOON: sa.and_(open_, DueItem.due_at > at, DueItem.warn_from <= at),
        NORMAL: sa.and_(open_, DueItem.warn_from > at),
        DONE: DueItem.done_at <= DueItem.due_at,
        DONE_LATE: DueItem.done_at > DueItem.due_at,
    }[wanted]


class DeadlineStateFilter(BaseSQLAFilter):
    """Records with at least one deadline in the chosen state.

    Open states (已超时, 即将到期, 正常) are few whatever the size of the register: the filter is a
    semi-join ``id IN (SELECT record_id FROM due_items WHERE register = … AND done_at IS NULL AND
    due_at …)``, a range of the index ``ix_due_items_state`` that is read alone (it covers the columns);
    where a centre lets them pile up, the page walks its order instead (``paging.walkable``).
    Done states (按时完成, 超时完成) hold most records: the list walks its own order (an index on the
    sorted column) and looks each record up in ``uq_due_items_record_deadline`` until the page is full,
    so the first page costs the same at ten thousand and a million rows (an ``IN`` would first collect
    every done record of the register)."""

    def __init__(self, model: type[Any]) -> None:
        super().__init__(model.id, "办理时限", options=[(s, s) for s in STATES])
        self.register = model.__name__

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        if value not in STATES:  # a hand-made URL: show nothing rather than fail
            return query.filter(sa.false())
        at = now()
        wanted = [DueItem.register == self.register, condition(value, at)]
        if value in (DONE, DONE_LATE):
            return query.filter(sa.exists().where(DueItem.record_id == self.column, *wanted))
        if value == NORMAL:  # due_at ≥ warn_from (a deadline warns before it is due): bounds the index range
            wanted.append(DueItem.due_at > at)
        return query.filter(paging.walkable(self.column.in_(sa.select(DueItem.record_id).where(*wanted))))

    def operation(self) -> str:
        return "为"


def remember_deadlines(register: str, items: dict[int, list[DueItem]]) -> None:
    """The due items of one list page (loaded with its rows, by due time), by record id, for the column
    formatter."""
    cache = g.setdefault("due_items", {})
    for record_id, mine in items.items():
        cache[(register, record_id)] = mine


def deadline_column(view: Any, context: Any, model: Any, name: str) -> Markup:
    at = now()
    parts = []
    for item in g.get("due_items", {}).get((view.resource, model.id), []):
        current = state(item.due_at, item.done_at, at, item.due_at - item.warn_from)
        hint = describe_late(item.due_at, at) if item.done_at is None else f"应办结 {item.due_at:%m-%d %H:%M}"
        parts.append(Markup('<span class="badge badge-{}" title="{}:{}">{}</span>').format(
            BADGE[current], escape(item.deadline), escape(hint), current))
    return Markup(" ").join(parts)
