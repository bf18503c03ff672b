"""XLSX export, through HTTP: Chinese headings, dates as Excel dates, money as numbers shown #,##0.00,
formulas neutralised, every row of a list larger than one database batch, the list's search kept."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import sqlalchemy as sa
from flask import Flask

from models.archives import CustomerArchive
from models.estate import KeyClientVisitPlan
from models.finance import TeaRoomIncome
from tests.test_registers_walk import catalogue
from views.exporting import BATCH

URL = "/admin/tea_room_incomes/"
SOLD_ON = dt.date(2026, 11, 20)


def add_incomes(app: Flask, count: int, item: str = "普洱茶", amount: Decimal = Decimal("12345.60")) -> None:
    """Many records at once, written as the database sees them (numbers given, hooks not needed)."""
    rows = [{"number": f"T-{item}-{i:05d}", "sold_on": SOLD_ON, "item": f"{item}{i}", "qty": Decimal(1),
             "amount": amount, "payment_method": "现金", "recorded_at": dt.datetime(2026, 11, 20, 9, 30)}
            for i in range(count)]
    with app.extensions["engine"].begin() as conn:
        conn.execute(sa.insert(TeaRoomIncome), rows)


def exported(user: Any, url: str = URL, query: str = "") -> openpyxl.worksheet.worksheet.Worksheet:
    response = user.get(url + "export/xlsx/" + query)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def rows_by_number(sheet: Any) -> dict[str, dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    return {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}


def test_headings_are_the_chinese_labels_of_the_details(app: Flask, clerk: Any) -> None:
    labels = [f["label"] for f in catalogue(app)["TeaRoomIncome"]["fields"]]

    sheet = exported(clerk)

    assert [c.value for c in sheet[1]] == ["单据编号", *labels, "登记时间", "登记人", "部门"]
    assert all(c.font.bold for c in sheet[1])


def test_dates_are_excel_dates_with_date_formats(app: Flask, clerk: Any) -> None:
    add_incomes(app, 1)

    row = rows_by_number(exported(clerk))["T-普洱茶-00000"]

    assert row["日期"].is_date and row["日期"].value == dt.datetime(2026, 11, 20)
    assert row["日期"].number_format == "yyyy-mm-dd"
    assert row["登记时间"].is_date and row["登记时间"].value == dt.datetime(2026, 11, 20, 9, 30)
    assert row["登记时间"].number_format == "yyyy-mm-dd hh:mm"


def test_money_is_a_number_shown_with_thousands_and_cents(app: Flask, clerk: Any) -> None:
    add_incomes(app, 1)

    row = rows_by_number(exported(clerk))["T-普洱茶-00000"]

    assert row["金额"].data_type == "n" and row["金额"].value == 12345.6
    assert row["金额"].number_format == "#,##0.00"


def test_text_that_would_run_as_a_formula_is_neutralised(app: Flask, clerk: Any) -> None:
    add_incomes(app, 1, item='=HYPERLINK("http://example.com")')

    cell = rows_by_number(exported(clerk))['T-=HYPERLINK("http://example.com")-00000']["项目"]

    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://example.com")0'


def test_every_row_of_a_list_larger_than_a_batch_is_exported(app: Flask, session: Any, clerk: Any) -> None:
    add_incomes(app, 2 * BATCH + 7)
    total = session.scalar(sa.select(sa.func.count()).select_from(TeaRoomIncome))

    sheet = exported(clerk)

    numbers = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert len(numbers) == total and len(set(numbers)) == total
    assert {f"T-普洱茶-{i:05d}" for i in range(2 * BATCH + 7)} <= set(numbers)


def test_export_keeps_the_lists_search(app: Flask, clerk: Any) -> None:
    add_incomes(app, 3, item="测试导出绿茶")
    add_incomes(app, 2, item="测试导出花茶")

    sheet = exported(clerk, query="?search=测试导出花茶")

    numbers = sorted(row[0].value for row in sheet.iter_rows(min_row=2))
    assert numbers == ["T-测试导出花茶-00000", "T-测试导出花茶-00001"]


def test_checklists_export_as_the_text_an_import_reads(session: Any, clerk: Any) -> None:
    archive = session.scalars(sa.select(CustomerArchive).where(CustomerArchive.documents.any())).first()
    expected = ";".join(item.label for item in archive.documents)

    row = rows_by_number(exported(clerk, "/admin/customer_archives/"))[archive.number]

    assert row["档案资料"].value == expected


def test_role_without_export_gets_403(clerk: Any) -> None:  # 客服员: 采购单 查看 新建 编辑
    assert clerk.get("/admin/purchase_orders/export/xlsx/").status_code == 403


def test_several_people_of_a_listed_column_export_as_names(session: Any, head: Any) -> None:
    plan = session.scalars(sa.select(KeyClientVisitPlan).where(KeyClientVisitPlan.visitors.any())).first()
    expected = ";".join(user.name for user in plan.visitors)

    row = rows_by_number(exported(head, "/admin/key_client_visit_plans/"))[plan.number]

    assert row["拜访人员"].value == expected
