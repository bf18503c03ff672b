"""Recording the audit trail: every flush notes what it wrote, the commit writes the notes.

``after_flush`` reads each new, changed and deleted record of a declared model by its attribute
history (so values the application computes in the same flush — numbers, fees — are part of the same
entry) and keeps one note per record; login, logout and approval steps add theirs with :func:`note`.
``before_commit`` appends the notes to the chain (``models/audit.py``) as the last statements of the
transaction: the change and its entries commit or fail together, whoever saves (forms, seed,
commands), and the chain's lock is held only for the moment before COMMIT. A rolled-back transaction
or savepoint drops its notes.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from functools import cache
from typing import Any

import click
from flask import current_app, has_request_context, request
from flask.cli import AppGroup
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, RelationshipProperty, Session, SessionTransaction, scoped_session
from sqlalchemy.orm.interfaces import MANYTOONE

from models.audit import AuditEntry, append, verify
from models.base import VERSION_COLUMNS, Base, Record, declared_model, declared_models
from models.search import SEARCH_COLUMN

#: Where a session keeps its notes until the commit: [(transaction, entry), …].
PENDING = "audit_pending"
#: Shown instead of a secret's value (password hashes and the like).
HIDDEN = "******"
SECRET_WORDS = ("password", "token", "secret")
#: Labels of what approval notes record, beside the register's own fields.
NOTE_LABELS = {"approval_status": "审批状态", "step": "签字栏", "opinion": "意见", "round": "轮次"}


# -- who, from where --------------------------------------------------------------------------------


def origin(user: Any = None, username: str | None = None) -> dict[str, Any]:
    """Who acts (the signed-in user unless given) and from which address and browser."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    who = {"user_id": getattr(user, "id", None),
           "username": username or getattr(user, "username", None) or "系统"}
    if has_request_context():
        who["remote_addr"] = request.remote_addr
        who["user_agent"] = request.user_agent.string or None
    return who


# -- values as text -----------------------------------------------------------------------------------


