"""Row scope (issue 6.4): a department's or building's records reach only its staff, the roles the matrix
grants 全部门, whoever recorded them and the approvers a chain names — on every path to a row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from admin_app import board as board_engine
from admin_app.clock import today
from admin_app.scope import check_scopes, scope_filter, scope_of
from models.base import registers
from models.deadlines import DueItem
from models.finance import PaymentVoucher, PurchaseOrder, TeaRoomIncome, VisitorMealClaim
from models.reference import ALL_ROWS, Building, Department, Permission, Role, Room, User
from models.repairs import RepairOrder
from models.staff import AttendanceSheet, LeaveRequest
from tests.test_chains import approval, create, decide, submit

LEAVES = "/admin/leave_requests/"


def user(session: Any, username: str) -> User:
    found = session.scalar(sa.select(User).where(User.username == username))
    assert found is not None
    return found


def department_id(session: Any, name: str) -> int:
    return session.scalar(sa.select(Department.id).where(Department.name == name))


def leave(session: Any, employee: str, reason: str, recorded_by: str | None = None) -> int:
    """A 请假单 of ``employee``, recorded (as the form would) in the recorder's department."""
    recorder = user(session, recorded_by or employee)
    row = LeaveRequest(employee_id=user(session, employee).id, kind="事假", start_on=dt.date(2026, 12, 8),
                       end_on=dt.date(2026, 12, 8), days=Decimal(1), reason=reason,
                       recorded_by_id=recorder.id, department_id=recorder.department_id)
    session.add(row)
    session.commit()
    return row.id


def visible_ids(app: Flask, session: Any, model: type, username: str, **options: Any) -> set[int]:
    """The ids of ``model`` that :func:`scope_filter` lets ``username`` see, straight from the database."""
    with app.app_context():
        who = user(session, username)
        condition = scope_filter(model, who, **options)
        query = sa.select(model.id)
        return set(session.scalars(query if condition is None else query.where(condition)))


def room_in(session: Any, building: str) -> Room:
    return session.scalar(sa.select(Room).join(Building).where(Building.name == building).order_by(Room.id))


def repair(session: Any, resident: str, room: Room | None) -> int:
    row = RepairOrder(called_at=dt.datetime(2026, 12, 1, 9, 0), resident=resident, phone="13800000000",
                      content="卫生间漏水", room_id=room.id if room else None,
                      department_id=department_id(session, "客服部"))
    session.add(row)
    session.commit()
    return row.id


def assign_buildings(session: Any, username: str, *names: str) -> None:
    who = user(session, username)
    who.buildings = list(session.scalars(sa.select(Building).where(Building.name.in_(names))))
    session.commit()


# -- scope_filter, the one function every reader uses ------------------------------------------------


def test_every_declared_scope_leads_to_a_department_or_building() -> None:
    check_scopes()  # raises naming the register whose path is wrong


def test_registers_that_name_a_room_or_building_are_scoped_by_building() -> None:
    from sqlalchemy import inspect

    missing = [m.__name__ for m in registers()
               if {"room", "building"} & set(inspect(m).relationships.keys())
               and not (scope_of(m) and scope_of(m).building)]
    assert missing == []


def test_a_register_without_scope_has_no_filter(app: Flask, session: Any) -> None:
    with app.app_context():
        assert scope_filter(TeaRoomIncome, user(session, "clerk")) is None


def test_staff_see_their_own_departments_leave_only(app: Flask, session: Any) -> None:
    mine = leave(session, "employee", "回老家")
    theirs = leave(session, "engineer", "复诊", recorded_by="head_eng")
    seen = visible_ids(app, session, LeaveRequest, "clerk")
    assert mine in seen
    assert theirs not in seen
    assert theirs in visible_ids(app, session, LeaveRequest, "head_eng")


def test_leave_belongs_to_the_employees_department_not_the_recorders(app: Flask, session: Any) -> None:
    recorded_by_office = leave(session, "employee", "综合办代填", recorded_by="office_head")
    assert recorded_by_office in visible_ids(app, session, LeaveRequest, "head")


def test_the_recorder_always_sees_what_they_recorded(app: Flask, session: Any) -> None:
    for_engineer = leave(session, "engineer", "代工程部同事登记", recorded_by="clerk")
    assert for_engineer in visible_ids(app, session, LeaveRequest, "clerk")
    assert for_engineer in visible_ids(app, session, LeaveRequest, "clerk", changing=True)


