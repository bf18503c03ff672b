"""The audit trail: changes, logins and approval steps logged with who, when, where and old → new values;
entries nobody can change; `audit verify` finds rows changed or removed behind the application's back;
the chain stays whole with two writers at once; each record's 修改记录 tab."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import sessionmaker

from models.audit import AppendOnlyError, AuditEntry, digest
from models.finance import PurchaseOrder
from models.front_desk import CallRecord
from models.reference import Department, User
from models.residence import FamilyOvernight, Resident
from tests.conftest import PASSWORD, Browser
from tests.test_auth import call_record_form
from tests.test_chains import create, decide, submit, url_of

CALLS = "/admin/call_records/"
AUDIT = "/admin/audit_log/"
ADDRESS = {"REMOTE_ADDR": "10.8.0.7"}
BROWSER = {"User-Agent": "Mozilla/5.0 (审计测试)"}


def entries(session: Any, register: str | None = None, record_id: int | None = None) -> list[AuditEntry]:
    session.expire_all()
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if register:
        query = query.where(AuditEntry.register == register)
    if record_id is not None:
        query = query.where(AuditEntry.record_id == record_id)
    found = list(session.scalars(query))
    session.close()  # end the read: on SQLite every transaction holds the write lock
    return found


def last_entry(session: Any) -> AuditEntry:
    return entries(session)[-1]


def changes(entry: AuditEntry) -> dict[str, list[Any]]:
    return json.loads(entry.changes)


def user_id(session: Any, username: str) -> int:
    return session.scalar(sa.select(User.id).where(User.username == username))


def new_call(session: Any, user: Browser, **values: str) -> int:
    response = user.post(CALLS + "new/", call_record_form() | values, environ_base=ADDRESS, headers=BROWSER)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    session.expire_all()
    return session.scalar(sa.select(sa.func.max(CallRecord.id)))


def verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def behind_the_apps_back(app: Flask, statement: str) -> None:
    """Raw SQL as an attacker with database access runs it: the append-only triggers out of the way."""
    engine = app.extensions["engine"]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        conn.exec_driver_sql(statement)


# -- changes through the forms -------------------------------------------------------------------------


def test_create_is_logged_with_who_where_and_every_value(session: Any, clerk: Browser) -> None:
    call_id = new_call(session, clerk, caller="审计来电人")
    (entry,) = entries(session, "CallRecord", call_id)
    record = session.get(CallRecord, call_id)
    assert (entry.action, entry.user_id, entry.username) == ("新建", user_id(session, "clerk"), "clerk")
    assert (entry.remote_addr, entry.user_agent) == ("10.8.0.7", "Mozilla/5.0 (审计测试)")
    assert (entry.register_label, entry.number) == ("来电、来访咨询记录", record.number)
    logged = changes(entry)
    assert logged["caller"] == [None, "审计来电人"]
    assert logged["received_at"] == [None, "2026-11-23 09:30:00"]
    assert logged["number"] == [None, record.number]  # numbered by the application in the same flush


def test_edit_logs_old_and_new_value_of_the_changed_field_only(session: Any, clerk: Browser) -> None:
    call_id = new_call(session, clerk, caller="改前")
    response = clerk.post(CALLS + f"edit/?id={call_id}", call_record_form() | {"caller": "改后"})
    assert response.status_code == 302
    edit = entries(session, "CallRecord", call_id)[-1]
    assert (edit.action, edit.username) == ("编辑", "clerk")
    assert changes(edit) == {"caller": ["改前", "改后"]}


def test_delete_logs_the_values_the_record_had(session: Any, clerk: Browser, head: Browser) -> None:
    call_id = new_call(session, clerk, caller="将删除")
    number = session.get(CallRecord, call_id).number
    assert head.post(CALLS + "delete/", {"id": call_id}).status_code == 302
    deleted = entries(session, "CallRecord", call_id)[-1]
    assert (deleted.action, deleted.username, deleted.number) == ("删除", "head", number)
    assert changes(deleted)["caller"] == ["将删除", None]


def test_computed_fee_and_dates_are_part_of_the_same_entry_as_text(session: Any, clerk: Browser) -> None:
    resident_id = session.scalar(sa.select(Resident.id).limit(1))
    form = {"resident": str(resident_id), "family_member": "王小明", "reason": "已报主管同意",
            "stay_on": "2026-11-20", "nights": "3", "payment": "现金"}
    assert clerk.post("/admin/family_overnights/new/", form).status_code == 302
    overnight_id = session.scalar(sa.select(sa.func.max(FamilyOvernight.id)))
    (entry,) = entries(session, "FamilyOvernight", overnight_id)
    logged = changes(entry)
    assert logged["fee"] == [None, "300.00"]
    assert logged["stay_on"] == [None, "2026-11-20"]
    assert logged["resident"] == [None, str(session.get(Resident, resident_id))]


def test_line_items_are_logged_on_their_document(app: Flask, session: Any, as_user: Any) -> None:
    order_id = create(app, session, as_user("employee"), "PurchaseOrder")
    line = session.get(PurchaseOrder, order_id).lines[0]
    line_id, item = line.id, line.item
    logged = [e for e in entries(session, "PurchaseOrder", order_id) if e.line_register]
    assert [(e.action, e.line_id) for e in logged] == [("新建", line_id)]
    assert logged[0].line_register == "PurchaseOrderLine"
    assert changes(logged[0])["item"] == [None, item]


def test_password_hash_is_never_logged(session: Any, it_admin: Browser) -> None:
    department = session.scalar(sa.select(Department.id).limit(1))
    form = {"username": "newbie", "name": "新同事", "department": str(department), "active": "y",
            "new_password": "secret12345"}
    assert it_admin.post("/admin/users/new/", form).status_code == 302
    created_id, password_hash = session.execute(
        sa.select(User.id, User.password_hash).where(User.username == "newbie")).one()
    (entry,) = entries(session, "User", created_id)
    assert changes(entry)["password_hash"] == [None, "******"]
    assert password_hash not in entry.changes and "secret12345" not in entry.changes
    assert it_admin.token() not in entry.changes


def test_saves_outside_a_request_are_logged_as_the_system(session: Any) -> None:
    session.add(Department(name="审计测试部"))
    session.commit()
    entry = last_entry(session)
    assert (entry.action, entry.register, entry.number) == ("新建", "Department", "审计测试部")
    assert (entry.user_id, entry.username, entry.remote_addr) == (None, "系统", None)


def test_rolled_back_changes_leave_no_entry(session: Any) -> None:
    before = last_entry(session).id
    session.add(Department(name="回滚部"))
    session.flush()
    session.rollback()
    with session.begin_nested():
        session.add(Department(name="保留部"))
    savepoint = session.begin_nested()
    session.add(Department(name="撤销部"))
    session.flush()
    savepoint.rollback()
    session.commit()
    kept = [(e.id, e.number) for e in entries(session, "Department") if e.id > before]
    assert kept == [(before + 1, "保留部")]


def test_one_commit_appends_with_one_insert_and_reads_only_the_head(app: Flask, session: Any) -> None:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "audit_" in statement:
            statements.append(statement.split()[0].upper())

    engine = app.extensions["engine"]
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        session.add_all([Department(name=f"批量部{i}") for i in range(5)])
        session.commit()
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert sorted(statements) == ["INSERT", "SELECT", "UPDATE"]
    assert [e.number for e in entries(session, "Department")[-5:]] == [f"批量部{i}" for i in range(5)]


# -- sign-in and approvals -----------------------------------------------------------------------------


def test_login_is_logged_with_address_and_browser(session: Any, browser: Browser) -> None:
    response = browser.post("/login", {"username": "clerk", "password": PASSWORD}, environ_base=ADDRESS,
                            headers=BROWSER)
    assert response.status_code == 302
    entry = last_entry(session)
    assert (entry.action, entry.user_id, entry.username) == ("登录", user_id(session, "clerk"), "clerk")
    assert (entry.remote_addr, entry.user_agent) == ("10.8.0.7", "Mozilla/5.0 (审计测试)")
    assert (entry.register, entry.record_id) == ("User", user_id(session, "clerk"))


@pytest.mark.parametrize("username", ["clerk", "nobody"])
def test_failed_login_is_logged_with_the_name_tried_and_address(session: Any, browser: Browser,
                                                                username: str) -> None:
    response = browser.post("/login", {"username": username, "password": "wrong-password"},
                            environ_base=ADDRESS)
    assert "登录名或密码不正确" in response.get_data(as_text=True)
    entry = last_entry(session)
    assert (entry.action, entry.user_id, entry.username, entry.remote_addr) == (
        "登录失败", None, username, "10.8.0.7")
    assert entry.record_id == (user_id(session, "clerk") if username == "clerk" else None)
    assert "wrong-password" not in entry.changes


def test_logout_is_logged(session: Any, clerk: Browser) -> None:
    assert clerk.post("/logout", {}).status_code == 302
    entry = last_entry(session)
    assert (entry.action, entry.username) == ("退出", "clerk")


def test_submission_withdrawal_signature_and_return_are_logged(app: Flask, session: Any,
                                                               as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="2")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    as_user("employee").post(url_of(app, "LeaveRequest") + f"approval/withdraw/?id={record_id}", {})
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    decide(app, as_user("head"), "LeaveRequest", record_id)
    decide(app, as_user("office_head"), "LeaveRequest", record_id, "退回", "请补充事由")
    logged = entries(session, "LeaveRequest", record_id)
    assert [(e.action, e.username) for e in logged] == [
        ("新建", "employee"), ("提交审批", "employee"), ("撤回", "employee"), ("提交审批", "employee"),
        ("同意", "head"), ("退回", "office_head")]
    assert changes(logged[1])["approval_status"] == ["草稿", "审批中"]
    assert changes(logged[3])["approval_status"] == ["已撤回", "审批中"]
    returned = changes(logged[5])
    assert returned["approval_status"] == ["审批中", "已退回"] and returned["opinion"] == [None, "请补充事由"]
    assert all(e.number == logged[0].number for e in logged)


# -- append-only ---------------------------------------------------------------------------------------


def test_no_endpoint_creates_edits_or_deletes_audit_entries(session: Any, as_user: Any) -> None:
    first = entries(session)[0]
    before = (first.id, first.changes, first.hash)
    for username in ("it", "manager"):
        user = as_user(username)
        assert user.get(AUDIT).status_code == 200
        assert user.get(AUDIT + f"details/?id={first.id}").status_code == 200
        token = user.token()
        for method, url, data in (
            ("GET", AUDIT + "new/", None),
            ("POST", AUDIT + "new/", {"username": "x", "action": "登录", "csrf_token": token}),
            ("GET", AUDIT + f"edit/?id={first.id}", None),
            ("POST", AUDIT + f"edit/?id={first.id}", {"username": "x", "csrf_token": token}),
            ("POST", AUDIT + "delete/", {"id": first.id, "csrf_token": token}),
            ("POST", AUDIT + "action/", {"action": "delete", "rowid": first.id, "csrf_token": token}),
            ("POST", AUDIT + "ajax/update/", {"list_form_pk": first.id, "username": "x",
                                              "csrf_token": token}),
        ):
            assert user.client.open(url, method=method, data=data).status_code == 403, (username, method, url)
        assert user.client.put(AUDIT + f"details/?id={first.id}").status_code == 405
    after = entries(session)[0]
    assert (after.id, after.changes, after.hash) == before


def test_audit_register_shows_an_entrys_changes_with_labels(session: Any, clerk: Browser,
                                                             as_user: Any) -> None:
    call_id = new_call(session, clerk, caller="看得见")
    (entry,) = entries(session, "CallRecord", call_id)
    page = as_user("manager").get(AUDIT + f"details/?id={entry.id}").get_data(as_text=True)
    assert "<td>来电/来访人</td><td>(空)</td><td>看得见</td>" in page
    assert "10.8.0.7" in page and entry.hash in page


def test_audit_log_is_hidden_from_roles_without_the_grant(as_user: Any) -> None:
    assert as_user("clerk").get(AUDIT).status_code == 403


def test_orm_refuses_to_change_or_delete_an_entry(session: Any) -> None:
    session.get(AuditEntry, 1).username = "改过"
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()
    session.delete(session.get(AuditEntry, 1))
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()
    with pytest.raises(AppendOnlyError):
        session.execute(sa.update(AuditEntry).values(username="改过"))
    with pytest.raises(AppendOnlyError):
        session.execute(sa.delete(AuditEntry))


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET username = 'x' WHERE id = 1",
                                       "DELETE FROM audit_log WHERE id = 1"])
def test_database_refuses_raw_update_and_delete(app: Flask, statement: str) -> None:
    engine = app.extensions["engine"]
    with pytest.raises(sa.exc.DatabaseError, match="审计日志只能追加"), engine.begin() as conn:
        conn.exec_driver_sql(statement)


# -- the chain -----------------------------------------------------------------------------------------


def test_verify_is_ok_on_a_fresh_database(app: Flask, session: Any) -> None:
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK") and f"共 {len(entries(session))} 条" in result.output


def test_verify_names_a_row_changed_behind_the_apps_back(app: Flask) -> None:
    behind_the_apps_back(app, "UPDATE audit_log SET changes = '{}' WHERE id = 5")
    result = verify(app)
    assert result.exit_code == 1
    assert "第 5 条:内容与哈希不符,记录被改动" in result.output
    assert "第 6 条" not in result.output  # its link to row 5 still holds: only row 5 is named


def test_verify_names_the_row_after_one_rewritten_with_a_fresh_hash(app: Flask, session: Any) -> None:
    """An attacker who rewrites a row and hashes it again still breaks the link of the row after it."""
    fifth = entries(session)[4]
    row = {c.name: getattr(fifth, c.key) for c in AuditEntry.__table__.columns}
    row["changes"] = "{}"
    behind_the_apps_back(app, f"UPDATE audit_log SET changes = '{{}}', hash = '{digest(row)}' WHERE id = 5")
    result = verify(app)
    assert result.exit_code == 1
    assert "第 5 条" not in result.output
    assert "第 6 条:与前一条的哈希不相连,前一条被改动或替换" in result.output


def test_verify_names_a_deleted_row(app: Flask) -> None:
    behind_the_apps_back(app, "DELETE FROM audit_log WHERE id = 7")
    result = verify(app)
    assert result.exit_code == 1
    assert "第 7 条缺失:记录被删除" in result.output


def test_verify_names_rows_cut_from_the_end(app: Flask, session: Any) -> None:
    last = last_entry(session).id
    behind_the_apps_back(app, f"DELETE FROM audit_log WHERE id >= {last - 1}")
    result = verify(app)
    assert result.exit_code == 1
    assert f"第 {last - 1}–{last} 条缺失:链尾的记录被删除" in result.output


def test_two_writers_at_once_leave_one_valid_chain(app: Flask, session: Any) -> None:
    engine = app.extensions["engine"]
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    rounds = 5
    # On PostgreSQL both transactions flush, then commit together, so both reach the chain's head at
    # once; SQLite lets one writer in at a time from BEGIN, so there they only run side by side.
    together = threading.Barrier(2, timeout=30) if engine.dialect.name == "postgresql" else None
    failures: list[BaseException] = []
    before = len(entries(session))

    def writer(name: str) -> None:
        try:
            for i in range(rounds):
                with factory() as own:
                    own.add(Department(name=f"{name}{i}"))
                    own.flush()
                    if together:
                        together.wait()
                    own.commit()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            if together:
                together.abort()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("甲部", "乙部")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    logged = entries(session)
    assert len(logged) == before + 2 * rounds
    assert [e.id for e in logged] == list(range(1, len(logged) + 1))
    result = verify(app)
    assert result.exit_code == 0, result.output


# -- the history tab -----------------------------------------------------------------------------------


def test_history_tab_shows_who_changed_which_field_from_what_to_what(session: Any, clerk: Browser,
                                                                     head: Browser) -> None:
    call_id = new_call(session, clerk, caller="旧名字")
    edited = head.post(CALLS + f"edit/?id={call_id}", call_record_form() | {"caller": "新名字"})
    assert edited.status_code == 302
    page = clerk.get(CALLS + f"details/?id={call_id}").get_data(as_text=True)
    history = page.split('id="tab-history"', 1)[1]
    assert "修改记录" in page
    assert "<td>head</td><td>编辑</td>" in history
    assert "<b>来电/来访人</b>:旧名字 → 新名字" in history
    assert "<td>clerk</td><td>新建</td>" in history


def test_history_tab_is_refused_to_a_role_that_may_not_view_the_record(session: Any, clerk: Browser,
                                                                       as_user: Any) -> None:
    call_id = new_call(session, clerk)
    assert as_user("engineer").get(CALLS + f"details/?id={call_id}").status_code == 403
