"""Row scope (issue 6.4): which rows of a register a user may see and change.

A register declares whose its rows are with ``Register(scope=Scope(...))`` (``models/base.py``).
:func:`scope_filter` turns that declaration into one SQL condition; every reader of rows (the list,
its count, details, edit, delete, list actions, export, link pickers, the 日清日审 board, 办理时限)
filters by it, so a row is hidden the same way everywhere. A user sees a row of a scoped register when

- the matrix grants one of their roles 全部门 (``all``) on the register, or
- the row is in their department (and, for users assigned buildings, in one of their buildings), or
- they recorded it, or
- (reading only) an approval chain names them: the row waits for their signature or they signed it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_login import current_user
from sqlalchemy.orm import Session

from admin_app import approvals
from admin_app.permissions import can, permissions_of
from models.approval import Approval, Signature
from models.base import Scope, declared_model, declared_models
from models.reference import ALL_ROWS, Building, Department, User

Condition = sa.ColumnElement[bool]


def scope_of(model: type[Any]) -> Scope | None:
    decl = model.__dict__.get("__register__")
    return decl.scope if decl is not None else None


def sees_all(model: type[Any], user: User) -> bool:
    """Does the matrix grant ``user`` 全部门 on ``model``?"""
    if has_request_context() and current_user.is_authenticated and current_user.id == user.id:
        return can(ALL_ROWS, model.__name__)  # read once a request
    return (model.__name__, ALL_ROWS) in permissions_of(user)


def through(model: type[Any], path: str, test: Callable[[Any], Condition]) -> Condition:
    """``test`` applied to the foreign key the link path ends in: ``room.building`` →
    ``EXISTS (room WHERE test(rooms.building_id))``."""
    first, _, rest = path.partition(".")
    rel = sa.inspect(model).relationships[first]
    if rest:
        return getattr(model, first).has(through(rel.mapper.class_, rest, test))
    (column,) = rel.local_columns
    return test(getattr(model, sa.inspect(model).get_property_by_column(column).key))


def path_target(model: type[Any], path: str) -> type[Any]:
    """The model a link path ends at (``room.building`` → Building)."""
    for name in path.split("."):
        model = sa.inspect(model).relationships[name].mapper.class_
    return model


def _session() -> Session:
    return current_app.extensions["db_session"]


def approver_rows(model: type[Any], user: User) -> Condition:
    """Rows whose approval waits for ``user``'s signature now, or that ``user`` has signed."""
    register = model.__name__
    pending = approvals.waiting_records(register, user)
    signed = (sa.select(Approval.record_id).join(Signature, Signature.approval_id == Approval.id)
              .where(Approval.register == register, Signature.signer_id == user.id))
    return sa.or_(model.id.in_(pending), model.id.in_(signed))


def records_filter(register: Any, record_id: Any, user: User,
                   registers: Collection[str] | None = None) -> Condition | None:
    """Rows naming a record by (register name, record id) that ``user`` may see: those whose record is
    visible, and those of registers without a limit for this user. ``registers``: the rows name records
    of these registers only (the others' limits are left out of the SQL)."""
    limits = []
    for model in declared_models():
        if scope_of(model) is None or scope_of(model).follows:
            continue
        if registers is not None and model.__name__ not in registers:
            continue
        condition = scope_filter(model, user)
        if condition is not None:
            limits.append(sa.or_(register != model.__name__,
                                 record_id.in_(sa.select(model.id).where(condition))))
    return sa.and_(*limits) if limits else None


def scope_filter(model: type[Any], user: User, *, changing: bool = False) -> Condition | None:
    """The SQL condition on ``model`` for the rows ``user`` may see (``changing``: may edit or delete),
    or ``None`` when every row is theirs. Approvers see what they sign but change nothing through it."""
    scope = scope_of(model)
    if scope is None or sees_all(model, user):
        return None
    if scope.follows:
        register, record_id = (getattr(model, name) for name in scope.follows)
        return records_filter(register, record_id, user)
    parts = []
    if scope.department:
        department = user.department_id
        parts.append(through(model, scope.department,
                             lambda col: col == department if department is not None else sa.false()))
    buildings = [b.id for b in user.buildings]
    if scope.building and buildings:  # a row of another building is hidden; a row of none is not
        parts.append(~through(model, scope.building,
                              lambda col: sa.and_(col.is_not(None), col.not_in(buildings))))
    if not parts:
        return None
    others: list[Condition] = []
    if "recorded_by_id" in sa.inspect(model).columns:
        others.append(model.recorded_by_id == user.id)
    if not changing:
        others.append(approver_rows(model, user))
    return sa.or_(sa.and_(*parts), *others)


def visible(model: type[Any], user: User, query: Any, *, changing: bool = False) -> Any:
    """``query`` (a ``select`` or legacy ``Query`` over ``model``) limited to ``user``'s rows."""
    condition = scope_filter(model, user, changing=changing)
    return query if condition is None else query.filter(condition)


def sees_every_row(names: Iterable[str], user: User) -> bool:
    """Does ``user`` see every row of each of these registers (model names)? Reports and rates are
    figures over whole registers: a user limited to some rows does not get them."""
    models = [model for name in names if (model := declared_model(name)) is not None]
    return all(scope_filter(model, user) is None for model in models)


def check_scopes(models: Iterable[type[Any]] | None = None) -> None:
    """Every declared scope's paths lead where they say; raise naming what to fix (at start-up)."""
    problems = []
    for model in declared_models() if models is None else models:
        scope = scope_of(model)
        if scope is None:
            continue
        for path, wanted in ((scope.department, Department), (scope.building, Building)):
            if not path:
                continue
            try:
                target = path_target(model, path)
            except KeyError:
                target = None
            if target is not wanted:
                problems.append(f"{model.__name__} 的 scope 路径 {path!r} 应通向 {wanted.__name__}")
        for name in scope.follows:
            if name not in sa.inspect(model).columns:
                problems.append(f"{model.__name__} 的 scope.follows 没有列 {name!r}")
    if problems:
        raise LookupError("登记表的行范围声明有误:" + ";".join(problems))
