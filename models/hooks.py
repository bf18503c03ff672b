"""Runs every record's :meth:`~models.base.Base.before_save` in the flush that writes it (and
:meth:`~models.base.Base.before_delete` in the flush that deletes it), so the computed values commit
or fail together with the record, whoever saves it; numbers new records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session

from admin_app.numbering import assign_numbers
from models.base import Base, Record, refresh_search_text


@event.listens_for(Session, "before_flush")
def run_before_save(session: Session, _context: Any, _instances: Any) -> None:
    new = session.new  # a fresh set at every read
    for obj in [*new, *session.dirty]:
        if isinstance(obj, Base) and (obj in new or session.is_modified(obj)):
            if obj in new:
                _apply_scalar_defaults(obj)
            obj.before_save(session)
    for obj in list(session.deleted):
        if isinstance(obj, Base):
            obj.before_delete(session)
    # Numbered here, once the computed values are in, with one counter update per form and day for the
    # whole flush (an imported batch); rows added later in the flush are numbered as they are inserted.
    new_records = [obj for obj in session.new if isinstance(obj, Record)]
    if new_records:
        assign_numbers(session.connection(), new_records)


def _apply_scalar_defaults(obj: Base) -> None:
    # Column defaults are otherwise filled in only by the INSERT, after before_save has computed
    # from them (a family overnight saved without 晚数 is one night, and costs one night).
    for attr in inspect(type(obj)).column_attrs:
        default = attr.columns[0].default
        if default is not None and default.is_scalar and getattr(obj, attr.key) is None:
            setattr(obj, attr.key, default.arg)


@event.listens_for(Base, "before_insert", propagate=True)
def number_new_record(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    # At insert time, not in before_flush: rows other hooks add during the flush (change-log
    # rows of models/trail.py) are numbered too, and on the connection of the same transaction.
    if isinstance(target, Record):
        assign_numbers(connection, [target])
    refresh_search_text(target)  # after numbering: the number is searched too


@event.listens_for(Base, "before_update", propagate=True)
def refresh_search(_mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    refresh_search_text(target)


def linked(session: Session, obj: Base, name: str) -> Any:
    """The row a many-to-one link of ``obj`` points at, whether the link was set as an object (forms,
    seed) or only by its foreign key (commands, tests)."""
    value = getattr(obj, name)
    if value is not None:
        return value
    rel = inspect(type(obj)).relationships[name]
    key = getattr(obj, next(iter(rel.local_columns)).key)
    return None if key is None else session.get(rel.mapper.class_, key)
