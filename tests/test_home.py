"""The home page shows the user's own work: what waits for their signature, and their records on the way
or sent back, each linked to its page."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.chinese_text import shown_text
from tests.test_chains import create, decide, submit


def my_work(user: Any) -> str:
    page = user.get("/admin/").get_data(as_text=True)
    card = re.search(r'id="my-work">(.*?)以下是您可以使用的台账', page, re.S)  # up to the registers' list
    assert card, "首页没有「我的工作」"
    return shown_text(card.group(1))


def test_a_signer_sees_how_many_wait_for_them(app: Flask, session: Any, as_user: Any) -> None:
    employee, head = as_user("employee"), as_user("head")
    assert "没有等待您签字的单据" in my_work(head)
    record_id = create(app, session, employee, "LeaveRequest", days="1")
    submit(app, employee, "LeaveRequest", record_id)
    assert "待我审批 1 张" in my_work(head)


def test_the_applicant_follows_their_record_until_it_is_approved(app: Flask, session: Any,
                                                                 as_user: Any) -> None:
    employee, head = as_user("employee"), as_user("head")
    record_id = create(app, session, employee, "LeaveRequest", days="1")
    submit(app, employee, "LeaveRequest", record_id)
    assert "请假单" in my_work(employee) and "审批中" in my_work(employee)
    assert f"/admin/leave_requests/details/?id={record_id}" in employee.get("/admin/").get_data(as_text=True)

    decide(app, head, "LeaveRequest", record_id, "退回", "日期写错了")
    assert "已退回:日期写错了" in my_work(employee)

    submit(app, employee, "LeaveRequest", record_id)
    decide(app, head, "LeaveRequest", record_id)
    assert "请假单" not in my_work(employee)  # approved: no longer the applicant's work
