"""key_loans indexed by key and return time (a key's open loan, checked at every save)

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_key_loans_key_open', 'key_loans', ['key_id', 'returned_at'], unique=False)
    op.drop_index('ix_key_loans_key_id', table_name='key_loans')


def downgrade() -> None:
    op.create_index('ix_key_loans_key_id', 'key_loans', ['key_id'], unique=False)
    op.drop_index('ix_key_loans_key_open', table_name='key_loans')
