"""List pages: search, sort and filters work on every register; pickers and line items."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from models.finance import PurchaseOrder
from models.front_desk import CallRecord
from tests.factories import make_row, model_named
from tests.test_registers_walk import REGISTER_NAMES, catalogue, user_with


@pytest.mark.parametrize("name", REGISTER_NAMES)
def test_search_sort_and_every_filter_answer(app: Flask, session: Any, as_user: Any, name: str) -> None:
    make_row(session, model_named(name))
    url = catalogue(app)[name]["url"]
    user = as_user(user_with(session, name, {"view"}))
    page = user.get(url)
    assert page.status_code == 200
    assert user.get(url + "?search=样").status_code == 200
    html = page.get_data(as_text=True)
    for sort in sorted(set(re.findall(r"[?&]sort=(\d+)", html))):
        assert user.get(f"{url}?sort={sort}&desc=1").status_code == 200, sort
    view = next(v for v in app.extensions["kefu_admin"]._views if getattr(v, "model", None)
                is model_named(name))
    for index, flt in enumerate(view._filters or []):
        value = "2026-11-23" if "date" in type(flt).__name__.lower() else "1"
        if getattr(flt, "options", None):
            value = str(flt.options[0][0]) if flt.options else value
        response = user.get(f"{url}?flt0_{index}={value}")
        assert response.status_code == 200, (type(flt).__name__, flt.name)


def two_calls(session: Any) -> None:
    for caller, kind, content in (("欧阳伯伯", "咨询", "问餐费"), ("李阿姨", "报修", "灯不亮")):
        session.add(CallRecord(received_at=sa.func.now(), caller=caller, matter_type=kind, content=content))
    session.commit()


def test_search_finds_by_text(head: Any, session: Any) -> None:
    two_calls(session)
    html = head.get("/admin/call_records/?search=欧阳").get_data(as_text=True)
    assert "欧阳伯伯" in html and "李阿姨" not in html


def test_filter_by_choice(head: Any, session: Any) -> None:
    two_calls(session)
    view = next(v for v in head.client.application.extensions["kefu_admin"]._views
                if getattr(v, "model", None) is CallRecord)
    index = next(i for i, f in enumerate(view._filters) if str(f.name) == "类型"
                 and str(f.operation()) in ("等于", "equals"))
    html = head.get(f"/admin/call_records/?flt0_{index}=报修").get_data(as_text=True)
    assert "李阿姨" in html and "欧阳伯伯" not in html


def test_list_shows_links_by_name(head: Any, session: Any) -> None:
    session.add(CallRecord(received_at=sa.func.now(), caller="欧阳伯伯", matter_type="咨询", content="问",
                           room_id=session.scalar(sa.select(sa.text("id")).select_from(sa.text("rooms")))))
    session.commit()
    html = head.get("/admin/call_records/").get_data(as_text=True)
    assert "A栋-101" in html


def test_picker_returns_rows_the_user_may_see(clerk: Any) -> None:
    response = clerk.get("/admin/key_loans/ajax/lookup/?name=key&query=A栋")
    assert response.status_code == 200
    rows = json.loads(response.get_data(as_text=True))
    assert "A栋-101" in [text for _, text in rows]


def test_picker_into_a_register_the_user_may_not_see_is_refused(as_user: Any) -> None:
    employee = as_user("employee")  # may write vouchers, may not see 出入库单
    assert employee.get("/admin/payment_vouchers/ajax/lookup/?name=stock_slip&query=").status_code == 403
    assert employee.get("/admin/payment_vouchers/ajax/lookup/?name=purchase_order&query=").status_code == 200


def test_line_items_are_saved_and_shown(accountant: Any, session: Any) -> None:
    data = {
        "applied_on": "2026-11-23", "reason": "客房备用品", "purchase_by": "采购中心采购",
        "lines-0-item": "抽纸", "lines-0-unit": "箱", "lines-0-qty": "2", "lines-0-unit_price": "45.50",
        "lines-0-amount": "91.00",
        "lines-1-item": "洗衣液", "lines-1-unit": "箱", "lines-1-qty": "1", "lines-1-unit_price": "80",
        "lines-1-amount": "80.00",
    }
    assert accountant.post("/admin/purchase_orders/new/", data).status_code == 302
    session.expire_all()
    order = session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.reason == "客房备用品")).one()
    lines = [(line.item, line.qty) for line in order.lines]
    assert lines == [("抽纸", Decimal("2")), ("洗衣液", Decimal("1"))]
    html = accountant.get(f"/admin/purchase_orders/details/?id={order.id}").get_data(as_text=True)
    assert "抽纸" in html and "洗衣液" in html and "品名" in html
