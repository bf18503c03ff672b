"""Excel import, through HTTP: the template of every register, the check that names 行号/列名/原因 and
writes nothing, 确认导入 writing every row in one transaction or none, permissions and CSRF on every
endpoint; and `seed` reading .xlsx files through the same row path."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from models.archives import CustomerArchive
from models.base import declared_models
from models.finance import PurchaseOrder, TeaRoomIncome
from models.front_desk import CallRecord
from models.reference import Department, Room, User
from models.repairs import RepairCallback, RepairOrder
from models.residence import FamilyOvernight
from seed.loader import SeedError, convert_value, load
from tests.test_registers_walk import catalogue, user_with

CALLS = "/admin/call_records/"
#: A valid row of the 来电、来访咨询记录 template, in its column order.
CALL = [dt.datetime(2026, 11, 20, 9, 30), "来电", "张三", "13900000000", "A栋/101", None, "咨询", "问电费",
        "龚小聪", None, None, None]
SECOND = [dt.datetime(2026, 11, 20, 10, 0), "来访", "李四", None, None, "3号楼", "投诉", "噪音", None, None,
          None, None]
IMPORTABLE = [m.__name__ for m in declared_models()
              if m.__register__.kind != "line" and not m.__register__.readonly]


# -- helpers ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def import_folder(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Checked uploads wait in the test's own folder."""
    folder = tmp_path / "imports"
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(folder))
    return folder


def template(user: Any, url: str = CALLS) -> openpyxl.Workbook:
    response = user.get(url + "import/template/")
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.data))


def filled(*rows: list[Any], url: str = CALLS, user: Any = None,
           book: openpyxl.Workbook | None = None) -> bytes:
    book = book or template(user, url)
    for row in rows:
        book.worksheets[0].append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(user: Any, data: bytes, url: str = CALLS, name: str = "导入.xlsx", **kwargs: Any) -> Any:
    return user.post(url + "import/", {"file": (io.BytesIO(data), name)}, **kwargs)


def token_of(response: Any) -> str | None:
    match = re.search(r'name="token" value="([^"]+)"', response.get_data(as_text=True))
    return match.group(1) if match else None


def confirm(user: Any, token: str, url: str = CALLS, **kwargs: Any) -> Any:
    return user.post(url + "import/confirm/", {"token": token}, **kwargs)


def faults(response: Any) -> list[tuple[str, ...]]:
    """The check's table: (行号, 列名, 原因) per fault, with 工作表 first when it shows."""
    page = response.get_data(as_text=True)
    table = re.search(r'<table class="[^"]*import-faults.*?</table>', page, re.S)
    assert table, page[-2000:]
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0).split("<tbody>")[1], re.S)
    return [tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S))
            for row in rows]


def count(session: Any, model: Any) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def newest(session: Any, model: Any, n: int = 1) -> list[Any]:
    session.expire_all()
    return list(session.scalars(sa.select(model).order_by(model.id.desc()).limit(n)))[::-1]


# -- the template ------------------------------------------------------------------------------------


def test_template_headers_are_the_form_labels_in_form_order(app: Flask, clerk: Any) -> None:
    sheet = template(clerk).worksheets[0]
    labels = [f["label"] for f in catalogue(app)["CallRecord"]["fields"]]
    assert [c.value for c in sheet[1]] == labels


def test_template_offers_choices_as_drop_downs_from_a_hidden_sheet(clerk: Any) -> None:
    book = template(clerk)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    options = book["选项"]
    assert options.sheet_state == "hidden"
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        match = re.fullmatch(r"'选项'!\$([A-Z]+)\$1:\$[A-Z]+\$(\d+)", validation.formula1)
        assert validation.type == "list" and match, validation.formula1
        cells = options[f"{match[1]}1:{match[1]}{match[2]}"]
        lists[headers[openpyxl.utils.column_index_from_string(column) - 1]] = [r[0].value for r in cells]
    assert lists["方式"] == ["来电", "来访"]
    assert lists["类型"] == ["咨询", "报修", "投诉", "建议", "求助"]
    assert "龚小聪" in lists["首问责任人"]  # a small reference table: pick by name


def test_template_formats_date_and_money_columns_and_explains_each_column(accountant: Any) -> None:
    sheet = template(accountant, "/admin/purchase_orders/").worksheets[0]
    headers = {c.value: c for c in sheet[1]}
    column = {label: cell.column_letter for label, cell in headers.items()}
    assert sheet.column_dimensions[column["申请日期"]].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions[column["合计金额"]].number_format == "#,##0.00"
    assert "各明细金额之和" in headers["合计金额"].comment.text
    assert headers["采购事由"].comment.text.startswith("必填")


