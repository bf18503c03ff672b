"""A 3-day leave request walks its chain in a real browser: the employee submits it, the department head,
综合办 and 总经理 approve it from 待我审批 (the 总经理 on a phone), and it prints with three signatures."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from pypdf import PdfReader

from admin_app.clock import today
from tests.browser.conftest import PHONE

REASON = "回老家办理房产过户手续"


def test_three_day_leave_is_approved_from_the_inbox_and_prints_signed(open_tab: Any) -> None:
    employee = open_tab("employee")
    start = today() + dt.timedelta(days=7)
    employee.go("/admin/leave_requests/new/")
    employee.pick("employee", "赖小惠")
    employee.fill({"kind": "事假", "start_on": f"{start}", "end_on": f"{start + dt.timedelta(days=2)}",
                   "days": "3", "reason": REASON})
    employee.save()
    row = employee.page.locator("table.model-list tr", has_text=REASON)
    with employee.page.expect_navigation():
        row.locator("a[title='查看记录']").click()
    details = employee.page.url
    with employee.page.expect_navigation():
        employee.page.get_by_role("button", name="提交审批").click()
    assert employee.alert_text() == "已提交审批。"
    employee.screenshot("submitted")

    head = open_tab("head")
    _open_from_inbox(head)
    head.page.fill("#opinion", "同意,注意交接好手头工作")
    _approve(head, "同意", "已签字。")

    office = open_tab("office_head")
    with office.page.expect_navigation():
        office.page.locator("nav").get_by_role("link", name="待我审批").click()
    office.page.locator("tr", has_text="赖小惠").locator("input[name=approval]").check()
    office.page.fill("#opinion", "同意")
    _approve(office, "同意所选", "已同意 1 张单据。")
    assert "没有等待您签字的单据" in office.page.inner_text("body"), office.alert_text()

    gm = open_tab("gm", viewport=PHONE)
    _open_from_inbox(gm)
    assert _fits_the_screen(gm), "总经理的手机上审批页面出现横向滚动"
    _approve(gm, "同意", "已签字。")
    assert _fits_the_screen(gm)
    gm.screenshot("approved-on-phone")

    employee.page.goto(details)
    assert employee.page.inner_text("h5:has(+ table.signature-boxes)") == "审批 已批准"

    employee.go(employee.page.locator("#print-link").get_attribute("href"))  # it opens a new tab
    boxes = employee.page.locator("table.signatures tr.box")
    signed = [boxes.nth(i).locator("td.who").inner_text().strip() for i in range(boxes.count())]
    assert signed == ["黎主管", "茹主任", "刘总"]
    assert "同意,注意交接好手头工作" in boxes.nth(0).inner_text()
    employee.screenshot("printed")

    with employee.page.expect_download() as download:
        employee.page.get_by_role("link", name="下载 PDF").click()
    pdf = download.value.path().read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for name in ("请假单", REASON, "黎主管", "茹主任", "刘总"):
        assert name in text, name


def _open_from_inbox(tab: Any) -> None:
    """From the navbar's 待我审批 to the waiting record's details page."""
    with tab.page.expect_navigation():  # on a phone too: the link stays beside the folded menu
        tab.page.locator("nav a:visible", has_text="待我审批").click()
    with tab.page.expect_navigation():
        tab.page.locator("tr", has_text="赖小惠").get_by_role("link").first.click()
    assert tab.page.get_by_role("button", name="同意").is_visible()


def _approve(tab: Any, button: str, flashed: str) -> None:
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name=button, exact=True).click()
    assert tab.alert_text() == flashed


def _fits_the_screen(tab: Any) -> bool:
    return bool(tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
