"""Printing a record as its handbook form, through HTTP: fields in the form's order, the signature boxes of
its chain as signed, one marked page per copy, the PDF of the same page, permissions."""

from __future__ import annotations

import io
import os
import re
import sys
from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from admin_app.clock import today
from models.reference import ChecklistItem, User
from tests.factories import make_row, model_named
from tests.test_chains import create, decide, submit
from tests.test_registers_walk import REGISTER_NAMES, catalogue, user_with, user_without_any
from views.printing import load_weasyprint, printed_fields

REPAIR_COPIES = ["存根联", "客户联", "工程联"]


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def sheets(page: str) -> list[str]:
    return re.findall(r'<section class="sheet">(.*?)</section>', page, re.S)


def copy_marks(page: str) -> list[str]:
    return [text(m) for m in re.findall(r'<div class="copy">(.*?)</div>', page, re.S)]


def boxes(page: str) -> list[list[str]]:
    """Each signature box of the first sheet: label (with its roles), signer, opinion, date."""
    rows = re.findall(r'<tr class="box">(.*?)</tr>', sheets(page)[0], re.S)
    return [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def field_labels(page: str) -> list[str]:
    """The labels of the fields table of the first sheet, in print order (blank filler cells left out)."""
    table = re.search(r'<table class="fields">(.*?)\n  </table>', sheets(page)[0], re.S)
    assert table
    return [text(th) for th in re.findall(r"<th>(.*?)</th>", table.group(1), re.S) if text(th)]


def name_of(session: Any, username: str) -> str:
    return session.scalar(sa.select(User.name).where(User.username == username))


def print_url(app: Flask, register: str, record_id: Any, what: str = "print") -> str:
    return f"/admin/{model_named(register).__tablename__}/{what}/?id={record_id}"


# -- signature boxes ---------------------------------------------------------------------------------------


def test_submitted_record_prints_signed_boxes_then_empty_ones_in_chain_order(app: Flask, session: Any,
                                                                               as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "PurchaseOrder")
    submit(app, as_user("employee"), "PurchaseOrder", record_id)
    assert decide(app, as_user("head"), "PurchaseOrder", record_id, opinion="同意采购").status_code == 302
    assert decide(app, as_user("buyer"), "PurchaseOrder", record_id).status_code == 302

    page = as_user("employee").get(print_url(app, "PurchaseOrder", record_id)).get_data(as_text=True)

    day = today().isoformat()
    assert boxes(page) == [
        ["部门主管签名", name_of(session, "head"), "同意:同意采购", day],
        ["采购中心专员签名", name_of(session, "buyer"), "同意", day],
        ["采购中心主任签名", "", "", ""],
        ["总经理签名", "", "", ""],
        ["财务签名 财务会计", "", "", ""],  # the role under a label that does not name it
    ]


@pytest.mark.parametrize(("days", "labels"), [
    ("1", ["部门主管意见"]),
    ("3", ["部门主管意见", "综合办领导意见", "总经理意见"]),
])
def test_unsubmitted_record_prints_the_empty_boxes_of_the_chain_that_would_apply(
        app: Flask, session: Any, as_user: Any, days: str, labels: list[str]) -> None:
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days=days)

    page = as_user("employee").get(print_url(app, "LeaveRequest", record_id)).get_data(as_text=True)

    assert [box[0] for box in boxes(page)] == labels
    assert all(box[1:] == ["", "", ""] for box in boxes(page))


def test_countersigned_step_prints_one_box_per_role(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("sales"), "ClientMoveInNotice")
    submit(app, as_user("sales"), "ClientMoveInNotice", record_id)
    assert decide(app, as_user("kitchen"), "ClientMoveInNotice", record_id).status_code == 302

    page = as_user("sales").get(print_url(app, "ClientMoveInNotice", record_id)).get_data(as_text=True)

    signed = {box[0]: box[1] for box in boxes(page)}
    assert len(signed) == 7  # six countersigners, then 护士部存档
    assert signed["各部门会签(餐厨部)"] == name_of(session, "kitchen")
    assert signed["各部门会签(店长)"] == ""