def test_inline_register_template_has_a_line_sheet_keyed_by_row(accountant: Any) -> None:
    book = template(accountant, "/admin/purchase_orders/")
    heading = [c.value for c in book["采购单明细"][1]]
    assert heading == ["主表行号", "品名", "规格", "单位", "数量", "单价", "金额"]


@pytest.mark.parametrize("name", IMPORTABLE)
def test_every_register_and_reference_table_has_a_template(app: Flask, session: Any, as_user: Any,
                                                          name: str) -> None:
    entry = catalogue(app, "--all")[name]
    user = as_user(user_with(session, name, {"create"}))
    sheet = template(user, entry["url"]).worksheets[0]
    assert [c.value for c in sheet[1]] == [f["label"] for f in entry["fields"]]


# -- a good file ---------------------------------------------------------------------------------------


def test_checking_a_good_file_writes_nothing_until_confirmed(session: Any, clerk: Any) -> None:
    before = count(session, CallRecord)

    checked = upload(clerk, filled(CALL, SECOND, user=clerk))

    assert checked.status_code == 200
    assert "检查通过" in checked.get_data(as_text=True) and "将写入 2 条" in checked.get_data(as_text=True)
    assert count(session, CallRecord) == before


def test_confirmed_file_imports_every_row_as_the_form_would(session: Any, clerk: Any) -> None:
    before = count(session, CallRecord)
    token = token_of(upload(clerk, filled(CALL, SECOND, user=clerk)))
    assert token

    response = confirm(clerk, token)

    assert response.status_code == 302
    assert count(session, CallRecord) == before + 2
    first, last = newest(session, CallRecord, 2)
    assert (first.caller, first.received_at, first.room.label) == ("张三", CALL[0], "A栋-101")
    assert (last.caller, last.address, last.matter_type) == ("李四", "3号楼", "投诉")
    for record in (first, last):
        assert record.number.startswith("XST-HD-KF-002-")
        assert (record.recorded_by.username, record.department.name) == ("clerk", "客服部")


def test_links_resolve_by_name_key_or_document_number(session: Any, head: Any) -> None:
    order = session.scalars(sa.select(RepairOrder).order_by(RepairOrder.id)).first()
    by_key = f"{order.called_at:%Y-%m-%d %H:%M}/{order.resident}"
    url = "/admin/repair_callbacks/"
    book = template(head, url)
    headers = [c.value for c in book.worksheets[0][1]]

    def row(repair: str, day: int, who: str) -> list[Any]:
        values = {"报修记录": repair, "回访日期": dt.date(2026, 11, day), "满意度": "满意", "回访人": who}
        return [values.get(h) for h in headers]

    token = token_of(upload(head, filled(row(order.number, 20, "黎主管"), row(by_key, 21, "head"),
                                         book=book), url))
    assert token, "check failed"
    assert confirm(head, token, url).status_code == 302

    first, second = newest(session, RepairCallback, 2)
    assert first.repair_order_id == second.repair_order_id == order.id
    assert first.called_back_by.username == second.called_back_by.username == "head"


def test_imported_records_get_what_before_save_computes(session: Any, clerk: Any) -> None:
    url = "/admin/family_overnights/"
    book = template(clerk, url)
    headers = [c.value for c in book.worksheets[0][1]]
    values = {"长者": "王淑芬/HY2023-015", "留宿家属": "王小明", "特殊情况说明": "术后陪护",
              "留宿日期": dt.date(2026, 11, 20), "晚数": 3}
    token = token_of(upload(clerk, filled([values.get(h) for h in headers], book=book), url))
    assert token

    assert confirm(clerk, token, url).status_code == 302

    (record,) = newest(session, FamilyOvernight)
    assert (record.family_member, record.nights, record.fee) == ("王小明", 3, Decimal("300.00"))


def test_checklist_cell_ticks_the_named_items(session: Any, clerk: Any) -> None:
    url = "/admin/customer_archives/"
    book = template(clerk, url)
    headers = [c.value for c in book.worksheets[0][1]]
    values = {"档案编号": "DA-XLSX-1", "户主/业主": "赵六", "档案资料": "入住通知单;缴费通知单"}
    token = token_of(upload(clerk, filled([values.get(h) for h in headers], book=book), url))
    assert token
    assert confirm(clerk, token, url).status_code == 302

    (archive,) = newest(session, CustomerArchive)
    assert [item.label for item in archive.documents] == ["入住通知单", "缴费通知单"]


