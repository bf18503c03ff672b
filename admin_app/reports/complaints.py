"""投诉汇总表 (001 七.25, XST-HD-KF-021) and 业户意见征询统计分析 (001 七.22).

投诉汇总表 counts the complaints received in a period by type, level and responsible department:
how many were valid, closed by the end of the period, still open, and overdue. The handbooks' one
deadline for a complaint is to investigate it the day it is received (002 接待来访投诉: 当天进行调查、
核实), so *overdue* means a valid complaint not investigated on that day.

Its 投诉回访 rows report 002's callback targets for the complaints closed in the period: every
complainant called back within three days (100%), the manager himself at least one in five (20%).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from admin_app.clock import today
from admin_app.reports.base import Chart, Col, Filter, Filters, Report, ReportTable, Row, in_period, ratio
from admin_app.reports.periods import Period
from admin_app.rules.callbacks import complaint_callback_rates
from models.complaints import (
    COMPLAINT_CHANNELS,
    COMPLAINT_LEVELS,
    COMPLAINT_TYPES,
    SURVEY_METHODS,
    Complaint,
    ComplaintHandling,
    OpinionSurvey,
)
from models.repairs import SATISFACTION

# ---------------------------------------------------------------- 投诉汇总表

SUMMARY_COLUMNS = [Col("分类"), Col("项目"), Col("投诉数", "int"), Col("有效投诉", "int"),
                   Col("已办结", "int"), Col("未办结", "int"), Col("超期(未当天核实)", "int"),
                   Col("办结率", "percent")]


@dataclass(frozen=True)
class Case:
    """One complaint received in the period with what its 客户投诉处理表 says."""

    complaint: Complaint
    handling: ComplaintHandling | None
    closed: bool
    """Closed (办结) by the end of the period."""
    overdue: bool


def investigated_late(received_at: dt.datetime, investigated_at: dt.datetime | None, as_of: dt.date) -> bool:
    """Not investigated on the day received (002: 当天进行调查、核实); a complaint received ``as_of``
    that nobody has looked at yet is not late until the day is over."""
    if investigated_at is not None:
        return investigated_at.date() > received_at.date()
    return as_of > received_at.date()


def cases(session: Session, period: Period, channel: str = "") -> list[Case]:
    query = (select(Complaint, ComplaintHandling)
             .outerjoin(ComplaintHandling, ComplaintHandling.complaint_id == Complaint.id)
             .where(in_period(Complaint.received_at, period))
             .order_by(Complaint.received_at, Complaint.id)
             .options(lazyload("*")))  # every link eager-loaded joins more tables than SQLite allows
    if channel:
        query = query.where(Complaint.channel == channel)
    end = period.bounds[1]
    as_of = min(today(), period.end + dt.timedelta(days=1))
    out = []
    for complaint, handling in session.execute(query):
        closed = bool(complaint.valid and handling and handling.closed_at and handling.closed_at < end)
        overdue = complaint.valid and investigated_late(
            complaint.received_at, handling.investigated_at if handling else None, as_of)
        out.append(Case(complaint, handling, closed, overdue))
    return out


def count_row(section: str, item: str, group: list[Case]) -> Row:
    valid = sum(c.complaint.valid for c in group)
    closed = sum(c.closed for c in group)
    return [section, item, len(group), valid, closed, valid - closed, sum(c.overdue for c in group),
            ratio(closed, valid)]


def _grouped(section: str, all_cases: list[Case], key: Callable[[Case], str], order: list[str]) -> list[Row]:
    groups: dict[str, list[Case]] = {}
    for case in all_cases:
        groups.setdefault(key(case), []).append(case)
    names = [n for n in order if n in groups] + sorted(n for n in groups if n not in order)
    return [count_row(section, name, groups[name]) for name in names]


def _department(case: Case) -> str:
    dept = case.handling.responsible_department if case.handling else None
    return dept.name if dept else "未定责任部门"


def callback_rows(session: Session, period: Period) -> list[Row]:
    """In the table's columns: how many were due, how many met the target, how many did not."""
    rates = complaint_callback_rates(session, period.start, period.end)
    return [
        ["投诉回访", "三日内回访(目标100%)", rates.closed, None, rates.in_time, rates.late, None,
         ratio(rates.in_time, rates.closed)],
        ["投诉回访", "经理亲自回访(目标≥20%)", rates.called_back, None, rates.by_manager,
         rates.called_back - rates.by_manager, None, ratio(rates.by_manager, rates.called_back)],
    ]