def as_text(value: Any) -> Any:
    """A value as the log keeps it: text (Decimal and dates in ISO form), a list as 、-joined text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return "、".join(str(as_text(v)) for v in value)
    return str(value)


@cache  # asked for every field of every saved row
def secret(name: str) -> bool:
    return any(word in name.lower() for word in SECRET_WORDS)


def put(changes: dict[str, list[Any]], name: str, old: Any, new: Any) -> None:
    old, new = as_text(old), as_text(new)
    if old == new or (old in (None, "") and new in (None, "")):
        return
    if secret(name):
        old, new = (HIDDEN if old else None), (HIDDEN if new else None)
    changes[name] = [old, new]


# -- what a flush changed -----------------------------------------------------------------------------


def audited(obj: Any) -> bool:
    return isinstance(obj, Base) and not isinstance(obj, AuditEntry) and hasattr(type(obj), "__register__")


@cache
def _links(mapper: Mapper[Any]) -> dict[str, tuple[RelationshipProperty[Any], str]]:
    """Many-to-one link name → (relationship, key of its one foreign-key attribute)."""
    out = {}
    for rel in mapper.relationships:
        if rel.direction is MANYTOONE and len(rel.local_columns) == 1:
            (column,) = rel.local_columns
            out[rel.key] = (rel, mapper.get_property_by_column(column).key)
    return out


def _linked(session: Session, rel: RelationshipProperty[Any], key: Any) -> Any:
    """The row a foreign key points at, as text, from the identity map only (never a query)."""
    if key is None:
        return None
    found = session.identity_map.get(rel.mapper.identity_key_from_primary_key([key]))
    return str(found) if found is not None else f"#{key}"


def _as_object(value: Any) -> Any:
    return str(value) if value is not None else None


def changes_of(session: Session, obj: Any, action: str) -> dict[str, list[Any]]:
    """Field → [old, new] as text: every value for 新建 and 删除, what changed for 编辑."""
    state = inspect(obj)
    mapper = state.mapper
    links = dict(_links(mapper))
    foreign_keys = {fk for _, fk in links.values()}
    parent = line_parents().get(type(obj))
    if parent is not None:  # the entry is filed under the parent already
        links.pop(parent[1])
    changes: dict[str, list[Any]] = {}
    for prop in mapper.column_attrs:
        key = prop.key
        if prop.columns[0].primary_key or key in foreign_keys or key in VERSION_COLUMNS | {SEARCH_COLUMN}:
            continue  # the save counter and its stamp repeat the entry's own who and when; the search text
            # repeats the other columns
        if action == "编辑":
            history = state.attrs[key].history
            if history.has_changes():
                put(changes, key, (history.deleted or [None])[0], (history.added or [None])[0])
        elif key in state.dict:
            value = state.dict[key]
            put(changes, key, *((None, value) if action == "新建" else (value, None)))
    for key, (rel, fk) in links.items():
        if action == "编辑":
            linked, column = state.attrs[key].history, state.attrs[fk].history
            if linked.added:  # set as an object (forms)
                put(changes, key, _as_object((linked.deleted or [None])[0]), _as_object(linked.added[0]))
            elif column.has_changes():  # set by its key (commands, hooks)
                old = _as_object(linked.unchanged[0]) if linked.unchanged else \
                    _linked(session, rel, (column.deleted or [None])[0])
                put(changes, key, old, _linked(session, rel, (column.added or [None])[0]))
            continue
        value = _as_object(state.dict[key]) if state.dict.get(key) is not None \
            else _linked(session, rel, state.dict.get(fk))
        put(changes, key, *((None, value) if action == "新建" else (value, None)))
    for rel in mapper.relationships:
        if rel.secondary is None:
            continue
        history = state.attrs[rel.key].history
        if action == "编辑":
            if history.has_changes():
                kept = list(history.unchanged)
                put(changes, rel.key, [str(v) for v in kept + list(history.deleted)],
                    [str(v) for v in kept + list(history.added)])
        elif state.dict.get(rel.key):
            items = [str(v) for v in state.dict[rel.key]]
            put(changes, rel.key, *((None, items) if action == "新建" else (items, None)))
    return changes


@cache
def line_parents() -> dict[type[Base], tuple[type[Base], str]]:
    """Line model → (its parent register, the line's link to it): lines are logged on their parent."""
    out = {}
    for model in declared_models():
        for relation in model.__register__.inline:
            child = inspect(model).relationships[relation].mapper.class_
            for key, (rel, _fk) in _links(inspect(child)).items():
                if rel.mapper.class_ is model:
                    out[child] = (model, key)
    return out


def name_of(obj: Any) -> str | None:
    """The document number, or the values of the columns that name the row; never a query."""
    state = inspect(obj)
    if isinstance(obj, Record):
        return state.dict.get("number")
    decl = type(obj).__register__
    columns = state.mapper.column_attrs
    names = [decl.title] if decl.title in columns else [k for k in decl.key if k in columns]
    return " ".join(str(state.dict[n]) for n in names if state.dict.get(n) is not None) or None


def subject(session: Session, obj: Any) -> dict[str, Any]:
    """The register, record and number an entry about ``obj`` is filed under (a line: its parent's)."""
    parent = line_parents().get(type(obj))
    if parent is None:
        return {"register": type(obj).__name__, "register_label": type(obj).__register__.label,
                "record_id": obj.id, "number": name_of(obj)}
    model, key = parent
    state = inspect(obj)
    owner = state.dict.get(key)
    if owner is None:
        fk = _links(state.mapper)[key][1]
        owner_id = state.dict.get(fk)
        owner = session.identity_map.get(inspect(model).identity_key_from_primary_key([owner_id]))
    else:
        owner_id = owner.id
    return {"register": model.__name__, "register_label": model.__register__.label, "record_id": owner_id,
            "number": name_of(owner) if owner is not None else None,
            "line_register": type(obj).__name__, "line_id": obj.id}


# -- notes, kept by the session until its commit -------------------------------------------------------


def _current(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def keep(session: Session, entry: dict[str, Any]) -> None:
    session.info.setdefault(PENDING, []).append((_current(session), entry))


def note(session: Session, action: str, *, record: Any = None, register: str | None = None,
         record_id: int | None = None, changes: dict[str, list[Any]] | None = None, user: Any = None,
         username: str | None = None) -> None:
    """Log an event that is not a row change (login, an approval step); written at the next commit."""
    if isinstance(session, scoped_session):
        session = session()
    model = declared_model(register)
    if record is None and model is not None and record_id is not None:
        record = session.get(model, record_id)
    entry = origin(user, username)
    if record is not None:
        entry |= subject(session, record)
    elif register is not None:
        entry |= {"register": register, "record_id": record_id,
                  "register_label": model.__register__.label if model else register}
    entry["action"] = action
    entry["changes"] = json.dumps({k: [as_text(o), as_text(n)] for k, (o, n) in (changes or {}).items()},
                                  ensure_ascii=False)
    keep(session, entry)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    who: dict[str, Any] | None = None
    for action, objects in (("新建", session.new), ("编辑", session.dirty), ("删除", session.deleted)):
        for obj in objects:
            if not audited(obj):
                continue
            changes = changes_of(session, obj, action)
            if action == "编辑" and not changes:
                continue
            who = who or origin()
            entry = who | subject(session, obj)
            entry |= {"action": action, "changes": json.dumps(changes, ensure_ascii=False)}
            keep(session, entry)


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    if session.in_nested_transaction():  # releasing a savepoint: its notes wait for the real commit
        return
    session.flush()  # the commit's own flush comes after this hook
    notes = session.info.pop(PENDING, None)
    if notes:
        append(session.connection(), [entry for _, entry in notes])


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous: SessionTransaction) -> None:
    """Drop the notes of a rolled-back transaction or savepoint (and of savepoints inside it)."""
    notes = session.info.get(PENDING)
    if not notes:
        return
    if previous.parent is None:
        session.info.pop(PENDING, None)
        return
    session.info[PENDING] = [(tx, e) for tx, e in notes if not _within(tx, previous)]


@event.listens_for(Session, "after_transaction_end")
def _end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


# -- flask --app admin_app audit verify ------------------------------------------------------------------

audit_cli = AppGroup("audit", help="审计日志。")


@audit_cli.command("verify")
def audit_verify() -> None:
    """逐条校验审计日志的哈希链:列出内容被改动、被删除或链接断开的记录,有问题时退出码为 1。"""
    session = current_app.extensions["db_session"]
    count, problems = verify(session.connection())
    session.rollback()
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"审计日志校验未通过:共 {count} 条,发现 {len(problems)} 处问题。", err=True)
        sys.exit(1)
    click.echo(f"OK 审计日志完整:共 {count} 条,哈希链校验通过。")