def test_line_items_come_from_their_sheet_by_row_number(session: Any, accountant: Any) -> None:
    url = "/admin/purchase_orders/"
    book = template(accountant, url)
    book["采购单明细"].append([3, "笔", None, "支", 2, 1.5, 3])
    book["采购单明细"].append([2, "纸杯", None, "包", 3, 10, 30])
    data = filled([dt.date(2026, 11, 20), "采购纸杯", "部门自行采购", 30, "否"],
                  [dt.date(2026, 11, 21), "采购笔", "采购中心采购", 3, "否"], book=book)
    token = token_of(upload(accountant, data, url))
    assert token
    assert confirm(accountant, token, url).status_code == 302

    cups, pens = newest(session, PurchaseOrder, 2)
    assert [(line.item, line.qty) for line in cups.lines] == [("纸杯", Decimal("3.00"))]
    assert [(line.item, line.unit_price) for line in pens.lines] == [("笔", Decimal("1.50"))]


def test_it_imports_the_staff_list(session: Any, it_admin: Any) -> None:
    url = "/admin/users/"
    book = template(it_admin, url)
    headers = [c.value for c in book.worksheets[0][1]]
    staff = [{"登录名": "zhang3", "姓名": "张三", "部门": "客服部", "角色": "客服员;员工",
              "联系电话": 13800001111},
             {"登录名": "li4", "姓名": "李四", "部门": "工程部", "职位": "水电工"}]
    token = token_of(upload(it_admin, filled(*[[s.get(h) for h in headers] for s in staff], book=book), url))
    assert token
    assert confirm(it_admin, token, url).status_code == 302

    session.expire_all()
    found = session.scalars(sa.select(User).where(User.username.in_(["zhang3", "li4"])))
    users = {u.username: u for u in found}
    assert (users["zhang3"].name, users["zhang3"].department.name) == ("张三", "客服部")
    assert sorted(users["zhang3"].role_names) == ["员工", "客服员"]
    assert users["zhang3"].phone == "13800001111"
    assert (users["li4"].position, users["li4"].active) == ("水电工", True)
    assert not users["li4"].check_password("")  # no password: cannot sign in until IT sets one


# -- a bad file ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("类型", "吐槽", "「吐槽」不是可选值之一(咨询、报修、投诉、建议、求助)"),
    ("来电/来访时间", "昨天下午", "「昨天下午」不是有效的日期时间 YYYY-MM-DD HH:MM"),
    ("房号", "A栋/999", "找不到房间「A栋/999」(请填楼栋/房号)"),
    ("首问责任人", "不存在的人", "找不到用户「不存在的人」(请填登录名、姓名)"),
    ("内容", None, "新记录必须填写"),
], ids=["choice", "date", "link", "person", "required"])
def test_one_bad_row_writes_nothing_and_is_named_by_row_column_reason(
        session: Any, clerk: Any, column: str, value: Any, reason: str) -> None:
    book = template(clerk)
    bad = list(CALL)
    bad[[c.value for c in book.worksheets[0][1]].index(column)] = value
    bad[2] = "李四"
    before = count(session, CallRecord)

    checked = upload(clerk, filled(CALL, bad, book=book))

    assert checked.status_code == 200
    assert faults(checked) == [("3", column, reason)]
    assert "未写入任何数据" in checked.get_data(as_text=True)
    assert token_of(checked) is None  # no 确认导入
    assert count(session, CallRecord) == before


def test_row_repeating_an_earlier_row_is_refused(clerk: Any) -> None:
    checked = upload(clerk, filled(CALL, CALL, user=clerk))

    assert faults(checked) == [
        ("3", "", "与第 2 行重复(来电/来访时间「2026-11-20 09:30」、来电/来访人「张三」)")]


def test_row_of_an_already_recorded_key_is_refused(clerk: Any) -> None:
    token = token_of(upload(clerk, filled(CALL, user=clerk)))
    assert token and confirm(clerk, token).status_code == 302

    checked = upload(clerk, filled(CALL, user=clerk))

    ((line, column, reason),) = faults(checked)
    assert (line, column) == ("2", "")
    assert reason.startswith("已有相同的来电、来访咨询记录记录")


