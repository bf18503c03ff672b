"""key check lines and lost key loans

The weekly key check gets one line per key (ledger state, found state); a key loan can record that
the borrower lost the key.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:24:42.426504
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_check_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_check_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("ledger_state", sa.String(length=10), nullable=True),
        sa.Column("found_state", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.CheckConstraint("found_state IN ('在柜', '借出', '遗失', '短缺', '损坏')",
                           name=op.f("ck_key_check_lines_found_state_choice")),
        sa.CheckConstraint("ledger_state IN ('在柜', '借出', '遗失')",
                           name=op.f("ck_key_check_lines_ledger_state_choice")),
        sa.ForeignKeyConstraint(["key_check_id"], ["key_checks.id"],
                                name=op.f("fk_key_check_lines_key_check_id_key_checks"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["key_id"], ["keys.id"], name=op.f("fk_key_check_lines_key_id_keys")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_check_lines")),
    )
    with op.batch_alter_table("key_check_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_check_lines_key_check_id"), ["key_check_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_key_check_lines_key_id"), ["key_id"], unique=False)

    # Loans recorded before this revision were not lost.
    with op.batch_alter_table("key_loans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lost", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("key_loans", schema=None) as batch_op:
        batch_op.drop_column("lost")

    with op.batch_alter_table("key_check_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_check_lines_key_id"))
        batch_op.drop_index(batch_op.f("ix_key_check_lines_key_check_id"))

    op.drop_table("key_check_lines")
