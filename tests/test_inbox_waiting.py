"""待我审批 reads who signs next from the approval itself (``waiting_roles``): it agrees with the rule that
decides who may sign, through countersigns, returns and withdrawals, and it stays one bounded page."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from admin_app import approvals, migrate
from admin_app.database import make_engine
from models.approval import APPROVED, IN_PROGRESS, Approval, ApprovalWait
from models.reference import User
from tests.test_chains import approval, create, decide, submit
from views import inbox

STEPS = [{"label": "会签", "roles": ["厨师长", "护士长"], "mode": "all", "department_id": None},
         {"label": "主管", "roles": ["部门主管"], "mode": "any", "department_id": 7}]


def test_waiting_names_the_roles_still_to_sign() -> None:
    assert approvals.waiting(STEPS, 0, IN_PROGRESS, set()) == {"waiting_roles": "|厨师长|护士长|",
                                                              "waiting_department_id": None}
    assert approvals.waiting(STEPS, 0, IN_PROGRESS, {"厨师长"})["waiting_roles"] == "|护士长|"
    assert approvals.waiting(STEPS, 1, IN_PROGRESS, set()) == {"waiting_roles": "|部门主管|",
                                                              "waiting_department_id": 7}


def test_a_finished_approval_waits_for_nobody() -> None:
    assert approvals.waiting(STEPS, 1, APPROVED, set()) == {"waiting_roles": "",
                                                           "waiting_department_id": None}


def agrees_with_the_rule(app: Flask, session: Any) -> None:
    """Every user's pending list holds exactly the approvals ``signing_role`` lets them sign."""
    session.expire_all()
    with app.app_context():
        everyone = session.scalars(sa.select(User)).all()
        in_flight = session.scalars(sa.select(Approval).where(Approval.status == IN_PROGRESS)).all()
        waits = set(session.execute(sa.select(ApprovalWait.approval_id, ApprovalWait.role)).all())
        assert waits == {(a.id, role) for a in in_flight for role in a.waiting_roles.split("|") if role}
        for user in everyone:
            listed = {a.id for a in approvals.pending_for(session, user)}
            allowed = {a.id for a in in_flight if approvals.signing_role(a, user)}
            assert listed == allowed, user.username
            assert approvals.pending_count(session, user) == len(allowed)


def test_inbox_follows_a_countersign(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("sales"), "ClientMoveInNotice")
    submit(app, as_user("sales"), "ClientMoveInNotice", record_id)
    agrees_with_the_rule(app, session)
    for username in ["kitchen", "nurse", "store_manager", "dietitian", "recovery", "nursing"]:
        assert decide(app, as_user(username), "ClientMoveInNotice", record_id).status_code == 302
        agrees_with_the_rule(app, session)


def test_inbox_follows_a_chain_by_department_returns_and_withdrawals(app: Flask, session: Any,
                                                                     as_user: Any) -> None:
    employee = as_user("employee")
    first, second = (create(app, session, employee, "LeaveRequest", days="3") for _ in range(2))
    for record_id in (first, second):
        submit(app, employee, "LeaveRequest", record_id)
    agrees_with_the_rule(app, session)
    assert decide(app, as_user("head"), "LeaveRequest", first).status_code == 302
    agrees_with_the_rule(app, session)
    assert decide(app, as_user("office_head"), "LeaveRequest", first, "退回", "请补假条").status_code == 302
    agrees_with_the_rule(app, session)
    assert employee.post(f"/admin/leave_requests/approval/withdraw/?id={second}", {}).status_code == 302
    agrees_with_the_rule(app, session)
    submit(app, employee, "LeaveRequest", first)
    assert approval(session, "LeaveRequest", first).waiting_roles == "|部门主管|"
    agrees_with_the_rule(app, session)


@pytest.fixture
def small_inbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox, "SHOWN", 2)
    monkeypatch.setattr(approvals, "BADGE", 2)


def test_a_full_inbox_lists_the_oldest_and_counts_all(app: Flask, session: Any, as_user: Any,
                                                      small_inbox: None) -> None:
    ids = [create(app, session, as_user("employee"), "LeaveRequest", days="1") for _ in range(3)]
    for record_id in ids:
        submit(app, as_user("employee"), "LeaveRequest", record_id)
    page = as_user("head").get("/admin/inbox/").get_data(as_text=True)
    assert page.count('name="approval"') == 2
    assert "共 3 张单据等待您签字" in page and "最早的 2 张" in page
    assert 'id="inbox-count">2+<' in page


def test_the_migration_lists_the_roles_each_approval_waits_for(empty_db: str) -> None:
    engine = make_engine(empty_db)
    migrate.upgrade(engine, "0018")
    insert = sa.text("INSERT INTO approvals (register, record_id, record_label, status, round, step_index, "
                     "steps_json, version, waiting_roles, waiting_department_id, applicant_id) "
                     "VALUES (:register, :record, '', :status, 1, 0, '[]', 1, :roles, :department, NULL)")
    with engine.begin() as conn:
        conn.execute(insert, {"register": "ClientMoveInNotice", "record": 5, "status": IN_PROGRESS,
                              "roles": "|厨师长|护士长|", "department": None})
        conn.execute(insert, {"register": "LeaveRequest", "record": 6, "status": IN_PROGRESS,
                              "roles": "|部门主管|", "department": 3})
        conn.execute(insert, {"register": "LeaveRequest", "record": 7, "status": APPROVED,
                              "roles": "", "department": None})
    migrate.upgrade(engine)
    with engine.connect() as conn:
        query = "SELECT register, record_id, role, department_id FROM approval_waits"
        waits = {tuple(row) for row in conn.execute(sa.text(query))}
    assert waits == {("ClientMoveInNotice", 5, "厨师长", None), ("ClientMoveInNotice", 5, "护士长", None),
                     ("LeaveRequest", 6, "部门主管", 3)}
    engine.dispose()


def test_the_navigation_bar_count_is_read_with_the_grants(app: Flask, session: Any, as_user: Any) -> None:
    from bench.pages import Recorder, counted

    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="1")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    head = session.scalars(sa.select(User).where(User.username == "head")).one()
    expected = approvals.pending_count(session, head, approvals.BADGE)
    client = as_user("head")
    with Recorder(app.extensions["engine"]) as recorder:
        page = client.get("/admin/call_records/").get_data(as_text=True)
    assert expected >= 1 and f'id="inbox-count">{expected}<' in page
    waits = [s for s, _, _ in counted(recorder.statements) if "approval_waits" in s]
    assert len(waits) == 1 and "permissions" in waits[0]