def test_record_without_a_chain_prints_no_signature_boxes(app: Flask, session: Any, clerk: Any) -> None:
    row = make_row(session, model_named("RepairOrder"))

    page = clerk.get(print_url(app, "RepairOrder", row.id)).get_data(as_text=True)

    assert boxes(page) == []
    assert "签字栏" not in page


# -- copies, fields ----------------------------------------------------------------------------------------


def test_three_copy_form_prints_one_marked_page_per_copy(app: Flask, session: Any, clerk: Any) -> None:
    row = make_row(session, model_named("RepairOrder"))

    page = clerk.get(print_url(app, "RepairOrder", row.id)).get_data(as_text=True)

    assert len(sheets(page)) == 3
    assert copy_marks(page) == [f"第{i}联 {name}" for i, name in enumerate(REPAIR_COPIES, 1)]
    assert all(row.number in sheet and "XST-HD-KF-011" in sheet for sheet in sheets(page))


def test_single_copy_form_prints_one_unmarked_page(app: Flask, session: Any, clerk: Any) -> None:
    row = make_row(session, model_named("CallRecord"))

    page = clerk.get(print_url(app, "CallRecord", row.id)).get_data(as_text=True)

    assert len(sheets(page)) == 1
    assert copy_marks(page) == []


def test_fields_print_with_their_labels_in_the_forms_order(app: Flask, session: Any, clerk: Any) -> None:
    row = make_row(session, model_named("RepairOrder"))

    page = clerk.get(print_url(app, "RepairOrder", row.id)).get_data(as_text=True)

    form = [f["label"] for f in catalogue(app)["RepairOrder"]["fields"]]
    assert field_labels(page) == form
    assert f"<th>住户(业主)名称</th><td class=\"value\">{row.resident}</td>" in page


def test_computed_fields_print_where_the_form_declares_them() -> None:
    names = printed_fields(model_named("WalkInCheckIn"))
    assert names.index("fee") == names.index("price") + 1  # 房费 right after 房价 it is computed from
    assert "number" not in names  # the document number prints in the heading


def test_line_items_print_as_a_table(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "PurchaseOrder")
    session.expire_all()
    line = session.get(model_named("PurchaseOrder"), record_id).lines[0]

    page = as_user("employee").get(print_url(app, "PurchaseOrder", record_id)).get_data(as_text=True)

    lines = re.search(r'<th>明细</th><td class="wide" colspan="3">(<table.*?</table>)</td>', page, re.S)
    assert lines, "no table of line items"
    assert "<th>品名</th>" in lines.group(1)
    assert f"<td>{line.item}</td>" in lines.group(1)


def test_checklist_prints_every_item_ticked_or_not(app: Flask, session: Any, clerk: Any) -> None:
    record_id = create(app, session, clerk, "ResidentAdmission")  # the form ticks the first two items
    items = session.scalars(sa.select(ChecklistItem.label).where(ChecklistItem.checklist == "长者入住资料")
                            .order_by(ChecklistItem.position, ChecklistItem.id)).all()

    page = clerk.get(print_url(app, "ResidentAdmission", record_id)).get_data(as_text=True)

    printed = re.findall(r'<span class="item"><span class="tick">(✓?)</span>(.*?)</span>', sheets(page)[0])
    assert [(tick, unescape(label)) for tick, label in printed] == [
        ("✓" if i < 2 else "", label) for i, label in enumerate(items)]


# -- the page around the form ------------------------------------------------------------------------------


def test_print_page_is_a4_with_the_cjk_font(app: Flask, session: Any, clerk: Any) -> None:
    row = make_row(session, model_named("RepairOrder"))

    page = clerk.get(print_url(app, "RepairOrder", row.id)).get_data(as_text=True)

    assert "@page { size: A4; margin: 15mm }" in page
    assert 'font-family: "Noto Sans CJK SC", sans-serif' in page


