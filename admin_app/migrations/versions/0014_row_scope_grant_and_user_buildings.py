"""row scope: the 全部门 grant and users' buildings

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = "'view', 'create', 'edit', 'delete', 'export'"


def _action_check(values: str) -> None:
    with op.batch_alter_table("permissions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_permissions_action_choice"), type_="check")
        batch_op.create_check_constraint(op.f("ck_permissions_action_choice"), f"action IN ({values})")


def upgrade() -> None:
    op.create_table('user_buildings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_user_buildings_building_id_buildings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_buildings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'building_id', name=op.f('pk_user_buildings'))
    )
    _action_check(ACTIONS + ", 'all'")


def downgrade() -> None:
    op.execute("DELETE FROM permissions WHERE action = 'all'")
    _action_check(ACTIONS)
    op.drop_table('user_buildings')
