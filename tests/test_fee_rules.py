"""The handbooks' money rules with their own numbers, boundaries, month ends and leap years."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from admin_app.rules import fees

D = Decimal


@pytest.mark.parametrize(("start", "end", "months"), [
    (dt.date(2026, 1, 15), dt.date(2026, 1, 15), 0),
    (dt.date(2026, 1, 15), dt.date(2026, 1, 16), 1),   # one day is a whole month
    (dt.date(2026, 1, 15), dt.date(2026, 2, 15), 1),
    (dt.date(2026, 1, 15), dt.date(2026, 2, 16), 2),
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28), 1),   # month end: Jan 31 + 1 month = Feb 28
    (dt.date(2026, 1, 31), dt.date(2026, 3, 1), 2),
    (dt.date(2028, 1, 31), dt.date(2028, 2, 29), 1),   # leap year
    (dt.date(2028, 2, 29), dt.date(2029, 2, 28), 12),
    (dt.date(2026, 12, 20), dt.date(2027, 1, 5), 1),   # across the year
])
def test_part_months_count_whole(start: dt.date, end: dt.date, months: int) -> None:
    assert fees.whole_months(start, end) == months


def test_room_keep_fee_is_200_per_square_metre_per_month() -> None:
    assert fees.room_keep_fee(D("35.5"), dt.date(2026, 1, 10), dt.date(2026, 3, 1)) == D("14200.00")
    assert fees.room_keep_fee(D(40), dt.date(2026, 1, 10), dt.date(2026, 1, 11)) == D("8000.00")


def test_a_room_kept_for_less_than_a_month_pays_one_month() -> None:
    assert fees.hold_months(dt.date(2026, 3, 5), dt.date(2026, 3, 5)) == 1
    assert fees.room_keep_fee(D(25), dt.date(2026, 1, 31), dt.date(2026, 3, 1)) == D("10000.00")


def test_family_overnight_is_100_a_night() -> None:
    assert fees.family_overnight_fee(3) == D("300.00")
    with pytest.raises(ValueError):
        fees.family_overnight_fee(-1)


def test_ninth_floor_pays_80_percent() -> None:
    assert fees.walk_in_room_fee(D(268), 2, floor=9) == D("428.80")
    assert fees.walk_in_room_fee(D(268), 2, floor=8) == D("536.00")


def test_credit_card_fee_is_0_6_percent_and_debit_card_none() -> None:
    assert fees.card_fee(D(12345), "信用卡") == D("74.07")
    assert fees.card_fee(D(12345), "借记卡") == D("0.00")


def test_deposit_refund_nets_deductions_and_lost_cards() -> None:
    assert fees.deposit_refund(D(2000), [D("150.50")], lost_room_cards=1) == D("1649.50")
    assert fees.deposit_refund(D(300), [D(200)], lost_room_cards=1) == D("-100.00")


def test_reimbursement_needs_an_invoice() -> None:
    assert fees.reimbursement_problems(has_invoice=False, amount=D(80), invoice_amount=None) == {
        "has_invoice": "报账必须有发票,单有收据不行"}


def test_reimbursement_amount_must_match_the_invoice() -> None:
    problems = fees.reimbursement_problems(has_invoice=True, amount=D("99.9"), invoice_amount=D(100))
    assert "不一致" in problems["invoice_amount"]
    assert fees.reimbursement_problems(has_invoice=True, amount=D("100.00"), invoice_amount=D(100)) == {}


@pytest.mark.parametrize(("value", "slip", "refused"), [
    (D("499.99"), False, False), (D(500), False, True), (D(500), True, False), (D(3280), False, True)])
def test_fixed_assets_of_500_or_more_need_a_stock_slip(value: Decimal, slip: bool, refused: bool) -> None:
    problems = fees.reimbursement_problems(has_invoice=True, amount=value, invoice_amount=value,
                                           fixed_asset_value=value, has_stock_slip=slip)
    assert bool(problems) is refused


@pytest.mark.parametrize(("amount", "commission"), [
    (D("49999.99"), D("0.00")),
    (D(50000), D("300.00")),        # 5 万: 0.6%
    (D(100000), D("600.00")),       # 10 万 (含): 0.6%
    (D("100000.01"), D("800.00")),  # above 10 万: 0.8%
    (D(200000), D("1600.00")),
    (D(250000), D("2500.00")),      # 1%
    (D(300000), D("3000.00")),
    (D(300001), D("3900.01")),      # above 30 万: 1.3%
])
def test_personal_commission_tiers(amount: Decimal, commission: Decimal) -> None:
    assert fees.personal_commission(amount) == commission


def test_shared_performance_pays_0_6_percent_to_customer_service() -> None:
    assert fees.shared_commission(D(32000)) == D("192.00")
    assert fees.shared_commission(D(32000), "销售顾问") == D("128.00")


def test_renewals_are_shared_six_to_four() -> None:
    assert fees.renewal_shares(D(80000)) == {"客服专员": D("48000.00"), "销售顾问": D("32000.00")}


@pytest.mark.parametrize(("personal", "team", "commission"), [
    (D(100000), D(90000), D("800.00")),             # team below 10 万: no team commission
    (D(100000), D(150000), D("1100.00")),           # 0.8% + 0.2%
    (D(100000), D(400000), D("2400.00")),           # 0.4%
    (D(100000), D(500000), D("3300.00")),           # 0.5%
    (D(100000), D(700000), D("5000.00")),           # 0.6%
])
def test_supervisor_commission(personal: Decimal, team: Decimal, commission: Decimal) -> None:
    assert fees.supervisor_commission(personal, team) == commission


@pytest.mark.parametrize(("code", "value"), [
    ("room_keep", D(200)), ("family_overnight", D(100)), ("ninth_floor_rate", D("0.8")),
    ("credit_card_fee", D("0.006")), ("lost_room_card", D(200)), ("fixed_asset_threshold", D(500)),
])
def test_seeded_fee_standards_are_the_handbooks_numbers(session: Any, code: str, value: Decimal) -> None:
    assert fees.standard(session, code) == value


def test_a_missing_standard_says_what_to_do(session: Any) -> None:
    with pytest.raises(LookupError, match="收费标准"):
        fees.standard(session, "no_such_fee")