def test_details_page_has_the_print_button(app: Flask, session: Any, clerk: Any) -> None:
    row = make_row(session, model_named("RepairOrder"))

    page = clerk.get(f"/admin/repair_orders/details/?id={row.id}").get_data(as_text=True)

    assert re.search(rf'href="[^"]*/print/\?id={row.id}"[^>]*>打印</a>', page)


def test_print_needs_view_permission(app: Flask, session: Any, as_user: Any) -> None:
    row = make_row(session, model_named("RepairOrder"))
    outsider = as_user(user_without_any(session, "RepairOrder"))

    for what in ("print", "pdf"):
        response = outsider.get(print_url(app, "RepairOrder", row.id, what))
        assert response.status_code == 403, what
        assert "没有权限" in response.get_data(as_text=True)


@pytest.mark.parametrize("record_id", ["999999", "abc", ""])
def test_unknown_record_is_404(app: Flask, clerk: Any, record_id: str) -> None:
    for what in ("print", "pdf"):
        response = clerk.get(print_url(app, "RepairOrder", record_id, what))
        assert response.status_code == 404, what
        assert "页面不存在" in response.get_data(as_text=True)


def test_anonymous_user_is_sent_to_login(app: Flask, session: Any, browser: Any) -> None:
    row = make_row(session, model_named("RepairOrder"))

    response = browser.get(print_url(app, "RepairOrder", row.id))

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# -- PDF -----------------------------------------------------------------------------------------------------

needs_weasyprint = pytest.mark.skipif(
    os.environ.get("CI") != "true" and load_weasyprint() is None,
    reason="WeasyPrint or its system libraries cannot load (apt-get install the packages named in README)")


@needs_weasyprint
def test_pdf_is_the_form_with_one_page_per_copy(app: Flask, session: Any, clerk: Any) -> None:
    from pypdf import PdfReader

    row = make_row(session, model_named("RepairOrder"))

    response = clerk.get(print_url(app, "RepairOrder", row.id, "pdf"))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    pages = PdfReader(io.BytesIO(response.data)).pages
    assert len(pages) == 3
    for page, copy in zip(pages, REPAIR_COPIES, strict=True):
        content = page.extract_text()
        assert "客服报修记录" in content
        assert copy in content
        assert row.number in content


@needs_weasyprint
def test_pdf_carries_the_signatures(app: Flask, session: Any, as_user: Any) -> None:
    from pypdf import PdfReader

    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="2")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    assert decide(app, as_user("head"), "LeaveRequest", record_id, opinion="准假").status_code == 302

    response = as_user("employee").get(print_url(app, "LeaveRequest", record_id, "pdf"))

    pages = PdfReader(io.BytesIO(response.data)).pages
    assert len(pages) == 1
    content = pages[0].extract_text()
    assert "同意:准假" in content
    assert name_of(session, "head") in content
    assert "综合办领导意见" in content


def test_pdf_without_weasyprint_is_a_chinese_503(app: Flask, session: Any, clerk: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    row = make_row(session, model_named("RepairOrder"))
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as on a machine without the library

    response = clerk.get(print_url(app, "RepairOrder", row.id, "pdf"))

    assert response.status_code == 503
    assert "暂时无法生成 PDF" in response.get_data(as_text=True)


# -- every register ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REGISTER_NAMES)
def test_every_register_prints(app: Flask, session: Any, as_user: Any, name: str) -> None:
    model = model_named(name)
    row = make_row(session, model)
    with app.app_context():
        user = as_user(user_with(session, name, {"view"}, row))

    response = user.get(print_url(app, name, row.id))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert len(sheets(page)) == max(1, len(model.__register__.copies))
    assert f"<h1>{model.__register__.label}</h1>" in page
