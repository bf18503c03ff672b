"""due_items indexed by register, done_at, due_at (the 办理时限 filter of a list)

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_due_items_state', 'due_items', ['register', 'done_at', 'due_at', 'warn_from', 'record_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_due_items_state', table_name='due_items')
