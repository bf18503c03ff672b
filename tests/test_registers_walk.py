"""Every register of `registers --json`, through HTTP: the permitted role can do everything,
a role without permission gets 403 on every endpoint, anonymous users are sent to login."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from admin_app.scope import visible
from models.base import declared_models, registers
from models.reference import ACTIONS, Permission, Role, User
from tests.factories import form_data, make_row, model_named

REGISTER_NAMES = [m.__name__ for m in registers()]
REFERENCE_NAMES = [m.__name__ for m in declared_models() if m.__register__.kind == "reference"]


def catalogue(app: Flask, *extra: str) -> dict[str, dict[str, Any]]:
    result = app.test_cli_runner().invoke(args=["registers", "--json", *extra])
    assert result.exit_code == 0, result.output
    return {entry["name"]: entry for entry in json.loads(result.output)}


def user_with(session: Any, resource: str, actions: set[str], row: Any = None) -> str:
    """A demo user whose roles grant exactly-at-least ``actions`` on ``resource`` (and, given ``row``,
    whose row scope reaches it)."""
    for user in session.scalars(sa.select(User).order_by(User.id)):
        granted = set(session.scalars(
            sa.select(Permission.action).where(Permission.resource == resource,
                                               Permission.role_id.in_([r.id for r in user.roles]))))
        if actions <= granted and (row is None or reaches(session, user, row)):
            return user.username
    raise AssertionError(f"no demo user may {actions} on {resource}" + (" and reach the row" if row else ""))


def reaches(session: Any, user: User, row: Any) -> bool:
    """Within an app context: the matrix is read through the app's session."""
    model = type(row)
    query = visible(model, user, sa.select(model.id).where(model.id == row.id))
    return session.scalar(query) is not None


def user_without_any(session: Any, resource: str) -> str:
    for user in session.scalars(sa.select(User).order_by(User.id)):
        roles = [r.id for r in user.roles]
        if not session.scalar(sa.select(Permission.id).where(Permission.resource == resource,
                                                             Permission.role_id.in_(roles))):
            return user.username
    raise AssertionError(f"every demo user has some permission on {resource}")


def newest_id(session: Any, name: str) -> int:
    model = model_named(name)
    session.expire_all()
    return session.scalar(sa.select(sa.func.max(model.id)))


def first_text_field(entry: dict[str, Any]) -> dict[str, Any] | None:
    return next((f for f in entry["fields"] if f["type"] in ("string", "text")), None)


def walk_readonly(session: Any, as_user: Any, entry: dict[str, Any]) -> None:
    """Written by the application only: even a role the matrix grants everything may not write."""
    url = entry["url"]
    row_id = make_row(session, model_named(entry["name"])).id
    user = as_user(user_with(session, entry["name"], {"view", "export"}))
    assert user.get(url).status_code == 200
    assert user.get(url + f"details/?id={row_id}").status_code == 200
    assert user.get(url + "export/xlsx/").status_code == 200
    for method, target in (("GET", url + "new/"), ("POST", url + "new/"),
                           ("GET", url + f"edit/?id={row_id}"), ("POST", url + f"edit/?id={row_id}"),
                           ("POST", url + "delete/")):
        data = {"id": row_id, "csrf_token": user.token()} if method == "POST" else None
        assert user.client.open(target, method=method, data=data).status_code == 403, target
    session.expire_all()
    assert session.get(model_named(entry["name"]), row_id) is not None


@contextmanager
def lazy_loads() -> Iterator[list[str]]:
    """The statements the ORM sends to load one row's link or collection on access (an N+1), while open."""
    found: list[str] = []

    def note(state: ORMExecuteState) -> None:
        if state.lazy_loaded_from is not None:
            found.append(" ".join(str(state.statement).split())[:120])

    event.listen(Session, "do_orm_execute", note)
    try:
        yield found
    finally:
        event.remove(Session, "do_orm_execute", note)