def complaint_summary(session: Session, period: Period, filters: Filters) -> ReportTable:
    found = cases(session, period, filters.get("channel", ""))
    rows = [
        *_grouped("投诉类别", found, lambda c: c.complaint.complaint_type or "未分类", COMPLAINT_TYPES),
        *_grouped("投诉级别", found, lambda c: c.handling.level if c.handling else "未定级",
                  COMPLAINT_LEVELS),
        *_grouped("责任部门", found, _department, []),
    ]
    rows.extend(callback_rows(session, period))
    totals = count_row("合计", "", found)
    return ReportTable(list(SUMMARY_COLUMNS), rows, totals=totals, notes=[
        "已办结:客户投诉处理表在期末前填写了办结时间;超期:有效投诉未在接到当天调查核实。",
        "办结率 = 已办结 ÷ 有效投诉。",
        "投诉回访:按期内办结的投诉统计。三日内回访一行,投诉数为期内办结数,已办结栏为办结后三日内回访的件数,"
        "未办结栏为未按时回访的件数;经理回访一行,投诉数为已回访数,已办结栏为客服中心经理亲自回访的件数。",
    ])


COMPLAINT_REPORT = Report(
    slug="complaints",
    label="投诉汇总表",
    code="XST-HD-KF-021",
    source="001 七.25; 000 (三); 002 接待来访投诉",
    reads=("Complaint", "ComplaintHandling"),
    kinds=("month", "quarter", "week", "range"),
    rows=complaint_summary,
    help="按期汇总投诉:按类别、级别、责任部门统计件数,办结与超期情况。",
    filters=(Filter("channel", "投诉方式", COMPLAINT_CHANNELS),),
    chart=Chart("各类别投诉数", label=1, value=2, section="投诉类别"),
)

# ---------------------------------------------------------------- 业户意见征询统计分析

#: The survey's items (columns of OpinionSurvey), in the form's order.
SURVEY_ITEMS = ("reception", "repair", "security", "cleaning", "greening", "facilities", "community",
                "charges", "overall")
#: Answers counted as satisfied; 不满意 is not.
SATISFIED = frozenset(SATISFACTION) - {"不满意"}


def survey_analysis(session: Session, period: Period, filters: Filters) -> ReportTable:
    query = select(OpinionSurvey).where(in_period(OpinionSurvey.surveyed_on, period))
    if filters.get("method"):
        query = query.where(OpinionSurvey.method == filters["method"])
    surveys = list(session.scalars(query))
    rows, overall = [], dict.fromkeys(SATISFACTION, 0)
    for item in SURVEY_ITEMS:
        answers = [getattr(s, item) for s in surveys if getattr(s, item)]
        counts = [answers.count(level) for level in SATISFACTION]
        for level, n in zip(SATISFACTION, counts, strict=True):
            overall[level] += n
        satisfied = sum(n for level, n in zip(SATISFACTION, counts, strict=True) if level in SATISFIED)
        label = OpinionSurvey.__table__.c[item].info["label"]
        rows.append([label, *counts, len(answers), ratio(satisfied, len(answers))])
    answered = sum(overall.values())
    totals = ["全部项目", *overall.values(), answered,
              ratio(sum(n for level, n in overall.items() if level in SATISFIED), answered)]
    columns = [Col("征询项目"), *(Col(level, "int") for level in SATISFACTION), Col("有效回答", "int"),
               Col("满意率", "percent")]
    households = len({s.archive_id for s in surveys})
    return ReportTable(columns, rows, totals=totals, notes=[
        f"本期征询 {len(surveys)} 份,涉及 {households} 户。",
        "满意率 = (非常满意 + 满意 + 基本满意)÷ 有效回答;未作答的项目不计。需整改的问题发《整改回复单》。",
    ])


SURVEY_REPORT = Report(
    slug="opinion-survey",
    label="业户意见征询统计分析",
    source="001 七.21–22, 1.3.6",
    reads=("OpinionSurvey",),
    kinds=("quarter", "month", "range"),
    rows=survey_analysis,
    help="按《业户意见征询表》(XST-HD-KF-018)逐项统计满意程度。",
    filters=(Filter("method", "征询方式", SURVEY_METHODS),),
    chart=Chart("各项目满意率", label=0, value=6),
)
