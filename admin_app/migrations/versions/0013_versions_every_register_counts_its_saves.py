"""versions: every register counts its saves

Every declared model's table gets ``version`` (SQLAlchemy's ``version_id_col``; existing rows start at 1)
and who made the current version and when (``version_by``, ``version_at``; unknown for existing rows).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Every table of ``models.base.declared_models()`` at this revision (``db check`` names any missed).
TABLES = (
    "activity_bookings", "archive_loans", "archive_reads", "attendance_lines", "attendance_sheets",
    "bag_deposits", "balance_deposit_receipts", "building_patrols", "buildings", "call_records",
    "chain_steps", "chains", "checklist_items", "client_archives", "client_callbacks", "client_discharges",
    "client_move_in_notices", "commissions", "community_activities", "complaint_handlings", "complaints",
    "contract_renewals", "customer_archives", "customer_callbacks", "day_reviews", "departments",
    "discharge_charges", "document_logs", "due_items", "duty_weekly_checks", "electricity_readings",
    "errand_registrations", "family_meals", "family_overnights", "fee_standards", "first_week_visits",
    "form_codes", "gift_stock_entries", "guest_profiles", "incident_logs", "incident_reports",
    "item_receipt_lines", "item_receipts", "key_check_lines", "key_checks", "key_client_visit_plans",
    "key_cut_requests", "key_loans", "keys", "leave_requests", "left_items", "loan_slips",
    "medical_deposit_refunds", "monthly_statements", "move_in_routing_slips", "new_owner_registrations",
    "opinion_surveys", "owner_household_members", "owner_households", "parking_registrations", "passes",
    "payment_vouchers", "permissions", "purchase_order_lines", "purchase_orders", "rectification_replies",
    "renovation_applications", "renovation_inspections", "renovation_rectification_notices",
    "renovation_violations", "repair_callbacks", "repair_orders", "repair_prices", "report_filings",
    "residence_changes", "resident_admissions", "resident_check_outs", "residents", "roles", "room_changes",
    "room_holds", "rooms", "roster_lines", "rosters", "satisfaction_surveys", "second_hand_handovers",
    "service_items", "shift_handovers", "signed_client_handovers", "smart_cards", "staff_badges",
    "staff_duties", "stock_items", "stock_requisition_lines", "stock_requisitions", "stock_slip_lines",
    "stock_slips", "tea_room_cash_handovers", "tea_room_incomes", "users", "vacant_room_inspections",
    "vehicle_requests", "violation_notices", "visitor_logs", "visitor_meal_claims", "visitor_meal_lines",
    "walk_in_check_ins", "walk_in_check_outs", "work_diaries",
)


def upgrade() -> None:
    # ALTER TABLE … ADD COLUMN on every backend, SQLite included (no table rebuild).
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
        op.add_column(table, sa.Column("version_at", sa.DateTime(), nullable=True))
        op.add_column(table, sa.Column("version_by", sa.String(length=50), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("version_by")
            batch_op.drop_column("version_at")
            batch_op.drop_column("version")
