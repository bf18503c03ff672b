"""Users, roles and the permission grid: only IT manages them, passwords stay hashed and hidden."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from models.base import declared_models
from models.reference import Department, Permission, Role, User
from tests.conftest import PASSWORD, Browser

IT_ONLY = ["/admin/users/", "/admin/users/new/", "/admin/roles/", "/admin/permissions/",
           "/admin/permission-grid/"]
GRID = "/admin/permission-grid/"
NEW_PASSWORD = "xin-mima-2026"


def role_id(session: Any, name: str) -> int:
    found = session.scalar(sa.select(Role.id).where(Role.name == name))
    assert found is not None, name
    return found


def department_id(session: Any, name: str) -> int:
    found = session.scalar(sa.select(Department.id).where(Department.name == name))
    assert found is not None, name
    return found


def find_user(session: Any, username: str) -> User | None:
    session.expire_all()
    return session.scalar(sa.select(User).where(User.username == username))


def new_user_form(session: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": "newbie", "name": "温新人", "department": str(department_id(session, "客服部")),
        "roles": [str(role_id(session, "客服员"))], "position": "前台", "phone": "13900000000",
        "active": "y", "new_password": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def edit_form(session: Any, username: str, **changes: Any) -> dict[str, Any]:
    user = find_user(session, username)
    assert user is not None
    data: dict[str, Any] = {
        "username": user.username, "name": user.name, "position": user.position or "",
        "phone": user.phone or "", "active": "y", "roles": [str(r.id) for r in user.roles],
        "created_at": user.created_at.strftime("%Y-%m-%d %H:%M:%S"), "new_password": "",
    }
    data.update(changes)
    return data


def can_log_in(app: Flask, username: str, password: str) -> bool:
    response = Browser(app.test_client()).login(username, password)
    return response.status_code == 302 and response.headers["Location"] == "/admin/"


def granted(session: Any) -> set[tuple[int, str, str]]:
    session.expire_all()
    return {(p.role_id, p.resource, p.action) for p in session.scalars(sa.select(Permission))}


def checked_cells(browser: Browser, url: str = GRID) -> list[str]:
    page = browser.get(url).get_data(as_text=True)
    return re.findall(r'name="(p:[^"]+)" value="1" checked', page)


def cell(session: Any, role: str, resource: str, action: str) -> str:
    return f"p:{role_id(session, role)}:{resource}:{action}"


# -- only IT manages users and roles ----------------------------------------------------------------


@pytest.mark.parametrize("username", ["clerk", "head"])
@pytest.mark.parametrize("url", IT_ONLY)
def test_only_it_opens_user_and_role_pages(as_user: Any, username: str, url: str) -> None:
    response = as_user(username).get(url)
    assert response.status_code == 403
    assert "没有权限" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", IT_ONLY)
def test_it_opens_user_and_role_pages(it_admin: Browser, url: str) -> None:
    assert it_admin.get(url).status_code == 200


# -- creating and editing users ---------------------------------------------------------------------


def test_it_creates_a_user_who_can_log_in(app: Flask, session: Any, it_admin: Browser) -> None:
    response = it_admin.post("/admin/users/new/", new_user_form(session))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    user = find_user(session, "newbie")
    assert user is not None
    assert user.name == "温新人" and user.active
    assert [r.name for r in user.roles] == ["客服员"]
    assert can_log_in(app, "newbie", NEW_PASSWORD)


def test_new_user_gets_the_roles_permissions(session: Any, it_admin: Browser, as_user: Any) -> None:
    assert it_admin.post("/admin/users/new/", new_user_form(session)).status_code == 302
    newbie = as_user("newbie")
    assert newbie.get("/admin/call_records/").status_code == 200
    assert newbie.get("/admin/users/").status_code == 403


def test_it_sets_the_new_users_department(session: Any, it_admin: Browser) -> None:
    assert it_admin.post("/admin/users/new/", new_user_form(session)).status_code == 302
    user = find_user(session, "newbie")
    assert user is not None
    assert user.department_id == department_id(session, "客服部")


def test_creating_a_user_without_password_is_refused(session: Any, it_admin: Browser) -> None:
    response = it_admin.post("/admin/users/new/", new_user_form(session, new_password=""))
    assert response.status_code == 200
    assert "必须设置密码" in response.get_data(as_text=True)
    assert find_user(session, "newbie") is None


def test_a_short_password_is_refused(session: Any, it_admin: Browser) -> None:
    response = it_admin.post("/admin/users/new/", new_user_form(session, new_password="abc1234"))
    assert response.status_code == 200
    assert "密码至少" in response.get_data(as_text=True)
    assert find_user(session, "newbie") is None


def test_editing_with_empty_password_keeps_the_old_one(app: Flask, session: Any,
                                                       it_admin: Browser) -> None:
    clerk_id = find_user(session, "clerk").id  # type: ignore[union-attr]
    response = it_admin.post(f"/admin/users/edit/?id={clerk_id}", edit_form(session, "clerk", name="龚聪"))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert find_user(session, "clerk").name == "龚聪"  # type: ignore[union-attr]
    assert can_log_in(app, "clerk", PASSWORD)


def test_editing_with_a_new_password_replaces_the_old_one(app: Flask, session: Any,
                                                          it_admin: Browser) -> None:
    clerk_id = find_user(session, "clerk").id  # type: ignore[union-attr]
    form = edit_form(session, "clerk", new_password=NEW_PASSWORD)
    assert it_admin.post(f"/admin/users/edit/?id={clerk_id}", form).status_code == 302
    assert can_log_in(app, "clerk", NEW_PASSWORD)
    assert not can_log_in(app, "clerk", PASSWORD)


# -- password hashes are never shown ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/users/export/csv/", "/admin/users/details/?id=1"])
def test_user_pages_never_show_password_hashes(it_admin: Browser, url: str) -> None:
    response = it_admin.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "登录名" in body
    assert "scrypt:" not in body


# -- the permission grid ----------------------------------------------------------------------------


def test_grid_shows_roles_as_columns_and_registers_as_rows(it_admin: Browser) -> None:
    page = it_admin.get(GRID).get_data(as_text=True)
    header = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "客服员" in header and "IT管理员" in header
    assert "<th>A. 来电、来访咨询记录</th>" in body


def test_it_ticks_and_unticks_a_cell(session: Any, it_admin: Browser, dietitian: Browser) -> None:
    assert dietitian.get("/admin/call_records/").status_code == 403
    before = granted(session)
    new = cell(session, "营养师", "CallRecord", "view")
    checked = checked_cells(it_admin)
    assert new not in checked

    response = it_admin.post(GRID, dict.fromkeys([*checked, new], "1"))
    assert response.status_code == 302
    assert granted(session) == before | {(role_id(session, "营养师"), "CallRecord", "view")}
    assert dietitian.get("/admin/call_records/").status_code == 200

    assert it_admin.post(GRID, dict.fromkeys(checked, "1")).status_code == 302
    assert granted(session) == before
    assert dietitian.get("/admin/call_records/").status_code == 403


def test_grid_post_without_csrf_token_changes_nothing(session: Any, it_admin: Browser,
                                                      dietitian: Browser) -> None:
    before = granted(session)
    cells = [*checked_cells(it_admin), cell(session, "营养师", "CallRecord", "view")]
    response = it_admin.post(GRID, dict.fromkeys(cells, "1"), csrf=False)
    assert response.status_code == 400
    assert granted(session) == before
    assert dietitian.get("/admin/call_records/").status_code == 403


def test_clerk_cannot_post_the_grid(session: Any, it_admin: Browser, clerk: Browser) -> None:
    before = granted(session)
    cells = [*checked_cells(it_admin), cell(session, "客服员", "User", "edit")]
    response = clerk.post(GRID, dict.fromkeys(cells, "1"))
    assert response.status_code == 403
    assert granted(session) == before
    empty = clerk.post(GRID, {})  # would revoke every permission, were it accepted
    assert empty.status_code == 403
    assert granted(session) == before


def test_grid_group_limits_rows_to_that_section(it_admin: Browser) -> None:
    page = it_admin.get(GRID + "?group=A").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th>(\w)\. ([^<]+)</th>", page)
    section_a = {m.__register__.label for m in declared_models()
                 if m.__register__.group == "A" and m.__register__.kind != "line"}
    assert {group for group, _ in rows} == {"A"}
    assert {label for _, label in rows} == section_a


def test_saving_one_section_leaves_the_others_alone(session: Any, it_admin: Browser) -> None:
    before = granted(session)
    assert it_admin.post(GRID + "?group=A", {}).status_code == 302
    after = granted(session)
    section_a = {m.__name__ for m in declared_models() if m.__register__.group == "A"}
    assert after == {p for p in before if p[1] not in section_a}
    assert any(p[1] not in section_a for p in after)