@pytest.mark.parametrize("username", ["office_head", "gm"])
def test_roles_granted_all_departments_have_no_filter(app: Flask, session: Any, username: str) -> None:
    with app.app_context():
        assert scope_filter(LeaveRequest, user(session, username)) is None


def test_all_departments_is_a_matrix_grant(app: Flask, session: Any) -> None:
    head_role = session.scalar(sa.select(Role).where(Role.name == "部门主管"))
    session.add(Permission(role_id=head_role.id, resource="LeaveRequest", action=ALL_ROWS))
    session.commit()
    with app.app_context():
        assert scope_filter(LeaveRequest, user(session, "head")) is None
        assert scope_filter(AttendanceSheet, user(session, "head")) is not None


def test_a_user_without_buildings_is_not_limited_by_building(app: Flask, session: Any) -> None:
    with app.app_context():
        assert scope_filter(RepairOrder, user(session, "clerk")) is None


def test_a_user_assigned_a_building_sees_its_rows_and_rows_of_none(app: Flask, session: Any) -> None:
    in_a = repair(session, "A栋住户", room_in(session, "A栋"))
    in_1 = repair(session, "1栋住户", room_in(session, "1栋"))
    nowhere = repair(session, "园区路人", None)
    assign_buildings(session, "clerk", "A栋")
    seen = visible_ids(app, session, RepairOrder, "clerk")
    assert {in_a, nowhere} <= seen
    assert in_1 not in seen
    assert in_1 in visible_ids(app, session, RepairOrder, "manager")  # 客服中心经理: 全部门


def test_a_building_reaches_records_through_their_links(app: Flask, session: Any) -> None:
    from models.keys import KeyLoan

    assign_buildings(session, "head", "1栋")
    me = user(session, "head").id
    seen = visible_ids(app, session, KeyLoan, "head")
    loans = list(session.scalars(sa.select(KeyLoan)))
    assert any(loan.recorded_by_id != me for loan in loans)
    for loan in loans:  # 钥匙借用 → 钥匙 → 房间 → 楼栋; the recorder keeps what they recorded
        building = loan.key.room.building.name if loan.key.room else None
        expected = building in (None, "1栋") or loan.recorded_by_id == me
        assert (loan.id in seen) == expected, (loan.id, building)


def test_an_approver_sees_what_waits_for_them_but_may_not_change_it(app: Flask, session: Any,
                                                                      as_user: Any) -> None:
    claim = create(app, session, as_user("clerk"), "VisitorMealClaim")
    assert claim not in visible_ids(app, session, VisitorMealClaim, "head_mkt")
    assert submit(app, as_user("clerk"), "VisitorMealClaim", claim).status_code == 302
    assert claim in visible_ids(app, session, VisitorMealClaim, "head_mkt")
    assert claim not in visible_ids(app, session, VisitorMealClaim, "head_mkt", changing=True)


# -- through HTTP: lists, counts, details, edit, delete, actions, export, pickers ---------------------


def test_list_shows_only_own_departments_rows(app: Flask, session: Any, as_user: Any) -> None:
    leave(session, "employee", "客服部员工事假")
    leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    page = as_user("head").get(LEAVES).get_data(as_text=True)
    assert "客服部员工事假" in page
    assert "工程部员工复诊" not in page


def listed_count(page: str) -> int:
    """The count Flask-Admin shows on the list tab: 列表 (N)."""
    match = re.search(r'class="nav-link active">[^<(]*\((\d+)\)', page)
    assert match, "the list shows no count"
    return int(match.group(1))


def test_list_count_counts_only_own_departments_rows(app: Flask, session: Any, as_user: Any) -> None:
    leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    own = len(visible_ids(app, session, LeaveRequest, "head_eng"))
    total = session.scalar(sa.select(sa.func.count(LeaveRequest.id)))
    assert 0 < own < total
    assert listed_count(as_user("head_eng").get(LEAVES).get_data(as_text=True)) == own
    assert listed_count(as_user("office_head").get(LEAVES).get_data(as_text=True)) == total


