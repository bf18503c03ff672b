"""办理时限 and 日清日审: one row per record and declared :class:`~models.base.Deadline`, kept by the
flush that saves the record, so lists, filters and the board read one indexed table.

The rows are written with Core statements on the flush's own connection: they commit or fail with
the record, and a record saved from a form, the seed or a command gets them alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, inspect, text
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column, object_session

from admin_app.clock import now
from admin_app.rules.deadlines import as_datetime, due_at
from models.base import Base, Deadline, Record, Register, Scope, field, link
from models.reference import Department, User


class DueItem(Base):
    __tablename__ = "due_items"
    __register__ = Register(
        label="办理时限",
        group="S",
        source="001 1.2, 4.2.3; 000 (四)2; 002 回访要求",
        kind="register",
        readonly=True,
        help="各登记表的办理时限(5分钟内派单、钥匙当日归还、当天调查、3日内回访……),由登记表保存时自动生成;"
             "未办结的事项列在首页的日清日审看板上。",
        list_columns=("register_label", "number", "title", "deadline", "due_at", "done_at", "owner",
                      "department"),
        search=("title", "number", "deadline"),
        filters=("register_label", "deadline", "due_at", "done_at", "department.name"),
        title="title",
        scope=Scope(follows=("register", "record_id")),
    )
    __table_args__ = (
        UniqueConstraint("register", "record_id", "deadline", name="uq_due_items_record_deadline"),
        # Items done in a period (the board's 今日办结; a past day's board). Partial, so that a query for the
        # open ones (done_at IS NULL) is left to the board's index below, which also holds what it counts.
        Index("ix_due_items_done", "done_at", "due_at", postgresql_where=text("done_at IS NOT NULL"),
              sqlite_where=text("done_at IS NOT NULL")),
        # The board: open items in due order, counted by state and department, read from the index alone.
        Index("ix_due_items_open_board", "due_at", "id", "warn_from", "department_id", "register",
              "record_id", postgresql_where=text("done_at IS NULL"), sqlite_where=text("done_at IS NULL")),
        # The 办理时限 filter of one register's list: its open items by due time, read from the index alone.
        # With department_id, the board's counts over some registers read it alone too (SQLite takes it then).
        Index("ix_due_items_state", "register", "done_at", "due_at", "warn_from", "record_id",
              "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = field("登记表代号", String(60))
    register_label: Mapped[str] = field("登记表", String(60))
    record_id: Mapped[int] = field("记录")
    number: Mapped[str | None] = field("单据编号", String(60))
    title: Mapped[str] = field("事项", String(200))
    deadline: Mapped[str] = field("时限要求", String(100))
    starts_at: Mapped[dt.datetime] = field("起算时间")
    due_at: Mapped[dt.datetime] = field("应办结时间")
    warn_from: Mapped[dt.datetime] = field("提醒时间", help="此时起显示为即将到期")
    done_at: Mapped[dt.datetime | None] = field("办结时间")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    owner: Mapped[User | None] = link("首问责任人", owner_id)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    department: Mapped[Department | None] = link("部门", department_id)


class DayReview(Record, Base):
    __tablename__ = "day_reviews"
    __register__ = Register(
        label="日清日审记录",
        group="A",
        prefix="RQRS",
        source="001 1.2",
        readonly=True,
        help="业主的报修、投诉、求助事项每天清理汇总,检查是否都已按时限处理、有无遗漏;未处理完的日日跟踪。"
             "由部门主管在首页的日清日审看板上签核,记下当天仍未办结的事项。",
        list_columns=("day", "department", "recorded_by", "open_count", "overdue_count", "recorded_at"),
        search=("summary",),
        filters=("day", "department.name"),
        key=("day", "department"),
        title="day",
    )
    __table_args__ = (UniqueConstraint("day", "department_id", name="uq_day_reviews_day_department"),)

    day: Mapped[dt.date] = field("审核日期", index=True)
    open_count: Mapped[int] = field("未办结事项数")
    overdue_count: Mapped[int] = field("其中已超时")
    done_count: Mapped[int] = field("当天办结事项数")
    summary: Mapped[str] = field("未办结事项", Text, help="签核时仍未办结的事项:登记表、编号、时限、责任人")


def _resolve(obj: Any, path: str) -> Any:
    value = obj
    for name in path.split("."):
        if value is None:
            return None
        value = getattr(value, name)
    return value


def _owner_id(obj: Any, link_name: str) -> int | None:
    rel = inspect(type(obj)).relationships.get(link_name)
    if rel is None:
        return None
    (column,) = rel.local_columns
    return getattr(obj, column.key)


def _done_at(value: Any, previous: Any, start: dt.datetime, at: dt.datetime) -> dt.datetime | None:
    """When the matter was done: the value itself when it is a time or date; otherwise the save that
    first filled it (a record entered already done, e.g. a complaint verified as it was taken, counts as
    done when the matter started)."""
    if value is None or value == "" or value is False:
        return None
    if isinstance(value, dt.date):
        return as_datetime(value)
    if previous is None:
        return start
    return previous.done_at or at


def matters(obj: Any, previous: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The due-item rows ``obj``'s declared deadlines give now (``previous``: its rows so far, by label)."""
    previous = previous or {}
    decl: Register = type(obj).__register__
    at = now()
    with object_session(obj).no_autoflush:  # type: ignore[union-attr]
        rows = []
        for d in decl.deadlines:
            start = _resolve(obj, d.start)
            if start is None:
                continue
            due = due_at(start, d.offset, d.day_end, d.months)
            old = previous.get(d.label)
            rows.append({
                "register": type(obj).__name__,
                "register_label": decl.label,
                "record_id": obj.id,
                "number": getattr(obj, "number", None),
                "title": str(obj)[:200],
                "deadline": d.label,
                "starts_at": as_datetime(start),
                "due_at": due,
                "warn_from": due - d.warn,
                "done_at": _done_at(_resolve(obj, d.done), old, as_datetime(start), at),
                "owner_id": old.owner_id if old is not None else _owner_id(obj, d.owner),
                "department_id": getattr(obj, "department_id", None),
            })
    return rows


