"""CSV and XLSX export of a register, streamed: rows come from the database in batches and go straight into a
write-only workbook on a temporary file, which the response then sends; memory stays bounded however
many records the list holds.

Cells keep their types: dates and times are Excel dates with a date format, money is a number shown
``#,##0.00``; headings are the Chinese labels; text that a spreadsheet would run as a formula is
neutralised (pitfall 7). A mixin of the generic view: the export endpoint's permission check and the
list's search, filters and sort stay Flask-Admin's.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Query, Session

from admin_app.clock import today
from admin_app.database import READ_ONLY
from admin_app.display import display, neutralise_formula
from seed import workbook
from views import fields

#: Rows fetched from the database at a time.
BATCH = 500
HEADER_FONT = Font(bold=True)


def cell_value(value: Any) -> Any:
    """A model value as a typed spreadsheet value (None for empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return display(value)
    if isinstance(value, dt.datetime | dt.date | int | Decimal):
        return value
    if isinstance(value, list | tuple | set):  # checklists, roles: 「项目;项目」, as an import reads them
        return neutralise_formula(";".join(display(v) for v in value))
    return neutralise_formula(value if isinstance(value, str) else display(value))


def read_apart(engine: Engine, query: Query[Any]) -> Iterator[Any]:
    """``query``'s rows read on a connection of its own, in a transaction that only reads: the request's
    session holds SQLite's write lock (BEGIN IMMEDIATE), which a download must not keep for its length."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection, \
            Session(bind=connection) as reader:
        yield from query.with_session(reader)


class XlsxExportMixin:
    """Replaces Flask-Admin's in-memory (tablib) XLSX export of a register's view."""

    model: Any
    column_formatters_export: dict[str, Any]
    export_max_rows: int

    def _export_tablib(self, export_type: str, return_url: str) -> Any:
        if export_type != "xlsx":
            return super()._export_tablib(export_type, return_url)  # type: ignore[misc]
        label = self.model.__register__.label
        out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (the response closes it, and it is gone)
        self.write_xlsx(out)
        out.seek(0)
        return send_file(out, mimetype=workbook.XLSX_MIME, as_attachment=True,
                         download_name=f"{label}_{today():%Y%m%d}.xlsx")

    def scaffold_auto_joins(self) -> list[Any]:
        """Join only the links a row holds (many-to-one) into list and export queries: collections
        (checklists, several people) load by their own ``selectin``, and batches (``yield_per``) refuse
        a joined collection."""
        links = fields.many_to_one(self.model)
        return [j for j in super().scaffold_auto_joins() if j.key in links]  # type: ignore[misc]

    def export_query(self) -> Any:
        """The list's query with its search, filters and sort, unexecuted and fetched in batches."""
        view_args = self._get_list_extra_args()  # type: ignore[attr-defined]
        sort = self._get_column_by_idx(view_args.sort)  # type: ignore[attr-defined]
        _, query = self.get_list(0, sort[0] if sort else None, view_args.sort_desc,  # type: ignore[attr-defined]
                                 view_args.search, view_args.filters, execute=False,
                                 page_size=self.export_max_rows)
        return query.yield_per(BATCH)

    def _export_data(self) -> tuple[int, Any]:
        """The CSV export's rows, which Flask-Admin streams to the response: the batched query itself, so
        memory stays flat (Flask-Admin would load every record first). Flask-Admin ignores the count."""
        query = self.export_query()
        engine = self.session.get_bind()  # type: ignore[attr-defined]
        return -1, (read_apart(engine, query) if engine.dialect.name == "sqlite" else query)

    def write_xlsx(self, out: Any) -> None:
        columns = self._export_columns  # type: ignore[attr-defined]
        book = Workbook(write_only=True)
        sheet = book.create_sheet(workbook.sheet_title(self.model.__register__.label))
        money = [workbook.number_format(self.model, name) == workbook.MONEY_FORMAT for name, _ in columns]
        for number, (_, label) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = min(40, max(12, 2 * len(label) + 4))
        sheet.freeze_panes = "A2"
        header = []
        for _, label in columns:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = HEADER_FONT
            header.append(cell)
        sheet.append(header)
        for record in self.export_query():
            row = []
            for (name, _), is_money in zip(columns, money, strict=True):
                value = cell_value(self._get_list_value(  # type: ignore[attr-defined]
                    None, record, name, self.column_formatters_export, {}))
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, dt.datetime):
                    cell.number_format = workbook.DATETIME_FORMAT
                elif isinstance(value, dt.date):
                    cell.number_format = workbook.DATE_FORMAT
                elif isinstance(value, Decimal) and is_money:
                    cell.number_format = workbook.MONEY_FORMAT
                row.append(cell)
            sheet.append(row)
        book.save(out)
