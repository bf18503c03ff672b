"""Who may do what: the role × register × action matrix held in the database."""

from __future__ import annotations

from flask import current_app, g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from models.reference import GRANTS, Permission, User, user_roles


def permissions_of(user: User) -> frozenset[tuple[str, str]]:
    """(resource, action) pairs granted to any of the user's roles."""
    session = current_app.extensions["db_session"]
    rows = session.execute(
        select(Permission.resource, Permission.action)
        .join(user_roles, user_roles.c.role_id == Permission.role_id)
        .where(user_roles.c.user_id == user.id)
    )
    return frozenset((r, a) for r, a in rows)


def _current() -> frozenset[tuple[str, str]]:
    if not has_request_context() or not current_user.is_authenticated:
        return frozenset()
    if "permissions" not in g:
        g.permissions = permissions_of(current_user)
    return g.permissions


def can(action: str, resource: str) -> bool:
    """May the signed-in user do ``action`` on ``resource`` (a model name)?"""
    if action not in GRANTS:
        raise ValueError(f"unknown action {action!r}; expected one of {list(GRANTS)}")
    return (resource, action) in _current()


def can_any(resource: str) -> bool:
    return any(res == resource for res, _ in _current())
