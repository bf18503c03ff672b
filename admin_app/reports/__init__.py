"""The handbook's reports: each a :class:`~admin_app.reports.base.Report` declaration, one generic page
(views/reports.py) renders them all. Add a report by declaring it in a module here and listing it."""

from __future__ import annotations

from admin_app.reports import archives, complaints, income, keys
from admin_app.reports.base import Chart, Col, Filter, Report, ReportTable

#: Every report, in the order the catalogue lists them.
REPORTS: tuple[Report, ...] = (
    income.REPORT,
    complaints.COMPLAINT_REPORT,
    complaints.SURVEY_REPORT,
    keys.KEY_REPORT,
    keys.PASS_REPORT,
    keys.CARD_REPORT,
    archives.REPORT,
)


def find(slug: str) -> Report | None:
    return next((r for r in REPORTS if r.slug == slug), None)


__all__ = ["REPORTS", "Chart", "Col", "Filter", "Report", "ReportTable", "find"]
