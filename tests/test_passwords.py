"""The password policy: the rule as a plain function, and where passwords are set (user form, seed files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from admin_app.passwords import password_problem
from tests.conftest import PASSWORD, Browser
from tests.test_seed import copy_data, edit, line_of, seed_problems
from tests.test_users_and_grid import edit_form, find_user, new_user_form

# -- the rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [PASSWORD, "xin-mima-2026", "客服台账2026", "Tr0ub4dor&3"])
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, "clerk") is None


@pytest.mark.parametrize(("password", "reason"), [
    ("abc1234", "至少 8 位"),
    ("", "至少 8 位"),
    ("20261203", "全是数字"),
    ("1234567890123", "全是数字"),
    ("password", "太常见"),
    ("Password1", "太常见"),
    ("1qaz2wsx", "太常见"),
    ("x" * 201, "不能超过"),
])
def test_bad_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    problem = password_problem(password, "clerk")
    assert problem is not None and reason in problem


@pytest.mark.parametrize("password", ["frontdesk01", "FrontDesk01", " frontdesk01 "])
def test_password_equal_to_the_username_is_refused(password: str) -> None:
    problem = password_problem(password, "frontdesk01")
    assert problem is not None and "登录名" in problem


# -- where passwords are set ------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "reason"), [("newbie12", "登录名"), ("88888888", "全是数字"),
                                                  ("abcd1234", "太常见")])
def test_user_form_refuses_a_weak_password(session: Any, it_admin: Browser, password: str,
                                           reason: str) -> None:
    form = new_user_form(session, username="newbie12", new_password=password)
    response = it_admin.post("/admin/users/new/", form)
    assert response.status_code == 200
    assert reason in response.get_data(as_text=True)
    assert find_user(session, "newbie12") is None


def test_user_form_refuses_a_weak_new_password_on_edit(session: Any, it_admin: Browser) -> None:
    clerk = find_user(session, "clerk")
    assert clerk is not None
    before = clerk.password_hash
    response = it_admin.post(f"/admin/users/edit/?id={clerk.id}",
                             edit_form(session, "clerk", new_password="12345678"))
    assert response.status_code == 200
    assert "全是数字" in response.get_data(as_text=True)
    assert find_user(session, "clerk").password_hash == before  # type: ignore[union-attr]


def test_seed_file_with_a_weak_password_is_refused_at_its_line(session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    users = data / "04_users.yaml"
    edit(users, "phone: '13800000000', password: demo12345", "phone: '13800000000', password: '12345678'")
    problems = seed_problems(session, data)
    line = line_of(users, "password: '12345678'")
    assert any(p.startswith(f"04_users.yaml 第 {line} 行") and "全是数字" in p for p in problems), problems