def test_the_records_own_rules_refuse_a_row(clerk: Any) -> None:
    url = "/admin/family_overnights/"
    book = template(clerk, url)
    headers = [c.value for c in book.worksheets[0][1]]
    values = {"长者": "王淑芬", "留宿家属": "王小明", "特殊情况说明": "陪护",
              "留宿日期": dt.date(2026, 11, 20), "晚数": 0}

    checked = upload(clerk, filled([values.get(h) for h in headers], book=book), url)

    assert faults(checked) == [("2", "晚数", "留宿晚数至少 1 晚")]


def test_unknown_column_is_named(clerk: Any) -> None:
    book = template(clerk)
    book.worksheets[0].cell(row=1, column=13, value="颜色")

    checked = upload(clerk, filled(CALL, book=book))

    assert faults(checked) == [("1", "颜色", "没有「颜色」这一列,请使用模板中的列名")]


def test_line_of_a_row_that_is_not_there_is_named_on_its_sheet(accountant: Any) -> None:
    url = "/admin/purchase_orders/"
    book = template(accountant, url)
    book["采购单明细"].append([9, "纸", None, "包", 1, 1, 1])

    order = [dt.date(2026, 11, 20), "采购纸", "部门自行采购", 1, "否"]

    checked = upload(accountant, filled(order, book=book), url)

    assert faults(checked) == [("采购单明细", "2", "主表行号", "主表行号「9」在主表中没有这一行")]


