"""Signature chains through HTTP as the real roles: order, conditions, countersign, return and
resubmit, withdraw, the lock on approved records, missing approvers, concurrent decisions."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from models.approval import Approval, Chain, ChainStep, Signature
from models.reference import User
from tests.factories import form_data, model_named
from tests.test_registers_walk import catalogue


def create(app: Flask, session: Any, user: Any, register: str, **values: str) -> int:
    entry = catalogue(app)[register]
    data = {**form_data(session, entry), **values}
    response = user.post(entry["url"] + "new/", data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    session.expire_all()
    return session.scalar(sa.select(sa.func.max(model_named(register).id)))


def url_of(app: Flask, register: str) -> str:
    return catalogue(app)[register]["url"]


def approval(session: Any, register: str, record_id: int) -> Approval | None:
    session.expire_all()
    return session.scalar(sa.select(Approval).where(Approval.register == register,
                                                    Approval.record_id == record_id))


def submit(app: Flask, user: Any, register: str, record_id: int) -> Any:
    return user.post(url_of(app, register) + f"approval/submit/?id={record_id}", {})


def decide(app: Flask, user: Any, register: str, record_id: int, decision: str = "同意",
           opinion: str = "") -> Any:
    return user.post(url_of(app, register) + f"approval/decide/?id={record_id}",
                     {"decision": decision, "opinion": opinion})


def signers(session: Any, register: str, record_id: int) -> list[tuple[str, str]]:
    found = approval(session, register, record_id)
    assert found is not None
    names = dict(session.execute(sa.select(User.id, User.username)).all())
    return [(names[s.signer_id], s.role) for s in sorted(found.round_signatures(), key=lambda s: s.id)]


def walk_chain(app: Flask, session: Any, as_user: Any, register: str, applicant: str,
               order: list[str], **values: str) -> int:
    """The applicant creates and submits; each signer signs in order; the record ends approved."""
    record_id = create(app, session, as_user(applicant), register, **values)
    response = submit(app, as_user(applicant), register, record_id)
    assert response.status_code == 302
    assert approval(session, register, record_id).status == "审批中"
    for username in order:
        assert decide(app, as_user(username), register, record_id).status_code == 302, username
    assert approval(session, register, record_id).status == "已批准"
    assert [u for u, _ in signers(session, register, record_id)] == order
    return record_id


# -- one scenario per chain of the handbooks ------------------------------------------------------------


def test_purchase_order_chain(app: Flask, session: Any, as_user: Any) -> None:
    walk_chain(app, session, as_user, "PurchaseOrder", "employee",
               ["head", "buyer", "buyer_director", "gm", "accountant"])


@pytest.mark.parametrize("register", ["PaymentVoucher", "MedicalDepositRefund"])
def test_payment_chain(app: Flask, session: Any, as_user: Any, register: str) -> None:
    applicant = "employee" if register == "PaymentVoucher" else "clerk"
    links = {"stock_slip": ""} if register == "PaymentVoucher" else {}  # 员工 may not see 出入库单
    order = ["head", "accountant", "auditor", "gm", "cashier"]
    walk_chain(app, session, as_user, register, applicant, order, **links)


def test_loan_slip_chain(app: Flask, session: Any, as_user: Any) -> None:
    order = ["head", "gm", "accountant", "auditor", "cashier"]
    walk_chain(app, session, as_user, "LoanSlip", "employee", order)


def test_visitor_meal_chain_goes_to_the_marketing_head(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("clerk"), "VisitorMealClaim")
    submit(app, as_user("clerk"), "VisitorMealClaim", record_id)
    assert decide(app, as_user("head"), "VisitorMealClaim", record_id).status_code == 403
    for username in ["head_mkt", "accountant", "auditor", "gm", "group_director", "group_finance"]:
        assert decide(app, as_user(username), "VisitorMealClaim", record_id).status_code == 302, username
    assert approval(session, "VisitorMealClaim", record_id).status == "已批准"


@pytest.mark.parametrize(("days", "order"), [
    ("1", ["head"]),
    ("2", ["head", "office_head"]),
    ("3", ["head", "office_head", "gm"]),
    ("5", ["head", "office_head", "gm"]),
])
def test_leave_chain_by_days(app: Flask, session: Any, as_user: Any, days: str, order: list[str]) -> None:
    walk_chain(app, session, as_user, "LeaveRequest", "employee", order, days=days)


def test_key_cut_request_needs_the_service_head(app: Flask, session: Any, as_user: Any) -> None:
    walk_chain(app, session, as_user, "KeyCutRequest", "clerk", ["head"])


def test_move_in_notice_is_countersigned_in_any_order_then_filed(app: Flask, session: Any,
                                                                as_user: Any) -> None:
    record_id = create(app, session, as_user("sales"), "ClientMoveInNotice")
    submit(app, as_user("sales"), "ClientMoveInNotice", record_id)
    assert decide(app, as_user("head"), "ClientMoveInNotice", record_id).status_code == 403
    for username in ["kitchen", "nurse", "store_manager", "dietitian", "recovery", "nursing"]:
        assert approval(session, "ClientMoveInNotice", record_id).step_index == 0
        assert decide(app, as_user(username), "ClientMoveInNotice", record_id).status_code == 302, username
    assert approval(session, "ClientMoveInNotice", record_id).step_index == 1
    assert decide(app, as_user("nurse"), "ClientMoveInNotice", record_id).status_code == 302
    assert approval(session, "ClientMoveInNotice", record_id).status == "已批准"


def test_a_countersigner_signs_once(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("sales"), "ClientMoveInNotice")
    submit(app, as_user("sales"), "ClientMoveInNotice", record_id)
    assert decide(app, as_user("kitchen"), "ClientMoveInNotice", record_id).status_code == 302
    assert decide(app, as_user("kitchen"), "ClientMoveInNotice", record_id).status_code == 403


def test_vehicle_request_chain(app: Flask, session: Any, as_user: Any) -> None:
    walk_chain(app, session, as_user, "VehicleRequest", "sales", ["head", "store_manager"])


def test_signed_client_handover_chain(app: Flask, session: Any, as_user: Any) -> None:
    walk_chain(app, session, as_user, "SignedClientHandover", "sales", ["store_manager", "clerk", "head"])


def test_renovation_chain(app: Flask, session: Any, as_user: Any) -> None:
    walk_chain(app, session, as_user, "RenovationApplication", "clerk", ["engineer", "manager"])


@pytest.mark.parametrize("register", ["Roster", "AttendanceSheet"])
def test_roster_and_attendance_are_signed_by_the_department_head(app: Flask, session: Any, as_user: Any,
                                                                 register: str) -> None:
    applicant = "clerk" if register == "Roster" else "employee"
    walk_chain(app, session, as_user, register, applicant, ["head"])


def test_complaint_handling_goes_to_the_manager_only_when_unresolved(app: Flask, session: Any,
                                                                    as_user: Any) -> None:
    walk_chain(app, session, as_user, "ComplaintHandling", "clerk", ["head"], resolved="y")
    walk_chain(app, session, as_user, "ComplaintHandling", "clerk", ["head", "manager"], resolved="")


def test_callback_is_signed_by_the_responsible_departments_head(app: Flask, session: Any, as_user: Any,
                                                               ) -> None:
    engineering = session.scalar(sa.text("SELECT id FROM departments WHERE name = '工程部'"))
    record_id = create(app, session, as_user("clerk"), "CustomerCallback",
                       responsible_department=str(engineering))
    submit(app, as_user("clerk"), "CustomerCallback", record_id)
    assert decide(app, as_user("head"), "CustomerCallback", record_id).status_code == 403
    assert decide(app, as_user("head_eng"), "CustomerCallback", record_id).status_code == 302
    assert approval(session, "CustomerCallback", record_id).status == "已批准"


def test_monthly_statement_chain(app: Flask, session: Any, as_user: Any) -> None:
    walk_chain(app, session, as_user, "MonthlyStatement", "head", ["clerk", "accountant"])


def test_emergency_key_loan_needs_the_supervisors_consent(app: Flask, session: Any, as_user: Any) -> None:
    walk_chain(app, session, as_user, "KeyLoan", "clerk", ["head"], emergency="y")
    record_id = create(app, session, as_user("clerk"), "KeyLoan", emergency="")
    submit(app, as_user("clerk"), "KeyLoan", record_id)
    assert approval(session, "KeyLoan", record_id).status == "已批准"


# -- the lifecycle ----------------------------------------------------------------------------------------


def test_nobody_signs_their_own_application(app: Flask, session: Any, as_user: Any) -> None:
    head = as_user("head")
    record_id = create(app, session, head, "LeaveRequest", days="1")
    response = submit(app, head, "LeaveRequest", record_id)
    assert response.status_code == 302
    assert approval(session, "LeaveRequest", record_id) is None  # no other head of 客服部: refused
    assert "没有可以签字的人" in head.get(response.headers["Location"]).get_data(as_text=True)


def test_wrong_person_gets_403_and_nothing_changes(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "PurchaseOrder")
    submit(app, as_user("employee"), "PurchaseOrder", record_id)
    for username in ["buyer", "gm", "clerk", "employee"]:
        assert decide(app, as_user(username), "PurchaseOrder", record_id).status_code == 403, username
    # Another department's head is not even told that the record exists (row scope).
    assert decide(app, as_user("head_mkt"), "PurchaseOrder", record_id).status_code == 404
    assert signers(session, "PurchaseOrder", record_id) == []


def test_return_and_resubmit(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="2")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    decide(app, as_user("head"), "LeaveRequest", record_id)
    assert decide(app, as_user("office_head"), "LeaveRequest", record_id, "退回", "").status_code == 302
    assert approval(session, "LeaveRequest", record_id).status == "审批中"  # a return needs a reason
    decide(app, as_user("office_head"), "LeaveRequest", record_id, "退回", "请补充事由")
    found = approval(session, "LeaveRequest", record_id)
    assert found.status == "已退回" and found.return_reason == "请补充事由"
    url = url_of(app, "LeaveRequest")
    entry = catalogue(app)["LeaveRequest"]
    data = {**form_data(session, entry), "days": "1"}
    assert as_user("employee").post(url + f"edit/?id={record_id}", data).status_code == 302
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    found = approval(session, "LeaveRequest", record_id)
    assert found.status == "审批中" and found.round == 2 and len(found.steps) == 1
    decide(app, as_user("head"), "LeaveRequest", record_id)
    assert approval(session, "LeaveRequest", record_id).status == "已批准"


def test_withdraw_before_the_first_signature_only(app: Flask, session: Any, as_user: Any) -> None:
    url = url_of(app, "LeaveRequest")
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="2")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    as_user("employee").post(url + f"approval/withdraw/?id={record_id}", {})
    assert approval(session, "LeaveRequest", record_id).status == "已撤回"
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    decide(app, as_user("head"), "LeaveRequest", record_id)
    as_user("employee").post(url + f"approval/withdraw/?id={record_id}", {})
    assert approval(session, "LeaveRequest", record_id).status == "审批中"


def test_records_in_flight_and_approved_are_read_only(app: Flask, session: Any, as_user: Any) -> None:
    url = url_of(app, "LeaveRequest")
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="1")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    head = as_user("head")
    data = {**form_data(session, catalogue(app)["LeaveRequest"]), "days": "9"}
    for state in ("审批中", "已批准"):
        assert head.get(url + f"edit/?id={record_id}").status_code == 403, state
        assert head.post(url + f"edit/?id={record_id}", data).status_code == 403, state
        assert head.post(url + "delete/", {"id": record_id}).status_code == 403, state
        assert head.post(url + "action/", {"action": "delete", "rowid": record_id}).status_code == 403, state
        decide(app, head, "LeaveRequest", record_id)
    session.expire_all()
    assert str(session.get(model_named("LeaveRequest"), record_id).days) != "9"


def test_status_cannot_be_posted_through_the_form(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="1",
                       status="已批准", approval_status="已批准", step_index="9")
    assert approval(session, "LeaveRequest", record_id) is None


def test_missing_approver_is_named_and_nothing_changes(app: Flask, session: Any, as_user: Any) -> None:
    office = session.scalars(sa.select(User).where(User.username == "office_head")).one()
    office.active = False
    session.commit()
    employee = as_user("employee")
    record_id = create(app, session, employee, "LeaveRequest", days="2")
    page = submit(app, employee, "LeaveRequest", record_id)
    html = employee.get(page.headers["Location"]).get_data(as_text=True)
    assert "综合办领导意见" in html and "没有可以签字的人" in html
    assert approval(session, "LeaveRequest", record_id) is None


def test_the_chain_is_fixed_at_submission(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="1")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    chain = session.scalars(sa.select(Chain).where(Chain.register == "LeaveRequest")).one()
    chain.steps.append(ChainStep(position=9, label="新增一步", roles="总经理"))
    session.commit()
    decide(app, as_user("head"), "LeaveRequest", record_id)
    assert approval(session, "LeaveRequest", record_id).status == "已批准"


def test_inbox_lists_waiting_records_with_a_count_and_signs_many(app: Flask, session: Any,
                                                                as_user: Any) -> None:
    ids = [create(app, session, as_user("employee"), "LeaveRequest", days="1") for _ in range(3)]
    for record_id in ids:
        submit(app, as_user("employee"), "LeaveRequest", record_id)
    head = as_user("head")
    page = head.get("/admin/inbox/").get_data(as_text=True)
    assert page.count('name="approval"') >= 3
    assert 'id="inbox-count">3<' in page or 'id="inbox-count">' in page
    waiting = [approval(session, "LeaveRequest", i).id for i in ids]
    assert head.post("/admin/inbox/", {"approval": waiting, "decision": "同意"}).status_code == 302
    assert all(approval(session, "LeaveRequest", i).status == "已批准" for i in ids)
    assert as_user("gm").get("/admin/inbox/").status_code == 200


def test_details_page_shows_signature_boxes_in_order(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="3")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    decide(app, as_user("head"), "LeaveRequest", record_id, opinion="同意休假")
    html = as_user("employee").get(url_of(app, "LeaveRequest") + f"details/?id={record_id}").get_data(
        as_text=True)
    positions = [html.index(label) for label in ("部门主管意见", "综合办领导意见", "总经理意见")]
    assert positions == sorted(positions)
    assert "同意休假" in html and "黎主管" in html


def test_concurrent_decisions_yield_one(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="1")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    # a second head of 客服部, so that two people may sign the same step
    second = session.scalars(sa.select(User).where(User.username == "head_eng")).one()
    second.department_id = session.scalars(sa.select(User).where(User.username == "head")).one().department_id
    session.commit()
    version = approval(session, "LeaveRequest", record_id).version
    browsers = [as_user("head"), as_user("head_eng")]
    url = url_of(app, "LeaveRequest") + f"approval/decide/?id={record_id}"
    barrier = threading.Barrier(2)
    results: list[int] = []

    def act(browser: Any) -> None:
        barrier.wait()
        response = browser.post(url, {"decision": "同意", "version": version})
        results.append(response.status_code)

    threads = [threading.Thread(target=act, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session.expire_all()
    found = approval(session, "LeaveRequest", record_id)
    assert found.status == "已批准"
    count = sa.select(sa.func.count(Signature.id)).where(Signature.approval_id == found.id)
    assert session.scalar(count) == 1