def test_another_departments_record_by_id_is_not_found(app: Flask, session: Any, as_user: Any) -> None:
    theirs = leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    head = as_user("head")  # 部门主管 of 客服部: H 全部, but not 工程部's rows
    for url in (f"details/?id={theirs}", f"edit/?id={theirs}"):
        response = head.get(LEAVES + url)
        assert response.status_code == 404, url
        assert "工程部员工复诊" not in response.get_data(as_text=True)


def test_posting_an_edit_of_another_departments_record_changes_nothing(app: Flask, session: Any,
                                                                       as_user: Any) -> None:
    theirs = leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    response = as_user("head").post(LEAVES + f"edit/?id={theirs}", {
        "employee": str(user(session, "engineer").id), "kind": "事假", "start_on": "2026-12-08",
        "end_on": "2026-12-09", "days": "2", "reason": "被别的部门改了"})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(LeaveRequest, theirs).reason == "工程部员工复诊"


def test_deleting_another_departments_record_changes_nothing(app: Flask, session: Any, as_user: Any) -> None:
    theirs = leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    head = as_user("head")
    assert head.post(LEAVES + "delete/", {"id": str(theirs)}).status_code == 404
    head.post(LEAVES + "action/", {"action": "delete", "rowid": [str(theirs)]})
    session.expire_all()
    assert session.get(LeaveRequest, theirs) is not None


def test_a_list_action_deletes_own_rows_and_skips_others(app: Flask, session: Any, as_user: Any) -> None:
    mine = leave(session, "employee", "客服部员工事假")
    theirs = leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    as_user("head").post(LEAVES + "action/", {"action": "delete", "rowid": [str(mine), str(theirs)]})
    session.expire_all()
    assert session.get(LeaveRequest, mine) is None
    assert session.get(LeaveRequest, theirs) is not None


def test_unknown_and_out_of_scope_ids_look_the_same(app: Flask, session: Any, as_user: Any) -> None:
    theirs = leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    head = as_user("head")
    missing = head.get(LEAVES + "details/?id=999999")
    hidden = head.get(LEAVES + f"details/?id={theirs}")
    assert (missing.status_code, missing.get_data(as_text=True)) == (hidden.status_code,
                                                                      hidden.get_data(as_text=True))


def test_export_leaves_out_other_departments_rows(app: Flask, session: Any, as_user: Any) -> None:
    leave(session, "employee", "客服部员工事假")
    leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    response = as_user("head").get(LEAVES + "export/csv/")
    assert response.status_code == 200
    cells = {c for row in csv.reader(io.StringIO(response.get_data(as_text=True))) for c in row}
    assert "客服部员工事假" in cells
    assert "工程部员工复诊" not in cells


def lookup(browser: Any, url: str, name: str) -> list[int]:
    response = browser.get(f"{url}ajax/lookup/?name={name}&query=")
    assert response.status_code == 200
    return [row[0] for row in json.loads(response.get_data(as_text=True))]


def purchase_order(session: Any, reason: str, department: str) -> int:
    row = PurchaseOrder(applied_on=dt.date(2026, 12, 1), reason=reason, purchase_by="部门自行采购",
                        total=Decimal("100.00"), department_id=department_id(session, department))
    session.add(row)
    session.commit()
    return row.id


def test_a_picker_offers_only_own_departments_rows(app: Flask, session: Any, as_user: Any) -> None:
    service = purchase_order(session, "客服部采购", "客服部")
    engineering = purchase_order(session, "工程部采购", "工程部")
    offered = lookup(as_user("head_eng"), "/admin/payment_vouchers/", "purchase_order")
    assert engineering in offered
    assert service not in offered
    assert service in lookup(as_user("accountant"), "/admin/payment_vouchers/", "purchase_order")


def test_a_posted_id_of_another_departments_row_is_refused(app: Flask, session: Any, as_user: Any) -> None:
    service = purchase_order(session, "客服部采购", "客服部")
    before = session.scalar(sa.select(sa.func.count(PaymentVoucher.id)))
    response = as_user("head_eng").post("/admin/payment_vouchers/new/", {
        "reason": "维修配件", "amount": "120.00", "payee": "五金店", "has_invoice": "y",
        "purchase_order": str(service)})
    assert response.status_code == 200
    assert "无权查看" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count(PaymentVoucher.id))) == before


