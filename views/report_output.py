"""How a report table is drawn: cells as text, a server-side SVG bar chart and an XLSX workbook."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from admin_app.display import display, neutralise_formula
from admin_app.reports.base import Col, Report, ReportTable
from admin_app.reports.periods import Period

#: Spreadsheet number formats by cell kind: numbers stay numbers, only their look changes.
NUMBER_FORMATS = {"int": "0", "money": "#,##0.00", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm",
                  "percent": "0.0%"}


def cell_text(col: Col, value: Any) -> str:
    """A cell as the page shows it."""
    if value is None:
        return ""
    if col.kind == "percent" and isinstance(value, int | Decimal):
        return f"{Decimal(value) * 100:.1f}%"
    if col.kind == "int" and isinstance(value, Decimal):  # chart sums arrive as Decimal
        return str(int(value))
    return display(value)


# ---------------------------------------------------------------- SVG chart

CHART_WIDTH = 720
LABEL_WIDTH = 190
VALUE_WIDTH = 110
ROW_HEIGHT = 28


def bar_chart(title: str, bars: list[tuple[str, Decimal]], col: Col) -> Markup:
    """Horizontal bars, one per label, each with its value written beside it; no script needed.

    Screen readers get the title and every value in ``<desc>``; the table below says the same.
    """
    if not bars or not any(value for _, value in bars):
        return Markup("")
    top = max(max(value for _, value in bars), Decimal(0)) or Decimal(1)
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW_HEIGHT * len(bars) + 36
    desc = ";".join(f"{label}:{cell_text(col, value)}" for label, value in bars)
    parts = [
        f'<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="100%" style="max-width:{CHART_WIDTH}px" role="img" '
        'aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(desc)}</desc>',
        f'<text x="0" y="18" font-size="15" font-weight="bold" fill="#222">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(bars):
        y = 30 + i * ROW_HEIGHT
        width = max(int(span * max(value, Decimal(0)) / top), 1 if value else 0)
        parts.append(
            f'<g><title>{escape(label)}:{escape(cell_text(col, value))}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" font-size="13" text-anchor="end" fill="#222">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width}" height="{ROW_HEIGHT - 8}" fill="#1f6fb2"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}" font-size="13" fill="#222">'
            f"{escape(cell_text(col, value))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------- XLSX


def _cell(ws: Any, row: int, column: int, col: Col, value: Any) -> Any:
    if isinstance(value, str):
        value = neutralise_formula(value)  # pitfall 7: text starting with = + - @ would run as a formula
    elif isinstance(value, dt.datetime) and col.kind == "date":
        value = value.date()
    cell = ws.cell(row=row, column=column, value=value)
    if not isinstance(value, str) and value is not None and col.kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[col.kind]
    return cell


def workbook(report: Report, period: Period, table: ReportTable, conditions: list[str]) -> bytes:
    """The report as an XLSX file: a title row, the period, notes, Chinese headers, rows and 合计."""
    wb = Workbook()
    ws = wb.active
    ws.title = report.label[:31]
    width = len(table.columns)
    title = f"{report.label}({report.code})" if report.code else report.label
    heading = [title, f"统计期间:{period.label}", *conditions, *table.notes]
    for r, text in enumerate(heading, start=1):
        ws.cell(row=r, column=1, value=neutralise_formula(text))
        if width > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    header_row = len(heading) + 2
    for c, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=header_row, column=c, value=col.label)
        cell.font = Font(bold=True)
        longest = max([len(col.label), *(len(cell_text(col, row[c - 1])) for row in table.rows)])
        # A Chinese character takes about two columns' width.
        ws.column_dimensions[get_column_letter(c)].width = min(60, max(12, 2 * longest + 2))
    for r, row in enumerate(table.rows, start=header_row + 1):
        for c, (col, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            _cell(ws, r, c, col, value)
    if table.totals is not None:
        r = header_row + len(table.rows) + 1
        for c, (col, value) in enumerate(zip(table.columns, table.totals, strict=True), start=1):
            _cell(ws, r, c, col, value).font = Font(bold=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
