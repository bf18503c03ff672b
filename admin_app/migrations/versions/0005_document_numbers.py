"""document numbers: number_sequences, a number on every register record, 002's archive numbers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 18:22:57.114338

Every table of a ``Record`` register that exists at this point gets a ``number`` column; rows
already there are numbered in the order (recorded_at, id), per prefix and day, and the counters
in ``number_sequences`` continue after them, so new saves never repeat a number. The list of
tables comes from the models' declarations, so a register table another branch created before
this revision is numbered too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from admin_app.numbering import document_number, is_archive_number_of, prefix_of
from models.archives import ARCHIVE_SEQUENCE
from models.base import Record, registers

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQUENCES = sa.table(
    "number_sequences", sa.column("prefix", sa.String), sa.column("day", sa.Date), sa.column("last", sa.Integer)
)


def numbered_tables() -> dict[str, str]:
    """Table → prefix of every register table present that has no number yet."""
    inspector = sa.inspect(op.get_bind())
    present = set(inspector.get_table_names())
    return {
        model.__tablename__: prefix_of(model)
        for model in registers()
        if issubclass(model, Record) and model.__tablename__ in present
        and "number" not in {c["name"] for c in inspector.get_columns(model.__tablename__)}
    }


def as_date(value: dt.datetime | dt.date | str) -> dt.date:
    if isinstance(value, str):  # SQLite returns text through a lightweight table
        value = dt.datetime.fromisoformat(value)
    return value.date() if isinstance(value, dt.datetime) else value


def number_rows(table: str, prefix: str) -> None:
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column("recorded_at", sa.DateTime),
                    sa.column("number", sa.String))
    last: dict[dt.date, int] = defaultdict(int)
    for row_id, recorded_at in bind.execute(sa.select(rows.c.id, rows.c.recorded_at)
                                            .order_by(rows.c.recorded_at, rows.c.id)).all():
        day = as_date(recorded_at)
        last[day] += 1
        bind.execute(sa.update(rows).where(rows.c.id == row_id)
                     .values(number=document_number(prefix, day, last[day])))
    if last:
        op.bulk_insert(SEQUENCES, [{"prefix": prefix, "day": d, "last": n} for d, n in sorted(last.items())])


def continue_archive_numbers() -> None:
    """Counters of 002's archive numbers continue after the ones typed before this revision."""
    guests = sa.table("guest_profiles", sa.column("archive_no", sa.String), sa.column("stay_on", sa.Date))
    last: dict[dt.date, int] = {}
    for number, stay_on in op.get_bind().execute(sa.select(guests.c.archive_no, guests.c.stay_on)).all():
        day = as_date(stay_on)
        if is_archive_number_of(number, day):
            last[day] = max(last.get(day, 0), int(number[-3:]))
    if last:
        op.bulk_insert(SEQUENCES, [{"prefix": ARCHIVE_SEQUENCE, "day": d, "last": n}
                                   for d, n in sorted(last.items())])


def upgrade() -> None:
    op.create_table(
        "number_sequences",
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "day", name=op.f("pk_number_sequences")),
    )
    with op.batch_alter_table("guest_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_no", sa.String(length=20), nullable=True))
    op.execute("UPDATE guest_profiles SET card_no = archive_no WHERE kind = 'VIP'")  # 002: 以卡号为档案编号
    continue_archive_numbers()
    for table, prefix in sorted(numbered_tables().items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("number", sa.String(length=40), nullable=True))
        number_rows(table, prefix)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("number", existing_type=sa.String(length=40), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_number"), ["number"])


def downgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table in sorted(inspector.get_table_names()):
        if "number" in {c["name"] for c in inspector.get_columns(table)}:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint(batch_op.f(f"uq_{table}_number"), type_="unique")
                batch_op.drop_column("number")
    with op.batch_alter_table("guest_profiles", schema=None) as batch_op:
        batch_op.drop_column("card_no")
    op.drop_table("number_sequences")