def walk(app: Flask, session: Any, as_user: Any, name: str, extra: tuple[str, ...] = ()) -> None:
    entry = catalogue(app, *extra)[name]
    if entry["readonly"]:
        walk_readonly(session, as_user, entry)
        return
    url = entry["url"]
    user = as_user(user_with(session, name, set(ACTIONS)))

    assert user.get(url).status_code == 200
    assert user.get(url + "new/").status_code == 200

    data = form_data(session, entry)
    before = newest_id(session, name) or 0
    response = user.post(url + "new/", data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    row_id = newest_id(session, name)
    assert row_id and row_id > before
    with lazy_loads() as loads:  # the list shows the new row with every link filled in
        assert user.get(url).status_code == 200
    assert not loads, loads

    text = first_text_field(entry)
    page = user.get(url + f"details/?id={row_id}")
    assert page.status_code == 200
    if text:
        assert data[text["name"]] in page.get_data(as_text=True)

    assert user.get(url + f"edit/?id={row_id}").status_code == 200
    if text:
        data[text["name"]] = data[text["name"]][:-1] + "改"
        assert user.post(url + f"edit/?id={row_id}", data).status_code == 302
        session.expire_all()
        assert getattr(session.get(model_named(name), row_id), text["name"]) == data[text["name"]]

    exported = user.get(url + "export/csv/")
    assert exported.status_code == 200
    header = next(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert entry["fields"][0]["label"] in header
    xlsx = user.get(url + "export/xlsx/")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert entry["fields"][0]["label"] in [c.value for c in sheet[1]]

    assert user.post(url + "delete/", {"id": row_id}).status_code == 302
    session.expire_all()
    assert session.get(model_named(name), row_id) is None


@pytest.mark.parametrize("name", REGISTER_NAMES)
def test_permitted_role_walks_register(app: Flask, session: Any, as_user: Any, name: str) -> None:
    walk(app, session, as_user, name)


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_it_walks_reference_table(app: Flask, session: Any, as_user: Any, name: str) -> None:
    if name in ("User",):
        pytest.skip("users need a password: tests/test_users.py")
    walk(app, session, as_user, name, ("--all",))


def endpoints(url: str, row_id: int, token: str) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    """(permission it needs, method, url, form) for every Flask-Admin endpoint of a register."""
    return [
        ("view", "GET", url, None),
        ("view", "GET", url + f"details/?id={row_id}", None),
        ("create", "GET", url + "new/", None),
        ("create", "POST", url + "new/", {"csrf_token": token}),
        ("edit", "GET", url + f"edit/?id={row_id}", None),
        ("edit", "POST", url + f"edit/?id={row_id}", {"csrf_token": token}),
        ("delete", "POST", url + "delete/", {"id": row_id, "csrf_token": token}),
        ("delete", "POST", url + "action/", {"action": "delete", "rowid": row_id, "csrf_token": token}),
        ("export", "GET", url + "export/csv/", None),
        ("export", "GET", url + "export/xlsx/", None),
        ("create", "GET", url + "ajax/lookup/?name=department&query=", None),
        ("edit", "POST", url + "ajax/update/", {"list_form_pk": row_id, "csrf_token": token}),
        ("create", "GET", url + "import/template/", None),
        ("create", "GET", url + "import/", None),
        ("create", "POST", url + "import/", {"csrf_token": token}),
        ("create", "POST", url + "import/confirm/", {"token": "x" * 32, "csrf_token": token}),
    ]


def user_lacking(session: Any, resource: str, action: str) -> str | None:
    for user in session.scalars(sa.select(User).order_by(User.id)):
        if not session.scalar(sa.select(Permission.id).where(
                Permission.resource == resource, Permission.action.in_(
                    ("create", "edit") if action == "create" else (action,)),
                Permission.role_id.in_([r.id for r in user.roles]))):
            return user.username
    return None


@pytest.mark.parametrize("name", REGISTER_NAMES)
def test_role_without_permission_gets_403_everywhere(app: Flask, session: Any, as_user: Any,
                                                     name: str) -> None:
    url = catalogue(app)[name]["url"]
    row = make_row(session, model_named(name))
    row_id, row_text = row.id, str(row)
    outsider = as_user(user_without_any(session, name))
    for _, method, target, data in endpoints(url, row_id, outsider.token()):
        response = outsider.client.open(target, method=method, data=data)
        assert response.status_code == 403, (method, target, response.status_code)
        body = response.get_data(as_text=True)
        assert "没有权限" in body and row_text not in body
    session.expire_all()
    assert session.get(model_named(name), row_id) is not None


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_reference_tables_refuse_each_action_to_roles_without_it(app: Flask, session: Any,
                                                                as_user: Any, name: str) -> None:
    url = catalogue(app, "--all")[name]["url"]
    row_id = make_row(session, model_named(name)).id
    for action, method, target, data in endpoints(url, row_id, "-"):
        username = user_lacking(session, name, action)
        if username is None:  # every role may do it (e.g. view rooms)
            continue
        user = as_user(username)
        if data:
            data = {**data, "csrf_token": user.token()}
        response = user.client.open(target, method=method, data=data)
        assert response.status_code == 403, (username, target, response.get_data(as_text=True)[-600:])
    session.expire_all()
    assert session.get(model_named(name), row_id) is not None


@pytest.mark.parametrize("name", REGISTER_NAMES)
def test_anonymous_is_sent_to_login(app: Flask, session: Any, browser: Any, name: str) -> None:
    url = catalogue(app)[name]["url"]
    for _, method, target, data in endpoints(url, 1, browser.token()):
        response = browser.client.open(target, method=method, data=data)
        assert response.status_code == 302, (method, target)
        assert "/login" in response.headers["Location"]


def test_view_only_role_sees_no_buttons_it_may_not_use(session: Any, as_user: Any) -> None:
    make_row(session, model_named("CallRecord"))
    gm = as_user("gm")  # 总经理: 查看 导出 on every register
    page = gm.get("/admin/call_records/").get_data(as_text=True)
    assert "/admin/call_records/new/" not in page
    assert "/admin/call_records/edit/" not in page
    assert "/admin/call_records/delete/" not in page
    assert "/admin/call_records/export/csv/" in page
    assert gm.get("/admin/call_records/new/").status_code == 403


def test_menu_shows_only_permitted_registers(as_user: Any) -> None:
    page = as_user("storekeeper").get("/admin/").get_data(as_text=True)
    assert "仓库物资台账" in page
    assert "来电、来访咨询记录" not in page


def test_every_role_has_a_demo_user(session: Any) -> None:
    for role in session.scalars(sa.select(Role)):
        assert session.scalar(sa.select(User.id).where(User.roles.contains(role))), role.name
