"""approval_waits: the roles each approval waits for, indexed by role (待我审批's count, approvers' rows)

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    waits = op.create_table(
        'approval_waits',
        sa.Column('approval_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=30), nullable=False),
        sa.Column('register', sa.String(length=60), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('applicant_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['approval_id'], ['approvals.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('approval_id', 'role'),
    )
    op.create_index('ix_approval_waits_role', 'approval_waits', ['role', 'register', 'record_id'], unique=False)
    bind = op.get_bind()
    pending = bind.execute(sa.text(
        "SELECT id, register, record_id, waiting_roles, waiting_department_id, applicant_id FROM approvals "
        "WHERE waiting_roles <> ''")).all()
    rows = [{"approval_id": row.id, "role": role, "register": row.register, "record_id": row.record_id,
             "department_id": row.waiting_department_id, "applicant_id": row.applicant_id}
            for row in pending for role in row.waiting_roles.split("|") if role]
    if rows:
        op.bulk_insert(waits, rows)


def downgrade() -> None:
    op.drop_index('ix_approval_waits_role', table_name='approval_waits')
    op.drop_table('approval_waits')
