"""Who made each saved version of a record, and when (the ``version_by`` / ``version_at`` columns that
``models/base.py`` gives every declared model next to its ``version`` counter).

Stamped in the flush that writes the row, whoever writes it: a form, a hook changing another record
(a loan puts its key out of the cabinet), the seed or a command (no user: ``version_by`` stays empty).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, object_session

from admin_app.clock import now
from models.base import Base


def actor() -> str | None:
    """The signed-in user's name, when a request is being served."""
    from flask import has_request_context
    from flask_login import current_user

    if not has_request_context() or not current_user.is_authenticated:
        return None
    return str(current_user.name)[:50]


@event.listens_for(Base, "before_insert", propagate=True)
@event.listens_for(Base, "before_update", propagate=True)
def stamp(mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    if "version_by" not in mapper.columns:
        return
    session = object_session(target)
    # before_update also sees rows marked dirty without a net change: those are not written.
    if session is not None and inspect(target).key is not None and not session.is_modified(target):
        return
    target.version_at = now()
    target.version_by = actor()
