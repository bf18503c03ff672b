"""Keys and cards: 钥匙管理情况报告 and 办证情况统计表 (monthly, 002 篇3 2.3.10: 每月做出本月办证情况
统计表及钥匙管理情况报告(接收、在管、交出)) and the 智能卡 quarter summary (004 4.3.2: 每季度首月5日前
将上一季度智能卡发放情况进行汇总整理)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.reports.base import Chart, Col, Filters, Report, ReportTable, in_period
from admin_app.reports.periods import Period
from models.keys import CARD_PERIODS, KEY_KINDS, PASS_KINDS, Key, Pass, SmartCard

# ---------------------------------------------------------------- 钥匙管理情况报告


def held_on(key: Key, day: dt.date) -> bool:
    """In the service centre's keeping at the end of ``day``: received by then (keys entered without
    a date were there from the start) and not yet handed over."""
    received = key.received_on is None or key.received_on <= day
    return received and (key.handed_over_on is None or key.handed_over_on > day)


def key_report(session: Session, period: Period, filters: Filters) -> ReportTable:
    keys = list(session.scalars(select(Key)))
    before = period.start - dt.timedelta(days=1)
    rows = []
    for kind in KEY_KINDS:
        mine = [k for k in keys if k.kind == kind]
        rows.append([
            kind,
            sum(k.quantity for k in mine if held_on(k, before)),
            sum(k.quantity for k in mine if k.received_on and period.contains(k.received_on)),
            sum(k.quantity for k in mine if k.handed_over_on and period.contains(k.handed_over_on)),
            sum(k.quantity for k in mine if held_on(k, period.end)),
        ])
    totals = ["合计", *(sum(r[i] for r in rows) for i in range(1, 5))]
    lost = sum(k.quantity for k in keys if k.state == "遗失" and held_on(k, period.end))
    notes = ["单位:把。期末在管 = 期初在管 + 本期接收 − 本期交出;未填接收日期的钥匙视为期初已在管。"]
    if lost:
        notes.append(f"期末在管钥匙中有 {lost} 把台账状态为「遗失」,请跟进处置。")
    columns = [Col("钥匙类别"), Col("期初在管", "int"), Col("本期接收", "int"), Col("本期交出", "int"),
               Col("期末在管", "int")]
    return ReportTable(columns, rows, totals=totals, notes=notes)


KEY_REPORT = Report(
    slug="keys",
    label="钥匙管理情况报告",
    source="002 篇3 2.3.10; 000 (四)1",
    reads=("Key",),
    kinds=("month",),
    rows=key_report,
    help="每月按钥匙台账的接收日期、交出日期统计接收、在管、交出的钥匙。",
    chart=Chart("期末在管钥匙(把)", label=0, value=4),
)

# ---------------------------------------------------------------- 办证情况统计表


def pass_report(session: Session, period: Period, filters: Filters) -> ReportTable:
    passes = list(session.scalars(select(Pass).where(in_period(Pass.valid_from, period))))
    rows = []
    for kind in PASS_KINDS:
        mine = [p for p in passes if p.kind == kind]
        rows.append([kind, len(mine), sum((p.fee or Decimal(0) for p in mine), Decimal("0.00"))])
    totals = ["合计", len(passes), sum((r[2] for r in rows), Decimal("0.00"))]
    return ReportTable([Col("证件类别"), Col("办证数", "int"), Col("收费金额(元)", "money")], rows,
                       totals=totals, notes=["按证件的有效期起始日计入办证当月。"])


PASS_REPORT = Report(
    slug="passes",
    label="办证情况统计表",
    source="002 篇3 2.3.4, 2.3.8, 2.3.10",
    reads=("Pass",),
    kinds=("month",),
    rows=pass_report,
    help="每月做出本月办证情况统计表:车辆出入证、出入证、装修出入证分类统计。",
    chart=Chart("各类证件办证数", label=0, value=1),
)

# ---------------------------------------------------------------- 智能卡季度汇总


def card_report(session: Session, period: Period, filters: Filters) -> ReportTable:
    cards = list(session.scalars(select(SmartCard).where(in_period(SmartCard.issued_at, period))
                                 .order_by(SmartCard.issued_at)))
    kinds = sorted({c.card_type or "未填卡类" for c in cards})
    rows = []
    for kind in kinds:
        mine = [c for c in cards if (c.card_type or "未填卡类") == kind]
        rows.append([kind, len(mine), *(sum(c.period == p for c in mine) for p in CARD_PERIODS),
                     sum((c.fee_paid for c in mine), Decimal("0.00")),
                     sum(not c.holder_signed for c in mine)])
    totals = ["合计", *(sum(r[i] for r in rows) for i in range(1, 5)),
              sum((r[5] for r in rows), Decimal("0.00")), sum(r[6] for r in rows)]
    columns = [Col("卡类"), Col("发放张数", "int"), *(Col(f"按{p}授权", "int") for p in CARD_PERIODS),
               Col("已交费用(元)", "money"), Col("持卡人未签字", "int")]
    return ReportTable(columns, rows, totals=totals)


def card_due(period: Period) -> dt.date:
    """每季度首月5日前: the 5th of the month after the quarter."""
    return (period.end + dt.timedelta(days=1)).replace(day=5)


CARD_REPORT = Report(
    slug="smart-cards",
    label="智能卡季度汇总",
    source="004 4.3.2, 4.4",
    reads=("SmartCard",),
    kinds=("quarter",),
    rows=card_report,
    help="每季度首月5日前,将上一季度《智能卡发放情况表》汇总整理后转交服务中心。",
    chart=Chart("各卡类发放张数", label=0, value=1),
    due=card_due,
)
