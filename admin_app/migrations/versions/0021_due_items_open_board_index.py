"""due_items: the open ones indexed in due order with what the board counts, the done ones apart

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_due_items_open_board', 'due_items',
                    ['due_at', 'id', 'warn_from', 'department_id', 'register', 'record_id'], unique=False,
                    postgresql_where=sa.text('done_at IS NULL'), sqlite_where=sa.text('done_at IS NULL'))
    op.create_index('ix_due_items_done', 'due_items', ['done_at', 'due_at'], unique=False,
                    postgresql_where=sa.text('done_at IS NOT NULL'), sqlite_where=sa.text('done_at IS NOT NULL'))
    op.drop_index('ix_due_items_open', table_name='due_items')
    op.drop_index('ix_due_items_state', table_name='due_items')
    op.create_index('ix_due_items_state', 'due_items',
                    ['register', 'done_at', 'due_at', 'warn_from', 'record_id', 'department_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_due_items_state', table_name='due_items')
    op.create_index('ix_due_items_state', 'due_items', ['register', 'done_at', 'due_at', 'warn_from', 'record_id'],
                    unique=False)
    op.create_index('ix_due_items_open', 'due_items', ['done_at', 'due_at'], unique=False)
    op.drop_index('ix_due_items_done', table_name='due_items')
    op.drop_index('ix_due_items_open_board', table_name='due_items')
