"""No lost updates: an edit form saved over a newer version of its record is refused (who, when, what
changed) and the typed values stay; line items too; simultaneous saves yield one; approvals still work
and two heads signing the same step at once yield one signature."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from admin_app.database import make_engine
from models.approval import Approval, Signature
from models.finance import PurchaseOrder, PurchaseOrderLine
from models.front_desk import CallRecord
from models.reference import User
from models.staff import LeaveRequest
from tests.factories import TODAY

CALLS = "/admin/call_records/"
ORDERS = "/admin/purchase_orders/"


class EditForm(HTMLParser):
    """The fields a browser would post back from the page's admin form, as they were rendered."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self._inside = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._textareas: set[str] = set()
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "admin-form" in a.get("class", ""):
            self._inside = True
        if not self._inside or not a.get("name"):
            if tag == "option" and self._select and "selected" in a:
                self.values[self._select] = a.get("value", "")
            return
        name = a["name"]
        if tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self.values.setdefault(name, []).append(a.get("value", "y"))
        elif tag == "input" and a.get("type") != "submit":
            self.values[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            self._textareas.add(name)
            self.values[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data.replace("\r\n", "\n")

    def close(self) -> None:
        super().close()
        for name in self._textareas:  # a browser drops the newline that opens a textarea
            self.values[name] = self.values[name].removeprefix("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def open_edit(browser: Any, url: str) -> dict[str, Any]:
    response = browser.get(url)
    assert response.status_code == 200
    values = EditForm(response.get_data(as_text=True)).values
    assert values.get("opened_version") and values.get("opened_values"), "the form carries no version"
    return values


def call_record(session: Any) -> int:
    record = CallRecord(received_at=dt.datetime(2026, 11, 23, 9, 30), caller="欧阳伯伯", phone="13800001111",
                        matter_type="咨询", content="问本月餐费")
    session.add(record)
    session.commit()
    return record.id


def current(session: Any, model: type[Any], record_id: int) -> Any:
    session.expire_all()
    return session.get(model, record_id)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


# -- two users, one after the other -------------------------------------------------------------------


def opened_by_both_saved_by_the_clerk(session: Any, clerk: Any, head: Any) -> tuple[int, str, dict[str, Any]]:
    """A call record both open; the clerk saves 来电/来访人 = 欧阳先生. The head's form as it was opened."""
    record_id = call_record(session)
    url = CALLS + f"edit/?id={record_id}"
    mine, theirs = open_edit(clerk, url), open_edit(head, url)
    assert clerk.post(url, {**mine, "caller": "欧阳先生"}).status_code == 302
    return record_id, url, theirs


def test_saving_over_a_newer_version_is_refused_with_who_when_and_what(
        session: Any, clerk: Any, head: Any) -> None:
    record_id, url, theirs = opened_by_both_saved_by_the_clerk(session, clerk, head)
    response = head.post(url, {**theirs, "content": "问下月餐费和停车"})
    assert response.status_code == 200
    page = text(response)
    assert "这条记录在您打开之后已被 龚小聪 于" in page
    assert "来电/来访人:欧阳伯伯 → 欧阳先生" in page
    assert page.count("</li><li>") == 0  # the one change listed alone
    assert "已被改为:欧阳先生" in page  # at its field too
    assert "问下月餐费和停车" in page  # what the head typed is still in the form
    saved = current(session, CallRecord, record_id)
    assert (saved.caller, saved.content) == ("欧阳先生", "问本月餐费")
    assert (saved.version, saved.version_by) == (2, "龚小聪")


def test_after_reading_the_refusal_saving_again_keeps_the_typed_values(
        session: Any, clerk: Any, head: Any) -> None:
    record_id, url, theirs = opened_by_both_saved_by_the_clerk(session, clerk, head)
    refused = EditForm(text(head.post(url, {**theirs, "content": "问下月餐费"}))).values
    assert refused["content"] == "问下月餐费" and refused["opened_version"] == "2"

    assert head.post(url, refused).status_code == 302
    saved = current(session, CallRecord, record_id)
    assert (saved.caller, saved.content) == ("欧阳伯伯", "问下月餐费")
    assert (saved.version, saved.version_by) == (3, "黎主管")


def test_a_form_whose_version_is_garbled_is_refused(session: Any, clerk: Any) -> None:
    record_id = call_record(session)
    url = CALLS + f"edit/?id={record_id}"
    form = {**open_edit(clerk, url), "opened_version": "abc", "opened_values": "forged", "caller": "某人"}
    page = text(clerk.post(url, form))
    assert "保存失败" in page and "无法列出改动了什么" in page
    assert current(session, CallRecord, record_id).caller == "欧阳伯伯"


def purchase_order(session: Any) -> int:
    """An order of 客服部, the department of both the clerk and the head (purchase orders are theirs)."""
    clerk = session.scalar(sa.select(User).where(User.username == "clerk"))
    order = PurchaseOrder(reason="前台打印纸", purchase_by="部门自行采购", department_id=clerk.department_id,
                          lines=[PurchaseOrderLine(item="A4 打印纸", unit="箱", qty=Decimal(2))])
    session.add(order)
    session.commit()
    return order.id


def test_changed_line_items_refuse_a_save_over_them(session: Any, clerk: Any, head: Any) -> None:
    order_id = purchase_order(session)
    url = ORDERS + f"edit/?id={order_id}"
    mine, theirs = open_edit(clerk, url), open_edit(head, url)
    assert clerk.post(url, {**mine, "lines-0-qty": "5"}).status_code == 302  # only a line changed

    response = head.post(url, {**theirs, "reason": "前台打印纸和墨盒"})
    page = text(response)
    assert response.status_code == 200 and "保存失败" in page
    change = re.search(r"<li>明细:(.*?) → (.*?)</li>", page)
    assert change and "2.00" in change[1] and "5.00" in change[2]
    saved = current(session, PurchaseOrder, order_id)
    assert saved.reason == "前台打印纸"
    assert [line.qty for line in saved.lines] == [Decimal(5)]


def test_a_line_item_form_saved_over_a_changed_parent_is_refused(session: Any, clerk: Any, head: Any) -> None:
    order_id = purchase_order(session)
    url = ORDERS + f"edit/?id={order_id}"
    mine, theirs = open_edit(clerk, url), open_edit(head, url)
    assert clerk.post(url, {**mine, "reason": "前台打印纸(加急)"}).status_code == 302

    assert "保存失败" in text(head.post(url, {**theirs, "lines-0-qty": "9"}))
    saved = current(session, PurchaseOrder, order_id)
    assert saved.reason == "前台打印纸(加急)" and [line.qty for line in saved.lines] == [Decimal(2)]


# -- at the same moment -------------------------------------------------------------------------------


def test_simultaneous_saves_of_one_version_yield_one(app: Flask, session: Any, clerk: Any, head: Any) -> None:
    record_id = call_record(session)
    url = CALLS + f"edit/?id={record_id}"
    forms = {"clerk": (clerk, open_edit(clerk, url)), "head": (head, open_edit(head, url))}
    barrier = threading.Barrier(2)
    pages: dict[str, tuple[int, str]] = {}

    def save(who: str) -> None:
        browser, form = forms[who]
        barrier.wait()
        response = browser.post(url, {**form, "caller": f"{who} 改的"})
        pages[who] = (response.status_code, text(response))

    threads = [threading.Thread(target=save, args=(who,)) for who in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in pages.values()) == [200, 302]
    winner = next(who for who, (code, _) in pages.items() if code == 302)
    loser_page = next(page for code, page in pages.values() if code == 200)
    assert "这条记录在您打开之后已被" in loser_page and f"来电/来访人:欧阳伯伯 → {winner} 改的" in loser_page
    saved = current(session, CallRecord, record_id)
    assert (saved.caller, saved.version) == (f"{winner} 改的", 2)


def wait_for_lock_wait(url: str) -> None:
    """Until some session of the database waits for a row lock."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            for _ in range(200):
                waiting = conn.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar()
                if waiting:
                    return
                time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError("the save never waited for the row")


def test_a_write_between_the_check_and_the_save_is_refused_not_an_error(
        app: Flask, session: Any, clerk: Any) -> None:
    db = app.config["DATABASE_URL"]
    if not db.startswith("postgresql"):
        pytest.skip("PostgreSQL only: on SQLite a save holds the write lock from its first read")
    record_id = call_record(session)
    url = CALLS + f"edit/?id={record_id}"
    form = open_edit(clerk, url)
    other = make_engine(db)
    conn = other.connect()
    conn.execute(sa.text("UPDATE call_records SET caller = '司徒先生', version = version + 1, "
                         "version_by = '周经理', version_at = '2026-11-30 08:05:00' WHERE id = :id"),
                 {"id": record_id})  # not committed yet
    result: dict[str, Any] = {}
    saver = threading.Thread(target=lambda: result.update(response=clerk.post(url, {**form, "phone": "139"})))
    saver.start()
    try:
        wait_for_lock_wait(db)  # the clerk's check passed (version 1 committed) and its UPDATE waits
    finally:
        conn.commit()
        conn.close()
        other.dispose()
    saver.join()
    response = result["response"]
    assert response.status_code == 200
    page = text(response)
    assert "已被 周经理 于 2026-11-30 08:05 修改并保存" in page and "来电/来访人:欧阳伯伯 → 司徒先生" in page
    saved = current(session, CallRecord, record_id)
    assert (saved.caller, saved.phone, saved.version) == ("司徒先生", "13800001111", 2)


# -- approvals ------------------------------------------------------------------------------------------


def leave_request(session: Any, employee: Any) -> int:
    me = session.scalar(sa.select(User.id).where(User.username == "employee"))
    data = {"employee": str(me), "kind": "事假", "days": "1", "start_on": TODAY.isoformat(),
            "end_on": TODAY.isoformat(), "reason": "家中有事"}
    response = employee.post("/admin/leave_requests/new/", data)
    assert response.status_code == 302, text(response)[-1500:]
    session.expire_all()
    return session.scalar(sa.select(sa.func.max(LeaveRequest.id)))


def test_approving_an_edited_record_works_and_leaves_its_version(session: Any, as_user: Any) -> None:
    employee = as_user("employee")
    record_id = leave_request(session, employee)
    url = f"/admin/leave_requests/edit/?id={record_id}"
    assert employee.post(url, {**open_edit(employee, url), "reason": "家中老人住院"}).status_code == 302
    assert employee.post(f"/admin/leave_requests/approval/submit/?id={record_id}", {}).status_code == 302
    decided = as_user("head").post(f"/admin/leave_requests/approval/decide/?id={record_id}",
                                   {"decision": "同意"})
    assert decided.status_code == 302
    session.expire_all()
    approval = session.scalar(sa.select(Approval).where(Approval.register == "LeaveRequest",
                                                        Approval.record_id == record_id))
    assert approval.status == "已批准"
    version = session.execute(sa.text("SELECT version FROM leave_requests WHERE id = :id"),
                              {"id": record_id}).scalar()
    assert version == 2  # created, edited once; submitting and signing do not write the record


def test_two_heads_signing_one_step_at_once_yield_one_signature(session: Any, as_user: Any) -> None:
    employee = as_user("employee")
    record_id = leave_request(session, employee)
    assert employee.post(f"/admin/leave_requests/approval/submit/?id={record_id}", {}).status_code == 302
    second = session.scalars(sa.select(User).where(User.username == "head_eng")).one()
    second.department_id = session.scalars(sa.select(User).where(User.username == "head")).one().department_id
    session.commit()
    heads = [as_user("head"), as_user("head_eng")]
    barrier = threading.Barrier(2)
    flashes: list[str] = []

    def sign(browser: Any) -> None:
        barrier.wait()  # as a page posts it: no version, the engine's compare-and-set decides
        response = browser.post(f"/admin/leave_requests/approval/decide/?id={record_id}",
                                {"decision": "同意"}, follow_redirects=True)
        flashes.append("已签字" if "已签字" in text(response) else text(response))

    threads = [threading.Thread(target=sign, args=(b,)) for b in heads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert flashes.count("已签字") == 1
    session.expire_all()
    approval = session.scalar(sa.select(Approval).where(Approval.register == "LeaveRequest",
                                                        Approval.record_id == record_id))
    count = sa.select(sa.func.count(Signature.id)).where(Signature.approval_id == approval.id)
    signatures = session.scalar(count)
    assert (approval.status, signatures) == ("已批准", 1)
