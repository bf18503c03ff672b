"""Runs every record's :meth:`~models.base.Base.before_save` in the flush that writes it, so the
computed values commit or fail together with the record, whoever saves it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from models.base import Base


@event.listens_for(Session, "before_flush")
def run_before_save(session: Session, _context: Any, _instances: Any) -> None:
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Base) and (obj in session.new or session.is_modified(obj)):
            obj.before_save(session)


def linked(session: Session, obj: Base, name: str) -> Any:
    """The row a many-to-one link of ``obj`` points at, whether the link was set as an object (forms,
    seed) or only by its foreign key (commands, tests)."""
    value = getattr(obj, name)
    if value is not None:
        return value
    rel = inspect(type(obj)).relationships[name]
    key = getattr(obj, next(iter(rel.local_columns)).key)
    return None if key is None else session.get(rel.mapper.class_, key)