def test_the_all_departments_role_sees_every_department(app: Flask, session: Any, as_user: Any) -> None:
    leave(session, "employee", "客服部员工事假")
    theirs = leave(session, "engineer", "工程部员工复诊", recorded_by="head_eng")
    office = as_user("office_head")
    page = office.get(LEAVES).get_data(as_text=True)
    assert "客服部员工事假" in page and "工程部员工复诊" in page
    assert office.get(LEAVES + f"details/?id={theirs}").status_code == 200


def test_building_staff_get_no_other_buildings_rows_or_rooms(app: Flask, session: Any, as_user: Any) -> None:
    in_a = repair(session, "A栋住户甲", room_in(session, "A栋"))
    in_1 = repair(session, "1栋住户乙", room_in(session, "1栋"))
    assign_buildings(session, "clerk", "A栋")
    clerk = as_user("clerk")
    page = clerk.get("/admin/repair_orders/").get_data(as_text=True)
    assert "A栋住户甲" in page and "1栋住户乙" not in page
    assert clerk.get(f"/admin/repair_orders/details/?id={in_1}").status_code == 404
    assert clerk.get(f"/admin/repair_orders/details/?id={in_a}").status_code == 200
    rooms = set(lookup(clerk, "/admin/repair_orders/", "room"))
    a_rooms = set(session.scalars(sa.select(Room.id).join(Building).where(Building.name == "A栋")))
    assert rooms and rooms <= a_rooms


def test_centre_wide_reports_need_every_row(app: Flask, session: Any, as_user: Any) -> None:
    assert as_user("clerk").get("/admin/callback-rates/").status_code == 200
    assign_buildings(session, "clerk", "A栋")
    assert as_user("clerk").get("/admin/callback-rates/").status_code == 403


# -- approvers outside the department ----------------------------------------------------------------


def test_an_approver_from_another_department_sees_and_signs(app: Flask, session: Any, as_user: Any) -> None:
    claim = create(app, session, as_user("clerk"), "VisitorMealClaim")  # 客服部's claim
    url = f"/admin/visitor_meal_claims/details/?id={claim}"
    marketing_head = as_user("head_mkt")
    assert marketing_head.get(url).status_code == 404
    submit(app, as_user("clerk"), "VisitorMealClaim", claim)
    inbox = marketing_head.get("/admin/inbox/").get_data(as_text=True)
    assert url in inbox
    page = marketing_head.get(url)
    assert page.status_code == 200
    edit_link = f"/admin/visitor_meal_claims/edit/?id={claim}"
    assert edit_link not in page.get_data(as_text=True)  # to sign, not to change
    assert edit_link in as_user("clerk").get(url).get_data(as_text=True)
    assert decide(app, marketing_head, "VisitorMealClaim", claim).status_code == 302
    assert approval(session, "VisitorMealClaim", claim).step_index == 1
    assert marketing_head.get(url).status_code == 200  # what they signed stays readable


def test_an_approver_cannot_change_the_record_through_their_signing_right(app: Flask, session: Any,
                                                                          as_user: Any) -> None:
    claim = create(app, session, as_user("clerk"), "VisitorMealClaim")
    submit(app, as_user("clerk"), "VisitorMealClaim", claim)
    decide(app, as_user("head_mkt"), "VisitorMealClaim", claim)
    decide(app, as_user("accountant"), "VisitorMealClaim", claim, "退回", "发票抬头不对")
    assert approval(session, "VisitorMealClaim", claim).status == "已退回"  # unlocked again
    marketing_head = as_user("head_mkt")
    assert marketing_head.get(f"/admin/visitor_meal_claims/edit/?id={claim}").status_code == 404
    marketing_head.post("/admin/visitor_meal_claims/delete/", {"id": str(claim)})
    assert submit(app, marketing_head, "VisitorMealClaim", claim).status_code == 404  # resubmit: 客服部's
    session.expire_all()
    assert session.get(VisitorMealClaim, claim) is not None
    assert approval(session, "VisitorMealClaim", claim).status == "已退回"


# -- the 日清日审 board and 办理时限 --------------------------------------------------------------------


