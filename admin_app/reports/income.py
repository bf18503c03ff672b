"""收入明细表 (000 (十二)): walk-in income by type, weekly (每周一报) and monthly (每月一报).

Income counts only once it is certain (000 (十二)2): 散客给了钱 — a walk-in guest's room fee, a
check-out settlement, a family overnight with its payment method filled in, a family meal settled on
the spot (现下清结; meals 记入本月账单 are billed, not paid) and the tea room's takings — or a monthly
client's 红头文件 once the client has signed it (000 (十四)4), on its signing date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from admin_app.reports.base import Chart, Col, Filter, Filters, Report, ReportTable, in_period
from admin_app.reports.periods import Period
from models.finance import PAYMENT_METHODS, MonthlyStatement, TeaRoomIncome
from models.residence import FamilyMeal, FamilyOvernight, WalkInCheckIn, WalkInCheckOut

#: How a 红头文件 is paid: settled by the month, not at the desk.
MONTHLY = "月结"


@dataclass(frozen=True)
class IncomeLine:
    day: dt.date
    kind: str
    summary: str
    method: str
    receipt_no: str
    amount: Decimal


def room_fees(session: Session, period: Period) -> Iterator[IncomeLine]:
    rows = session.scalars(select(WalkInCheckIn).where(in_period(WalkInCheckIn.check_in_at, period)))
    for r in rows:
        yield IncomeLine(r.check_in_at.date(), "散客房费", f"{r.guest} {r.room} {r.nights}晚", r.payment,
                         r.receipt_no or "", r.fee)


def check_out_settlements(session: Session, period: Period) -> Iterator[IncomeLine]:
    rows = session.scalars(select(WalkInCheckOut).where(
        in_period(WalkInCheckOut.checked_out_at, period), WalkInCheckOut.settlement > 0))
    for r in rows:
        guest = f"{r.check_in.guest} {r.check_in.room}" if r.check_in else ""
        yield IncomeLine(r.checked_out_at.date(), "散客退房结算", f"{guest} {r.damage or '补收房费'}".strip(),
                         "", "", r.settlement)


def family_overnights(session: Session, period: Period) -> Iterator[IncomeLine]:
    rows = session.scalars(select(FamilyOvernight).where(
        in_period(FamilyOvernight.stay_on, period), FamilyOvernight.payment.is_not(None)))
    for r in rows:
        yield IncomeLine(r.stay_on, "家属留宿费", f"{r.resident} 家属{r.family_member} {r.nights}晚",
                         r.payment or "", r.receipt_no or "", r.fee)


def family_meals(session: Session, period: Period) -> Iterator[IncomeLine]:
    rows = session.scalars(select(FamilyMeal).where(
        in_period(FamilyMeal.meal_on, period), FamilyMeal.settlement == "现下清结"))
    for r in rows:
        yield IncomeLine(r.meal_on, "家属用餐费", f"{r.resident} {r.meal} {r.diners}人", "", "", r.amount)


def tea_room(session: Session, period: Period) -> Iterator[IncomeLine]:
    for r in session.scalars(select(TeaRoomIncome).where(in_period(TeaRoomIncome.sold_on, period))):
        yield IncomeLine(r.sold_on, "茶艺室收入", f"{r.item} × {r.qty.normalize():f}", r.payment_method,
                         r.receipt_no or "", r.amount)


def signed_statements(session: Session, period: Period) -> Iterator[IncomeLine]:
    """Signed 红头文件, on the signing date; one signed without a date counts on the day it was entered."""
    rows = session.scalars(select(MonthlyStatement).where(
        MonthlyStatement.client_signed.is_(True),
        or_(in_period(MonthlyStatement.signed_on, period),
            and_(MonthlyStatement.signed_on.is_(None), in_period(MonthlyStatement.recorded_at, period)))))
    for r in rows:
        day = r.signed_on or r.recorded_at.date()
        yield IncomeLine(day, "月结客户(红头文件)", f"{r.client_name or r.client} {r.month} 月结", MONTHLY,
                         "", r.amount)


#: Income type → where its lines come from, in the order the report lists types.
SOURCES: dict[str, Callable[[Session, Period], Iterator[IncomeLine]]] = {
    "散客房费": room_fees,
    "散客退房结算": check_out_settlements,
    "家属留宿费": family_overnights,
    "家属用餐费": family_meals,
    "茶艺室收入": tea_room,
    "月结客户(红头文件)": signed_statements,
}
INCOME_TYPES = list(SOURCES)


def income_lines(session: Session, period: Period, kind: str = "", method: str = "") -> list[IncomeLine]:
    """Every counted income of the period, by date then type, optionally of one type or payment method."""
    lines = [line for name, source in SOURCES.items() if not kind or kind == name
             for line in source(session, period) if not method or line.method == method]
    return sorted(lines, key=lambda line: (line.day, INCOME_TYPES.index(line.kind)))


def income_table(session: Session, period: Period, filters: Filters) -> ReportTable:
    lines = income_lines(session, period, filters.get("kind", ""), filters.get("method", ""))
    columns = [Col("日期", "date"), Col("收入类型"), Col("摘要"), Col("收费方式"), Col("收据号"),
               Col("金额(元)", "money")]
    rows = [[x.day, x.kind, x.summary, x.method, x.receipt_no, x.amount] for x in lines]
    total = sum((x.amount for x in lines), Decimal("0.00"))
    return ReportTable(columns, rows, totals=["合计", None, f"共 {len(lines)} 笔", None, None, total],
                       notes=["散客给了钱或红头文件签了名的收入才计入;记入本月账单的家属用餐待结算后不在此列。"])


def due(period: Period) -> dt.date | None:
    """每周一报: the week's report is due on the Monday after it; the handbook gives no day for the month."""
    return period.end + dt.timedelta(days=1) if period.kind == "week" else None


REPORT = Report(
    slug="income",
    label="收入明细表",
    source="000 (十二)、(十四)",
    reads=("WalkInCheckIn", "WalkInCheckOut", "FamilyOvernight", "FamilyMeal", "TeaRoomIncome",
           "MonthlyStatement"),
    kinds=("week", "month"),
    rows=income_table,
    help="每周一报上周收入明细表,每月一报上月收入明细表;写清楚散客收入类型。",
    filters=(Filter("kind", "收入类型", INCOME_TYPES),
             Filter("method", "收费方式", [*PAYMENT_METHODS, MONTHLY])),
    chart=Chart("各类收入金额(元)", label=1, value=5),
    due=due,
)
