"""planned customer callbacks: due date, nullable callback date and caller

A 回访记录 row may now be a plan: 计划回访日期 (due_on) set, 回访日期 and 回访人 still empty. Existing rows
are callbacks already made and keep their dates and callers; their due_on stays empty.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:24:17.179751
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer_callbacks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.alter_column("callback_date", existing_type=sa.Date(), nullable=True)
        batch_op.alter_column("called_back_by_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_customer_callbacks_due_on"), ["due_on"], unique=False)


def downgrade() -> None:
    # Plans not yet carried out cannot be kept without a date and a caller: they are dropped.
    op.execute("DELETE FROM customer_callbacks WHERE callback_date IS NULL OR called_back_by_id IS NULL")
    with op.batch_alter_table("customer_callbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_callbacks_due_on"))
        batch_op.alter_column("called_back_by_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("callback_date", existing_type=sa.Date(), nullable=False)
        batch_op.drop_column("due_on")