def overdue_sheet(session: Any, department: str) -> AttendanceSheet:
    """A 考勤表 not handed to 综合办 by the 4th of the next month: an overdue matter on the board."""
    month = (today().replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    sheet = AttendanceSheet(month=month, department_id=department_id(session, department))
    session.add(sheet)
    session.commit()
    return sheet


def test_board_shows_and_counts_only_matters_in_scope(app: Flask, session: Any, as_user: Any) -> None:
    sheet = overdue_sheet(session, "工程部").id
    with app.app_context():
        sheets = ["AttendanceSheet"]
        everyone = board_engine.board(session, today(), sheets)
        service = board_engine.board(session, today(), sheets, user=user(session, "head"))
        engineering = board_engine.board(session, today(), sheets, user=user(session, "head_eng"))
    assert sheet in [m.record_id for m in everyone.matters]
    assert sheet not in [m.record_id for m in service.matters]
    assert sheet in [m.record_id for m in engineering.matters]
    assert service.total < everyone.total
    assert "工程部" in everyone.by_department and "工程部" not in service.by_department
    link = f"/admin/attendance_sheets/details/?id={sheet}"
    assert link not in as_user("head").get("/admin/board/").get_data(as_text=True)
    assert link in as_user("office_head").get("/admin/board/").get_data(as_text=True)


def test_due_items_register_hides_other_departments_matters(app: Flask, session: Any, as_user: Any) -> None:
    sheet = overdue_sheet(session, "工程部").id
    item = session.scalar(sa.select(DueItem).where(DueItem.register == "AttendanceSheet",
                                                   DueItem.record_id == sheet))
    head = as_user("head")
    assert item.number not in head.get("/admin/due_items/").get_data(as_text=True)
    assert head.get(f"/admin/due_items/details/?id={item.id}").status_code == 404
    assert as_user("head_eng").get(f"/admin/due_items/details/?id={item.id}").status_code == 200


# -- the matrix ----------------------------------------------------------------------------------------


def test_grid_offers_all_departments_only_on_scoped_registers(session: Any, it_admin: Any) -> None:
    role = session.scalar(sa.select(Role).where(Role.name == "部门主管"))
    page = it_admin.get("/admin/permission-grid/?group=H").get_data(as_text=True)
    assert f"p:{role.id}:LeaveRequest:all" in page
    assert f"p:{role.id}:StaffDuty:all" not in page  # 岗位职责分工 is the staff directory: not scoped
    page = it_admin.get("/admin/permission-grid/?group=G").get_data(as_text=True)
    assert f"p:{role.id}:TeaRoomIncome:all" not in page


def test_seeded_matrix_gives_all_departments_to_the_cross_department_roles(session: Any) -> None:
    granted = {(role, resource) for role, resource in session.execute(
        sa.select(Role.name, Permission.resource).join(Permission.role).where(Permission.action == ALL_ROWS))}
    for role, resource in [("综合办领导", "LeaveRequest"), ("总经理", "PaymentVoucher"),
                           ("财务会计", "PaymentVoucher"), ("采购中心专员", "PurchaseOrder"),
                           ("仓管员", "StockRequisition"), ("客服中心经理", "RepairOrder")]:
        assert (role, resource) in granted
    assert ("部门主管", "LeaveRequest") not in granted
    assert ("客服员", "PurchaseOrder") not in granted
    assert not any(resource == "TeaRoomIncome" for _, resource in granted)


def test_matrix_file_refuses_all_departments_on_a_register_without_scope(session: Any, tmp_path: Any) -> None:
    from tests.test_seed import copy_data, edit, line_of, seed_problems

    data = copy_data(tmp_path)
    matrix = data / "03_permissions.yaml"
    edit(matrix, "  IT管理员:", "  IT管理员:\n    TeaRoomIncome: 查看 全部门")
    problems = seed_problems(session, data)
    assert len(problems) == 1, problems
    line = line_of(matrix, "TeaRoomIncome: 查看 全部门")
    assert problems[0].startswith(f"03_permissions.yaml 第 {line} 行:「全部门」只用于")


def test_registers_json_tells_each_registers_scope(app: Flask) -> None:
    from tests.test_registers_walk import catalogue

    entries = catalogue(app)
    assert entries["LeaveRequest"]["scope"] == {"department": "employee.department", "building": None}
    assert entries["RepairOrder"]["scope"] == {"department": None, "building": "room.building"}
    assert entries["TeaRoomIncome"]["scope"] is None
