"""Pages timed in-process through the Flask test client, and the floor: the same SQL run through Core.

Each case is requested a few times to warm up; the last warm-up runs with a ``before_cursor_execute``
listener that records every statement the page sent (its count is the page's ``queries``, leaving out
transaction control: BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE). The timed requests run without the
listener. The floor replays the recorded statements with their parameters on one Core connection
(``exec_driver_sql``, rows fetched), in one transaction, as many times as the page was requested.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_admin.contrib.sqla import filters as sqla_filters
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from bench.client import form_fields, replace
from models.base import Base
from models.front_desk import CallRecord
from models.keys import KeyLoan
from models.reference import User
from models.repairs import RepairOrder
from views import view_for
from views.deadlines import DeadlineStateFilter

TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
PAGE_SIZE = 20
DEEP_PAGE = 1000
#: The deepest page 10k rows have (offset 9,980): the page 1M rows are compared with 10k rows on, since
#: ``deep_page`` is page 1000 at 1M rows and the last page at 10k.
COMPARED_PAGE = 499
MIN_REPEAT = 5


@dataclass
class Register:
    """A big register and the columns its cases use."""

    short: str
    model: type[Base]
    name_column: str  # searched by a person's name
    date_column: str  # the date-range filter
    status: tuple[str, str]  # (filter's column or label, value)
    editable: Any = None  # extra condition on the record edited


REGISTERS = (
    Register("calls", CallRecord, "caller", "received_at", ("matter_type", "投诉")),
    Register("repairs", RepairOrder, "resident", "called_at", ("办理时限", "已超时")),
    Register("loans", KeyLoan, "borrower", "lent_at", ("办理时限", "按时完成"),
             editable=KeyLoan.emergency.is_(False) & KeyLoan.returned_at.is_not(None)),
)


@dataclass
class Case:
    name: str
    kind: str  # which target applies: list, deep, search, status, dates, edit, save, details, inbox, board
    user: str
    url: str
    form: Callable[[int], dict[str, str]] | None = None  # a POST: the fields changed on the i-th request
    note: str = ""


@dataclass
class Timing:
    kind: str
    median_ms: float
    floor_ms: float | None
    queries: int
    repeat: int
    note: str = ""
    statements: list[tuple[str, Any, bool]] = field(default_factory=list, repr=False)
    durations: list[tuple[float, str]] = field(default_factory=list, repr=False)

    @property
    def ratio(self) -> float | None:
        return self.median_ms / self.floor_ms if self.floor_ms else None


class Recorder:
    """Records the statements sent through an engine while ``on``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.on = False
        self.statements: list[tuple[str, Any, bool]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if self.on:
            self.statements.append((statement, parameters, executemany))

    def __enter__(self) -> Recorder:
        self.statements = []
        self.on = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.on = False


def counted(statements: list[tuple[str, Any, bool]]) -> list[tuple[str, Any, bool]]:
    return [s for s in statements if not TRANSACTION_CONTROL.match(s[0])]


def replay(engine: sa.Engine, statements: list[tuple[str, Any, bool]],
           durations: list[tuple[float, str]] | None = None) -> None:
    """Run the page's statements again through Core: same SQL, same parameters, every row fetched, in one
    transaction that is rolled back. A write runs in a savepoint of its own: an INSERT of a row the page
    already wrote (an audit entry's id) fails as fast as it would succeed, and the rest goes on. The
    connection's own BEGIN (SQLite: BEGIN IMMEDIATE) stands for the page's. ``durations`` receives
    (ms, statement) for each statement."""
    with engine.connect() as conn:
        for statement, parameters, _many in statements:
            if TRANSACTION_CONTROL.match(statement):
                continue
            started = time.perf_counter()
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                conn.exec_driver_sql(statement, parameters).fetchall()
            else:
                savepoint = conn.begin_nested()
                try:
                    conn.exec_driver_sql(statement, parameters)
                except sa.exc.IntegrityError:
                    savepoint.rollback()
                else:
                    savepoint.commit()
            if durations is not None:
                durations.append(((time.perf_counter() - started) * 1000, statement))
        conn.rollback()


def sign_in(app: Flask, username: str) -> FlaskClient:
    """A client signed in through Flask-Login's session contract (as ``tests/conftest.py`` ``as_user``)."""
    from admin_app.sessions import open_session

    client = app.test_client()
    with app.app_context():
        db = app.extensions["db_session"]
        user = db.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise LookupError(f"no demo user {username}")
        token = open_session(db, user, "127.0.0.1", app.permanent_session_lifetime)
        db.commit()
        db.remove()
    with client.session_transaction() as s:
        s["_user_id"] = token
        s["_fresh"] = True
    return client


def filter_arg(view: Any, column_or_label: str, operation: type | str) -> str:
    """Flask-Admin's URL argument (``flt1_<n>``) of the view's filter on that column."""
    for index, flt in enumerate(view._filters):
        column = getattr(getattr(flt, "column", None), "key", None)
        matches_column = column_or_label in (column, str(flt.name))
        matches_op = (type(flt).__name__ == operation if isinstance(operation, str)
                      else isinstance(flt, operation))
        if matches_column and matches_op:
            return f"flt1_{view.get_filter_arg(index, flt)}"
    names = [(type(f).__name__, getattr(getattr(f, 'column', None), 'key', f.name)) for f in view._filters]
    raise LookupError(f"{view.endpoint}: no {operation} filter on {column_or_label}; filters: {names}")


def register_cases(app: Flask, reg: Register, rows: int) -> list[Case]:
    view = view_for(app.extensions["kefu_admin"], reg.model)
    base = f"/admin/{reg.model.__tablename__}/"
    session = app.extensions["db_session"]
    model = reg.model
    with app.app_context():
        count = session.scalar(sa.select(sa.func.count()).select_from(model))
        middle = sa.select(model).order_by(model.id).offset(count // 2).limit(1)
        record = session.scalar(middle.where(reg.editable) if reg.editable is not None else middle)
        name = getattr(record, reg.name_column)
        moment = getattr(record, reg.date_column)
        record_id = record.id
        session.remove()
    last = max(0, (count - 1) // PAGE_SIZE)
    deep, compared = min(DEEP_PAGE, last), min(COMPARED_PAGE, last)
    dates = filter_arg(view, reg.date_column, "DateTimeBetweenFilter")
    week = f"{moment - dt.timedelta(days=7):%Y-%m-%d %H:%M:%S} to {moment:%Y-%m-%d %H:%M:%S}"
    edit = f"{base}edit/?id={record_id}&url={base}"
    s = reg.short
    return [
        Case(f"{s}.list", "list", "clerk", base),
        Case(f"{s}.deep_page", "deep", "clerk", f"{base}?page={deep}",
             note="" if deep == DEEP_PAGE else f"last page {deep} (offset {deep * PAGE_SIZE})"),
        Case(f"{s}.page_500", "deep", "clerk", f"{base}?page={compared}",
             note=f"offset {compared * PAGE_SIZE:,}"),
        Case(f"{s}.search_name", "search", "clerk", f"{base}?search={name}"),
        Case(f"{s}.filter_status", "status", "clerk", status_url(view, reg)),
        Case(f"{s}.filter_dates", "dates", "clerk", f"{base}?{dates}={week}"),
        Case(f"{s}.edit_form", "edit", "clerk", edit),
        Case(f"{s}.save", "save", "clerk", edit, form=lambda i: {"remarks": f"基准测试修改 {i}"}),
        Case(f"{s}.details", "details", "clerk", f"{base}details/?id={record_id}"),
    ]


def cases(app: Flask, rows: int) -> list[Case]:
    """The register pages and the board, measured before the approval backlog is loaded."""
    return [*(c for reg in REGISTERS for c in register_cases(app, reg, rows)),
            Case("board_no_backlog", "board", "head", "/admin/board/")]


def backlog_cases() -> list[Case]:
    """Pages measured with the approvals pending: the inbox, the board, and a list page again (every page's
    navigation bar counts the signed-in user's pending approvals)."""
    return [Case("inbox", "inbox", "head", "/admin/inbox/"), Case("board", "board", "head", "/admin/board/"),
            Case("calls.list_with_backlog", "list", "clerk", "/admin/call_records/")]


def status_url(view: Any, reg: Register) -> str:
    column, value = reg.status
    operation = DeadlineStateFilter if column == "办理时限" else sqla_filters.FilterEqual
    return f"/admin/{reg.model.__tablename__}/?{filter_arg(view, column, operation)}={value}"


def overdue_cases(app: Flask) -> list[Case]:
    """Pages measured with the overdue backlog (``load.reopen_overdue``): the 已超时 filter and the board."""
    repairs = next(reg for reg in REGISTERS if reg.model is RepairOrder)
    view = view_for(app.extensions["kefu_admin"], RepairOrder)
    return [Case(f"{repairs.short}.filter_status_overdue_backlog", "status", "clerk",
                 status_url(view, repairs)),
            Case("board_overdue_backlog", "board", "head", "/admin/board/")]


class Runner:
    def __init__(self, app: Flask, repeat: int, budget: float = 0, warmup: int = 2) -> None:
        self.app = app
        self.budget = budget
        self.engine = app.extensions["engine"]
        self.recorder = Recorder(self.engine)
        self.repeat = repeat
        self.warmup = warmup
        self.clients: dict[str, FlaskClient] = {}

    def client(self, user: str) -> FlaskClient:
        if user not in self.clients:
            self.clients[user] = sign_in(self.app, user)
        return self.clients[user]

    def request(self, case: Case, i: int, form: list[tuple[str, str]] | None) -> float:
        client = self.client(case.user)
        if form is not None:  # as a user does: open the form, then save (it carries the version it shows)
            form = self.form_of(case)
        started = time.perf_counter()
        response = (client.get(case.url) if form is None
                    else client.post(case.url, data=MultiDict(replace(form, **case.form(i)))))  # type: ignore[misc]
        body = response.get_data()
        elapsed = time.perf_counter() - started
        expected = 302 if form is not None else 200
        if response.status_code != expected:
            text = body.decode("utf-8", "replace")
            errors = re.findall(r'<li>([^<]+)</li>', text)  # the form's messages
            raise AssertionError(f"{case.name}: {case.url} answered {response.status_code}, "
                                 f"expected {expected}; {errors[:5]}")
        response.close()
        return elapsed * 1000

    def form_of(self, case: Case) -> list[tuple[str, str]] | None:
        if case.form is None:
            return None
        fields = form_fields(self.client(case.user).get(case.url).get_data(as_text=True))
        if not fields:
            raise AssertionError(f"{case.name}: the edit page has no admin form")
        return fields

    def measure(self, case: Case) -> Timing:
        form = self.form_of(case)
        first = max(self.request(case, i, form) for i in range(self.warmup - 1))
        with self.recorder as rec:
            self.request(case, self.warmup, form)
        statements = rec.statements
        repeat = self.repeat
        if self.budget and first * repeat > self.budget * 1000:  # a page of seconds: fewer requests
            repeat = max(MIN_REPEAT, int(self.budget * 1000 / first))
        times = [self.request(case, self.warmup + 1 + i, form) for i in range(repeat)]
        floor = None
        durations = []
        note = case.note
        try:
            replay(self.engine, statements)
            floors = []
            for _ in range(repeat):
                started = time.perf_counter()
                replay(self.engine, statements)
                floors.append((time.perf_counter() - started) * 1000)
            floor = statistics.median(floors)
            durations: list[tuple[float, str]] = []
            replay(self.engine, statements, durations)
        except sa.exc.DBAPIError as exc:  # a statement that cannot run twice (none expected)
            note = (note + "; " if note else "") + f"floor not replayable: {type(exc.orig).__name__}"
        return Timing(kind=case.kind, median_ms=statistics.median(times), floor_ms=floor,
                      queries=len(counted(statements)), repeat=repeat, note=note, statements=statements,
                      durations=durations)
