"""Runs every record's :meth:`~models.base.Base.before_save` in the flush that writes it (and
:meth:`~models.base.Base.before_delete` in the flush that deletes it), so the computed values commit
or fail together with the record, whoever saves it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from models.base import Base


@event.listens_for(Session, "before_flush")
def run_before_save(session: Session, _context: Any, _instances: Any) -> None:
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Base) and (obj in session.new or session.is_modified(obj)):
            obj.before_save(session)
    for obj in list(session.deleted):
        if isinstance(obj, Base):
            obj.before_delete(session)