def _has_deadlines(model: type[Any]) -> tuple[Deadline, ...]:
    decl = model.__dict__.get("__register__")
    return tuple(decl.deadlines) if decl else ()


def sync(connection: sa.Connection, obj: Any) -> None:
    """Make ``obj``'s due-item rows match its deadlines (the owner stays who it was)."""
    table = DueItem.__table__
    mine = (table.c.register == type(obj).__name__) & (table.c.record_id == obj.id)
    previous = {r.deadline: r for r in connection.execute(sa.select(table).where(mine))}
    rows = matters(obj, previous)
    for row in rows:
        old = previous.pop(row["deadline"], None)
        if old is None:
            connection.execute(table.insert().values(**row))
        elif any(getattr(old, k) != v for k, v in row.items()):
            connection.execute(table.update().where(table.c.id == old.id).values(**row))
    for gone in previous.values():  # a deadline whose start was cleared
        connection.execute(table.delete().where(table.c.id == gone.id))


#: ``session.info`` key of the due-item rows of the records a flush inserts, written together at its end.
NEW_ROWS = "deadlines.new_rows"


@event.listens_for(Session, "before_flush")
def _start(session: Session, _context: Any, _instances: Any) -> None:
    session.info.pop(NEW_ROWS, None)  # left by a flush that failed


@event.listens_for(Base, "after_insert", propagate=True)
def _inserted(_mapper: Mapper[Any], _connection: sa.Connection, target: Any) -> None:
    # A new record has no rows yet (a deleted record's rows go with it): nothing to read, and one
    # INSERT for the whole flush however many records it writes.
    if _has_deadlines(type(target)):
        object_session(target).info.setdefault(NEW_ROWS, []).extend(matters(target))  # type: ignore[union-attr]


@event.listens_for(Session, "after_flush")
def _write_new(session: Session, _context: Any) -> None:
    rows = session.info.pop(NEW_ROWS, None)
    if rows:
        session.connection().execute(DueItem.__table__.insert(), rows)


@event.listens_for(Base, "after_update", propagate=True)
def _saved(_mapper: Mapper[Any], connection: sa.Connection, target: Any) -> None:
    if _has_deadlines(type(target)):
        sync(connection, target)


@event.listens_for(Base, "after_delete", propagate=True)
def _deleted(_mapper: Mapper[Any], connection: sa.Connection, target: Any) -> None:
    if _has_deadlines(type(target)):
        table = DueItem.__table__
        connection.execute(table.delete().where((table.c.register == type(target).__name__)
                                                & (table.c.record_id == target.id)))


def rebuild(session: Any) -> int:
    """Recompute every declared register's rows (after a migration or a change of declarations)."""
    from models.base import declared_models

    count = 0
    connection = session.connection()
    for model in declared_models():
        if not _has_deadlines(model):
            continue
        for obj in session.scalars(sa.select(model)):
            sync(connection, obj)
            count += 1
    return count
