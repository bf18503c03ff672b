"""报表: one page machine for every report of ``admin_app.reports``, with its menu entries.

Permissions are the registers' own: a report opens only for a user with ``view`` on every register
it reads, and downloads only with ``export`` on all of them; anything else is a 403, never a hidden
button alone.
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, redirect, request, send_file, url_for
from flask_admin import Admin, BaseView, expose
from flask_admin.menu import MenuLink
from flask_login import current_user
from sqlalchemy.orm import scoped_session

from admin_app.clock import today
from admin_app.permissions import can
from admin_app.reports import REPORTS, Report, find
from admin_app.reports.periods import EXAMPLES, KINDS, Period, PeriodError, last_finished, parse
from admin_app.scope import sees_every_row
from views.report_output import bar_chart, cell_text, workbook

CATEGORY = "报表"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The browser's own picker for a report of one kind; other reports take typed text.
INPUT_TYPES = {"week": "week", "month": "month"}


def allowed(report: Report, action: str = "view") -> bool:
    """``action`` on every register the report reads, and every row of them (figures are centre-wide)."""
    return (current_user.is_authenticated and all(can(action, model) for model in report.reads)
            and sees_every_row(report.reads, current_user._get_current_object()))


class ReportsView(BaseView):
    def __init__(self, session: scoped_session) -> None:
        self.session = session
        super().__init__(name="全部报表", category=CATEGORY, endpoint="reports", url="/admin/reports")

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        return any(allowed(r) for r in REPORTS)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self) -> str:
        visible = [(r, last_finished(r.kinds[0], today())) for r in REPORTS if allowed(r)]
        return self.render("admin/reports_index.html", reports=visible, kinds=KINDS)

    def opened(self, slug: str, action: str) -> Report:
        report = find(slug)
        if report is None:
            abort(404)
        if not allowed(report, "view") or not allowed(report, action):
            abort(403)
        return report

    def period_and_filters(self, report: Report) -> tuple[Period | None, dict[str, str], list[str]]:
        """What the request asks for, and the Chinese reasons it cannot be shown, if any."""
        errors: list[str] = []
        text = (request.args.get("period") or "").strip()
        period = None
        if text:
            try:
                period = parse(text, report.kinds)
            except PeriodError as exc:
                errors.append(str(exc))
        else:
            period = last_finished(report.kinds[0], today())
        filters: dict[str, str] = {}
        for f in report.filters:
            value = (request.args.get(f.name) or "").strip()
            if value and value not in f.choices:
                errors.append(f"{f.label}「{value}」不在可选范围内,请从下拉框选择。")
            elif value:
                filters[f.name] = value
        return period, filters, errors

    @staticmethod
    def conditions(report: Report, filters: dict[str, str]) -> list[str]:
        return [f"{f.label}:{filters[f.name]}" for f in report.filters if f.name in filters]

    @expose("/<slug>")
    def show(self, slug: str) -> Any:
        report = self.opened(slug, "view")
        period, filters, errors = self.period_and_filters(report)
        if errors or period is None:
            return self.page(report, None, filters, errors), 400
        return self.page(report, period, filters, [])

    @expose("/<slug>/xlsx")
    def xlsx(self, slug: str) -> Any:
        report = self.opened(slug, "export")
        period, filters, errors = self.period_and_filters(report)
        if errors or period is None:
            return self.page(report, None, filters, errors), 400
        table = report.rows(self.session, period, filters)
        data = workbook(report, period, table, self.conditions(report, filters))
        name = f"{report.label}_{period.code.replace('~', '_')}.xlsx"
        # send_file writes the Chinese name as RFC 5987 filename*, with an ASCII fallback.
        return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)

    def page(self, report: Report, period: Period | None, filters: dict[str, str], errors: list[str]) -> str:
        table = report.rows(self.session, period, filters) if period else None
        chart = None
        if table is not None and report.chart is not None:
            spec = report.chart
            chart = bar_chart(spec.title, spec.bars(table), table.columns[spec.value])
        args = dict(filters)

        def link(p: Period) -> str:
            return url_for(".show", slug=report.slug, period=p.code, **args)

        now = today()
        base = period or last_finished(report.kinds[0], now)
        following = base.next()
        return self.render(
            "admin/report.html", report=report, period=period, table=table, chart=chart, errors=errors,
            filters=filters, cell_text=cell_text, typed=request.args.get("period", ""),
            input_type=INPUT_TYPES.get(report.kinds[0]) if len(report.kinds) == 1 else None,
            examples=[EXAMPLES[k] for k in report.kinds], kinds=KINDS,
            previous_url=link(base.previous()),
            next_url=link(following) if following.start <= now else None,
            next_label="本期(未结束)" if following.contains(now) else "下一期",
            kind_links=[(KINDS[k], link(last_finished(k, now))) for k in report.kinds if k != "range"]
            if len(report.kinds) > 1 else [],
            due=report.due(period) if report.due and period else None,
            can_export=allowed(report, "export"),
            xlsx_url=url_for(".xlsx", slug=report.slug, period=period.code, **args) if period else None,
        )


class ReportLink(MenuLink):
    """One report in the 报表 menu, shown only to users who may open it."""

    def __init__(self, report: Report) -> None:
        super().__init__(name=report.label, category=CATEGORY)
        self.report = report

    def get_url(self) -> str:
        return url_for("reports.show", slug=self.report.slug)

    def is_visible(self) -> bool:
        return allowed(self.report)

    def is_accessible(self) -> bool:
        return allowed(self.report)


def add_reports(admin: Admin, session: scoped_session) -> None:
    """The 报表 menu: the list of reports, then each report the user may open."""
    admin.add_view(ReportsView(session))
    for report in REPORTS:
        admin.add_link(ReportLink(report))
