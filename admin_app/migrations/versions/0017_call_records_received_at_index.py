"""call_records.received_at indexed (the call log's date-range filter)

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_call_records_received_at', 'call_records', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_call_records_received_at', table_name='call_records')
