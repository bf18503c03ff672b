"""Who may do what: the role × register × action matrix held in the database."""

from __future__ import annotations

from flask import current_app, g, has_request_context
from flask_login import current_user
from sqlalchemy import Select, String, cast, literal, select

from admin_app import approvals
from models.approval import Chain
from models.reference import GRANTS, Permission, User, user_roles


def _grants(user: User) -> Select[tuple[str, str]]:
    """(resource, action) pairs granted to any of the user's roles."""
    return (select(Permission.resource, Permission.action)
            .join(user_roles, user_roles.c.role_id == Permission.role_id)
            .where(user_roles.c.user_id == user.id))


def permissions_of(user: User) -> frozenset[tuple[str, str]]:
    """What the matrix grants ``user`` (the signed-in user's are read once a request: ``can``)."""
    session = current_app.extensions["db_session"]
    return frozenset((r, a) for r, a in session.execute(_grants(user)))


#: The action under which the registers that have a chain come along with the user's grants.
CHAINED = "__chain__"


#: The row that carries the navigation bar's count of records waiting for the user's signature.
PENDING = "__pending__"


def _read_once() -> None:
    """The signed-in user's grants, the registers that have an approval chain and the navigation bar's
    count of records waiting for the user's signature, in one statement read once a request (every page
    needs all three). The count is kept as ``views.inbox.pending_count`` reads it: (bound, count)."""
    session = current_app.extensions["db_session"]
    user = current_user._get_current_object()
    waiting = approvals.pending_count_query(user, approvals.BADGE).scalar_subquery()
    rows = session.execute(_grants(user).union_all(select(Chain.register, literal(CHAINED)),
                                                   select(literal(PENDING), cast(waiting, String)))).all()
    g.permissions = frozenset((r, a) for r, a in rows if a != CHAINED and r != PENDING)
    g.chained_registers = frozenset(r for r, a in rows if a == CHAINED)
    g.pending_count = (approvals.BADGE, next((int(a) for r, a in rows if r == PENDING), 0))


def granted() -> frozenset[tuple[str, str]]:
    """The signed-in user's grants, (resource, action) pairs, read once a request."""
    if not has_request_context():
        return frozenset()
    known = g.get("permissions")  # asked a few hundred times a page (the menu): no proxy lookups then
    if known is not None:
        return known
    if not current_user.is_authenticated:
        return frozenset()
    _read_once()
    return g.permissions


def chained_registers() -> frozenset[str]:
    """Model names of the registers that have an approval chain."""
    if "chained_registers" not in g:
        if current_user.is_authenticated:
            _read_once()
        else:
            session = current_app.extensions["db_session"]
            g.chained_registers = frozenset(session.scalars(select(Chain.register)))
    return g.chained_registers


def can(action: str, resource: str) -> bool:
    """May the signed-in user do ``action`` on ``resource`` (a model name)?"""
    if action not in GRANTS:
        raise ValueError(f"unknown action {action!r}; expected one of {list(GRANTS)}")
    return (resource, action) in granted()


def can_any(resource: str) -> bool:
    return any(res == resource for res, _ in granted())