def test_empty_template_is_refused_with_a_reason(clerk: Any) -> None:
    checked = upload(clerk, filled(user=clerk))

    assert faults(checked) == [("1", "", "文件中没有要导入的记录(第一行是列名,从第二行起每行一条记录)")]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("来电.csv", "来电/来访人\n张三\n".encode(), "只能导入 Excel 工作簿(.xlsx)"),
    ("来电.xls", b"\xd0\xcf\x11\xe0 old excel", "不支持旧版 Excel(.xls)文件"),
    ("来电.xlsx", b"this is not a workbook", "无法读取这个文件"),
], ids=["csv", "xls", "not-a-workbook"])
def test_wrong_file_gets_a_chinese_message(session: Any, clerk: Any, name: str, data: bytes,
                                            message: str) -> None:
    response = upload(clerk, data, name=name)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_too_large_file_gets_a_chinese_message(app: Flask, clerk: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data = filled(CALL, user=clerk)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", len(data) - 1)

    response = upload(clerk, data)

    assert response.status_code == 400
    assert "文件过大:导入的文件不能超过" in response.get_data(as_text=True)


# -- 确认导入 checks again ---------------------------------------------------------------------------------


def test_confirm_rechecks_and_writes_nothing_when_a_row_became_bad(session: Any, clerk: Any) -> None:
    token = token_of(upload(clerk, filled(CALL, SECOND, user=clerk)))
    assert token
    session.add(CallRecord(received_at=CALL[0], caller="张三", matter_type="咨询", content="先登记了"))
    session.commit()
    before = count(session, CallRecord)

    response = confirm(clerk, token)

    assert response.status_code == 200
    assert "重新检查未通过" in response.get_data(as_text=True)
    assert [f[:2] for f in faults(response)] == [("2", "")]
    assert count(session, CallRecord) == before


def test_confirming_twice_imports_once(session: Any, clerk: Any) -> None:
    token = token_of(upload(clerk, filled(CALL, user=clerk)))
    assert token
    before = count(session, CallRecord)
    assert confirm(clerk, token).status_code == 302

    again = confirm(clerk, token)

    assert again.status_code == 400
    assert "这次上传已失效" in again.get_data(as_text=True)
    assert count(session, CallRecord) == before + 1


def test_another_users_token_is_refused(session: Any, clerk: Any, head: Any) -> None:
    token = token_of(upload(clerk, filled(CALL, user=clerk)))
    assert token
    before = count(session, CallRecord)

    assert confirm(head, token).status_code == 400
    assert count(session, CallRecord) == before
    assert confirm(clerk, token).status_code == 302  # still the clerk's to confirm


# -- permissions and CSRF ------------------------------------------------------------------------------


def test_role_without_create_gets_403_on_template_upload_and_confirm(session: Any, clerk: Any,
                                                                    as_user: Any) -> None:
    data = filled(CALL, user=clerk)
    token = token_of(upload(clerk, data))
    assert token
    gm = as_user("gm")  # 总经理: 查看 导出 only
    before = count(session, CallRecord)

    assert gm.get(CALLS + "import/template/").status_code == 403
    assert gm.get(CALLS + "import/").status_code == 403
    assert upload(gm, data).status_code == 403
    assert confirm(gm, token).status_code == 403
    assert count(session, CallRecord) == before


def test_readonly_register_refuses_import(as_user: Any) -> None:
    it = as_user("it")
    assert it.get("/admin/residence_changes/import/template/").status_code == 403


def test_upload_and_confirm_without_csrf_token_are_refused(session: Any, clerk: Any,
                                                           import_folder: Path) -> None:
    data = filled(CALL, user=clerk)

    assert upload(clerk, data, csrf=False).status_code == 400
    assert not import_folder.exists() or not any(import_folder.iterdir())
    token = token_of(upload(clerk, data))
    assert token
    before = count(session, CallRecord)
    assert confirm(clerk, token, csrf=False).status_code == 400
    assert count(session, CallRecord) == before


def test_list_page_offers_template_and_import_to_creators_only(clerk: Any, as_user: Any) -> None:
    page = clerk.get(CALLS).get_data(as_text=True)
    assert "下载模板" in page and CALLS + "import/" in page
    gm_page = as_user("gm").get(CALLS).get_data(as_text=True)
    assert "下载模板" not in gm_page and CALLS + "import/" not in gm_page


# -- seed reads .xlsx files ----------------------------------------------------------------------------


def seed_book(path: Path, sheet: str, *rows: list[Any]) -> Path:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_seed_reads_an_xlsx_file_by_labels(session: Any, tmp_path: Path) -> None:
    seed_book(tmp_path / "01_部门.xlsx", "部门", ["部门名称", "所属机构", "职责"],
              ["法务部", "岭南养生谷", "合同审核"], ["后勤部", "岭南养生谷", None])

    report = load(session, tmp_path)

    assert report.counts == {"01_部门.xlsx「部门」": {"新增": 2, "更新": 0, "未变": 0}}
    session.expire_all()
    legal = session.scalar(sa.select(Department).where(Department.name == "法务部"))
    assert (legal.organisation, legal.description) == ("岭南养生谷", "合同审核")


def test_seed_xlsx_second_run_changes_nothing(session: Any, tmp_path: Path) -> None:
    seed_book(tmp_path / "rooms.xlsx", "Room", ["building", "number", "floor", "room_type", "area"],
              ["A栋", "1201", 9, "套房", 52])
    load(session, tmp_path)

    report = load(session, tmp_path)

    assert report.changed == 0


def test_seed_xlsx_bad_row_names_file_sheet_line_and_writes_nothing(session: Any, tmp_path: Path) -> None:
    seed_book(tmp_path / "rooms.xlsx", "房间", ["楼栋", "房号", "楼层", "房型"],
              ["A栋", "1201", 9, "套房"], ["A栋", "1202", 9, "豪华间"])

    with pytest.raises(SeedError) as refused:
        load(session, tmp_path)

    assert refused.value.problems == [
        "rooms.xlsx 工作表「房间」 第 3 行:字段 room_type:「豪华间」不是可选值之一"
        "(单人间、双人间、套房、月子房、住宅、商铺、办公)"]
    session.expire_all()
    assert session.scalar(sa.select(Room).where(Room.number == "1201")) is None


def test_cli_seed_accepts_an_xlsx_file_in_its_directory(app: Flask, tmp_path: Path) -> None:
    seed_book(tmp_path / "01_部门.xlsx", "Department", ["name", "organisation"], ["法务部", "岭南养生谷"])

    result = app.test_cli_runner().invoke(args=["seed", "--dir", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "01_部门.xlsx「Department」: 新增 1,更新 0,未变 0" in result.output


# -- spreadsheet cells ------------------------------------------------------------------------------------


def test_spreadsheet_number_in_a_money_column_is_rounded_to_cents() -> None:
    assert convert_value(TeaRoomIncome.__table__.c.amount, 0.1 + 0.2) == Decimal("0.30")


def test_spreadsheet_date_in_a_text_column_reads_as_the_date() -> None:
    assert convert_value(TeaRoomIncome.__table__.c.item, dt.datetime(2026, 11, 1)) == "2026-11-01"


@pytest.mark.parametrize("text", ["2026/11/20 9:30", "2026年11月20日 09:30", "2026.11.20 09:30"])
def test_dates_written_the_usual_ways_are_read(text: str) -> None:
    assert convert_value(CallRecord.__table__.c.received_at, text) == dt.datetime(2026, 11, 20, 9, 30)
