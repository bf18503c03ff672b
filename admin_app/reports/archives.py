"""客户档案资料明细表 (000 (五)2: 将上月客户档案存档并填写《客户档案资料明细表》): the documents
filed into the households' archives in the month — the files opened, with the documents ticked on
them, and each 客户投诉处理表 stored in an archive when the complaint was closed (000 (三)1(3))."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from admin_app.reports.base import Chart, Col, Filters, Report, ReportTable, in_period
from admin_app.reports.periods import Period
from models.archives import CustomerArchive
from models.complaints import ComplaintHandling

NEW_FILE = "新建档案"
COMPLAINT_FORM = "客户投诉处理表"


def archive_documents(session: Session, period: Period, filters: Filters) -> ReportTable:
    rows = []
    for a in session.scalars(select(CustomerArchive).where(in_period(CustomerArchive.opened_on, period))):
        documents = [d.label for d in a.documents]
        rows.append([a.opened_on, a.archive_no, a.household, str(a.room or ""), NEW_FILE,
                     "、".join(documents), len(documents), a.cabinet or ""])
    filed = session.scalars(select(ComplaintHandling).where(
        ComplaintHandling.archive_id.is_not(None), in_period(ComplaintHandling.closed_at, period))
        .options(lazyload("*")))  # the eager links of a handling join too many tables for SQLite
    for h in filed:
        a = h.archive
        rows.append([h.closed_at.date(), a.archive_no, a.household, str(a.room or ""), COMPLAINT_FORM,
                     f"{COMPLAINT_FORM}({h.complaint})", 1, a.cabinet or ""])
    rows.sort(key=lambda r: (r[0], r[1]))
    columns = [Col("存档日期", "date"), Col("档案编号"), Col("户主/业主"), Col("房号"), Col("存档类别"),
               Col("资料内容"), Col("份数", "int"), Col("存放位置")]
    households = len({r[1] for r in rows})
    totals = ["合计", f"{households} 户", None, None, None, None, sum(r[6] for r in rows), None]
    return ReportTable(columns, rows, totals=totals)


REPORT = Report(
    slug="archive-documents",
    label="客户档案资料明细表",
    source="000 (五)2; 000 (三)1(3)",
    reads=("CustomerArchive", "ComplaintHandling"),
    kinds=("month",),
    rows=archive_documents,
    help="每月将上月客户档案存档并填写本表:新建档案及其资料、存入档案的投诉处理表。",
    chart=Chart("各类存档资料份数", label=4, value=6),
)
