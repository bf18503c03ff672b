"""fees computed by the forms: walk-in room price, voucher kind and invoice amounts, the handover's
first payment method, commission amounts

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 18:23:09.448296
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=12, scale=2)


def upgrade() -> None:
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_commission", MONEY, nullable=True))
        batch_op.add_column(sa.Column("shared_commission", MONEY, nullable=True))
        batch_op.add_column(sa.Column("team_commission", MONEY, nullable=True))
        batch_op.add_column(sa.Column("total_commission", MONEY, nullable=True))

    with op.batch_alter_table("payment_vouchers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), server_default="报账", nullable=False))
        batch_op.add_column(sa.Column("invoice_amount", MONEY, nullable=True))
        batch_op.add_column(sa.Column("fixed_asset_value", MONEY, nullable=True))
        batch_op.create_check_constraint(op.f("ck_payment_vouchers_kind_choice"),
                                         "kind IN ('报账', '退医疗备用金')")
    # Vouchers already linked from a 退医疗备用金 record are refunds, which need no invoice.
    op.execute("UPDATE payment_vouchers SET kind = '退医疗备用金' WHERE id IN "
               "(SELECT payment_voucher_id FROM medical_deposit_refunds WHERE payment_voucher_id IS NOT NULL)")

    with op.batch_alter_table("signed_client_handovers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_payment_method", sa.String(length=4), nullable=True))
        batch_op.create_check_constraint(op.f("ck_signed_client_handovers_first_payment_method_choice"),
                                         "first_payment_method IN ('信用卡', '借记卡', '支付宝', '微信', '现金')")

    with op.batch_alter_table("walk_in_check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("price", MONEY, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("walk_in_check_ins", schema=None) as batch_op:
        batch_op.drop_column("price")

    with op.batch_alter_table("signed_client_handovers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_signed_client_handovers_first_payment_method_choice"), type_="check")
        batch_op.drop_column("first_payment_method")

    with op.batch_alter_table("payment_vouchers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payment_vouchers_kind_choice"), type_="check")
        batch_op.drop_column("fixed_asset_value")
        batch_op.drop_column("invoice_amount")
        batch_op.drop_column("kind")

    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.drop_column("total_commission")
        batch_op.drop_column("team_commission")
        batch_op.drop_column("shared_commission")
        batch_op.drop_column("personal_commission")
