"""Fees and money rules of the handbooks. Rates default to the handbooks' numbers; callers pass the
values of ``FeeStandard`` (seed/data/07_fee_standards.yaml) so that IT can change a standard."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

CENT = Decimal("0.01")
WAN = Decimal(10000)


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a day the month lacks becomes its last day (1-31 → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def whole_months(start: dt.date, end: dt.date) -> int:
    """Months from ``start`` up to ``end`` (exclusive), any part of a month counted whole (000 注1)."""
    if end <= start:
        return 0
    months = 0
    while add_months(start, months) < end:
        months += 1
    return months


def hold_months(start: dt.date, end: dt.date) -> int:
    """Months a room is kept from ``start`` to ``end``: part months whole, so a hold is at least one."""
    return max(1, whole_months(start, end))


def room_keep_fee(area: Decimal, start: dt.date, end: dt.date, rate: Decimal = Decimal(200)) -> Decimal:
    """A kept room: 200 元 per ㎡ per month, part months counted whole (000 (一)2 注1)."""
    return money(Decimal(area) * rate * hold_months(start, end))


def family_overnight_fee(nights: int, rate: Decimal = Decimal(100)) -> Decimal:
    """Family staying overnight: 100 元 a night, lodging only (000 (一)2 注2)."""
    if nights < 0:
        raise ValueError("留宿晚数不能为负")
    return money(rate * nights)


def walk_in_room_fee(price: Decimal, nights: int, floor: int, ninth_floor_rate: Decimal = Decimal("0.8")
                     ) -> Decimal:
    """Walk-in guests pay 80% on the 9th floor, which has no network (000 (一)1(6))."""
    total = Decimal(price) * nights
    return money(total * ninth_floor_rate if floor == 9 else total)


def card_fee(balance: Decimal, method: str, rate: Decimal = Decimal("0.006")) -> Decimal:
    """Paying the balance by credit card costs 0.6% of it; a debit card nothing (003 4.6.2)."""
    return money(Decimal(balance) * rate) if method == "信用卡" else money(0)


def deposit_refund(deposit: Decimal, deductions: Iterable[Decimal] = (), lost_room_cards: int = 0,
                   card_price: Decimal = Decimal(200)) -> Decimal:
    """What is refunded at check-out: the deposit net of deductions and 200 元 per lost room card
    (003 4.6.2). A negative result is what the client still owes."""
    return money(Decimal(deposit) - sum((Decimal(d) for d in deductions), Decimal(0))
                 - card_price * lost_room_cards)


def reimbursement_problems(*, has_invoice: bool, amount: Decimal, invoice_amount: Decimal | None,
                           fixed_asset_value: Decimal | None = None, has_stock_slip: bool = False,
                           threshold: Decimal = Decimal(500)) -> dict[str, str]:
    """Why a 支付证明单 is refused (000 (七)), keyed by the voucher's field: no invoice (a receipt alone
    is not enough), an amount that differs from the invoice, a fixed asset of 500 元 or more without a
    出入库单."""
    problems = {}
    if not has_invoice:
        problems["has_invoice"] = "报账必须有发票,单有收据不行"
    elif invoice_amount is None:
        problems["invoice_amount"] = "请填写发票金额:支付证明单金额须与发票金额一致"
    elif money(amount) != money(invoice_amount):
        problems["invoice_amount"] = (f"支付证明单金额 {money(amount)} 与发票金额 {money(invoice_amount)} "
                                      "不一致")
    if fixed_asset_value is not None and Decimal(fixed_asset_value) >= threshold and not has_stock_slip:
        problems["stock_slip"] = f"固定资产 {money(threshold)} 元以上须附仓管员开具的出入库单"
    return problems


# -- commissions (003 2.3); a bracket's rate applies to the whole amount -----------------------------

# (upper bound in 万, inclusive — None for "above"), rate; below the minimum there is no commission.
PERSONAL_TIERS = (5, ((10, "0.006"), (20, "0.008"), (30, "0.01"), (None, "0.013")))
TEAM_TIERS = (10, ((20, "0.002"), (40, "0.004"), (60, "0.005"), (None, "0.006")))
RENEWAL_SHARES = {"客服专员": Decimal("0.6"), "销售顾问": Decimal("0.4")}
# 1.3's table gives 提成比例 客服专员 0.6 / 销售顾问 0.4 in the column where the handbook's other
# tables drop the % sign (0.6 there is 0.6%): read as 0.6% and 0.4% of the shared performance.
SHARED_RATES = {"客服专员": Decimal("0.006"), "销售顾问": Decimal("0.004")}
SUPERVISOR_PERSONAL_RATE = Decimal("0.008")


def tier_rate(amount: Decimal, tiers: tuple[int, tuple[tuple[int | None, str], ...]]) -> Decimal:
    """The rate of the bracket ``amount`` (元) falls in: "5 万–10 万(含 10 万)" and so on."""
    minimum, brackets = tiers
    amount = Decimal(amount)
    if amount < minimum * WAN:
        return Decimal(0)
    for upper, rate in brackets:
        if upper is None or amount <= upper * WAN:
            return Decimal(rate)
    return Decimal(0)


def personal_commission(amount: Decimal) -> Decimal:
    """客服专员: 5–10 万 0.6%, 10–20 万 0.8%, 20–30 万 1%, above 30 万 1.3%; below 5 万 none."""
    return money(Decimal(amount) * tier_rate(amount, PERSONAL_TIERS))


def renewal_shares(amount: Decimal) -> dict[str, Decimal]:
    """A renewal's performance is shared: 客服专员 0.6, 销售顾问 0.4."""
    return {who: money(Decimal(amount) * share) for who, share in RENEWAL_SHARES.items()}


def shared_commission(amount: Decimal, post: str = "客服专员") -> Decimal:
    """Commission on shared performance (renewals): 客服专员 0.6%, 销售顾问 0.4% (see SHARED_RATES)."""
    return money(Decimal(amount) * SHARED_RATES[post])


def supervisor_commission_parts(personal: Decimal, team: Decimal) -> tuple[Decimal, Decimal]:
    """客服主管's two lines of pay: 0.8% of personal performance, the team bracket's rate of team
    performance; each rounded, as the payslip shows them."""
    return (money(Decimal(personal) * SUPERVISOR_PERSONAL_RATE),
            money(Decimal(team) * tier_rate(team, TEAM_TIERS)))


def supervisor_commission(personal: Decimal, team: Decimal) -> Decimal:
    """客服主管: 0.8% of personal performance plus the team bracket's rate of team performance."""
    return sum(supervisor_commission_parts(personal, team), Decimal("0.00"))


def standard(session: Any, code: str) -> Decimal:
    """A fee standard IT keeps in 收费标准 (seed/data/07_fee_standards.yaml), e.g. ``room_keep``."""
    from models.reference import FeeStandard

    with session.no_autoflush:  # called from problems() too, before the record may be written
        value = session.scalar(select(FeeStandard.amount).where(FeeStandard.code == code))
    if value is None:
        raise LookupError(f"收费标准「{code}」未设置,请 IT 在「基础资料 → 收费标准」里补上")
    return Decimal(value)
