"""approvals say who signs next (待我审批 in one indexed query)

Revision ID: 0016
Revises: 0015
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from admin_app.approvals import waiting
from models.approval import AGREE, IN_PROGRESS

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_roles', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('waiting_department_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_approvals_status_submitted_at', ['status', 'submitted_at'], unique=False)
    bind = op.get_bind()
    pending = bind.execute(sa.text("SELECT id, round, step_index, steps_json FROM approvals WHERE status = :s"),
                           {"s": IN_PROGRESS}).all()
    for approval_id, round_, step_index, steps_json in pending:
        signed = set(bind.scalars(sa.text(
            "SELECT role FROM signatures WHERE approval_id = :a AND round = :r AND step_index = :i "
            "AND decision = :d"), {"a": approval_id, "r": round_, "i": step_index, "d": AGREE}))
        bind.execute(sa.text("UPDATE approvals SET waiting_roles = :waiting_roles, "
                             "waiting_department_id = :waiting_department_id WHERE id = :id"),
                     {"id": approval_id, **waiting(json.loads(steps_json or "[]"), step_index, IN_PROGRESS, signed)})


def downgrade() -> None:
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_approvals_status_submitted_at')
        batch_op.drop_column('waiting_department_id')
        batch_op.drop_column('waiting_roles')
