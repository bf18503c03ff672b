"""Document numbers: ``<form code or prefix>-<YYYYMMDD>-<NNN>``, unique and gap-free per day.

The counter is a row of ``number_sequences`` (prefix, day, last), incremented inside the caller's
transaction. On PostgreSQL the ``UPDATE … RETURNING`` row-locks the counter until commit, so two
clerks saving at once get consecutive numbers, never the same one; SQLite write transactions begin
IMMEDIATE (``admin_app/database.py``), which serialises them. A save that rolls back rolls the
counter back with it, so its number goes to the next save and the day has no gap.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from admin_app.clock import now
from models.base import Base, Record, registers

if TYPE_CHECKING:
    from collections.abc import Iterable


class NumberSequence(Base):
    """The last number given per prefix and day (no register page: the application's own)."""

    __tablename__ = "number_sequences"

    prefix: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


SEQUENCES = NumberSequence.__table__


def next_number(db: Session | Connection, prefix: str, day: dt.date) -> int:
    """The next sequence number of ``prefix`` on ``day`` (1 for the day's first), counted in the
    database inside the caller's transaction."""
    return reserve_numbers(db, prefix, day, 1)


def reserve_numbers(db: Session | Connection, prefix: str, day: dt.date, count: int) -> int:
    """Take the next ``count`` sequence numbers of ``prefix`` on ``day`` at once; returns the first."""
    dialect = db.dialect if isinstance(db, Connection) else db.get_bind().dialect
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    db.execute(insert(SEQUENCES).values(prefix=prefix, day=day, last=0).on_conflict_do_nothing())
    last = db.execute(
        sa.update(SEQUENCES)
        .where(SEQUENCES.c.prefix == prefix, SEQUENCES.c.day == day)
        .values(last=SEQUENCES.c.last + count)
        .returning(SEQUENCES.c.last)
    ).scalar_one()
    return last - count + 1


def document_number(prefix: str, day: dt.date, sequence: int) -> str:
    """``XST-HD-KF-006-20261202-001``: the form's code, the day, the day's sequence."""
    return f"{prefix}-{day:%Y%m%d}-{sequence:03d}"


def archive_number(day: dt.date, sequence: int) -> str:
    """Handbook 002: the day of the stay as YYMMDD and the day's sequence, ``040214001``."""
    return f"{day:%y%m%d}{sequence:03d}"


def is_archive_number_of(number: str | None, day: dt.date) -> bool:
    """Whether ``number`` is an archive number given for a stay on ``day``."""
    return bool(number) and len(number) == 9 and number.isdigit() and number.startswith(f"{day:%y%m%d}")


def prefix_of(model: type[Record]) -> str:
    """The handbook form code, else the register's declared ``prefix``."""
    decl = model.__register__  # type: ignore[attr-defined]
    prefix = decl.code or decl.prefix
    if not prefix:
        raise LookupError(f"{model.__name__}({decl.label})没有表单编号:请在 Register 中声明 code 或 prefix")
    return prefix


def check_prefixes(models: Iterable[type[Base]] | None = None) -> None:
    """Every register numbers its records with a prefix of its own; raise naming what to fix."""
    seen: dict[str, str] = {}
    for model in registers() if models is None else models:
        if not issubclass(model, Record):
            continue
        prefix = prefix_of(model)
        if prefix in seen:
            raise LookupError(f"{model.__name__} 与 {seen[prefix]} 的单据编号前缀都是 {prefix}:请改其中一个")
        seen[prefix] = model.__name__


def assign_numbers(db: Session | Connection, records: Iterable[Record]) -> None:
    """Number new records in their order, one counter update per form and day however many there are
    (an import of a register's history); numbers already set are kept."""
    wanted: dict[tuple[str, dt.date], list[Record]] = {}
    for record in records:
        if record.number:
            continue
        if record.recorded_at is None:  # the column default would fill it only after this hook
            record.recorded_at = now()
        wanted.setdefault((prefix_of(type(record)), record.recorded_at.date()), []).append(record)
    for (prefix, day), group in wanted.items():
        first = reserve_numbers(db, prefix, day, len(group))
        for sequence, record in enumerate(group, start=first):
            record.number = document_number(prefix, day, sequence)
