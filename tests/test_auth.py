"""Signing in and out through HTTP: the Chinese login page, CSRF, safe redirects, hashed passwords,
cookies and server-side sessions, throttling."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.test import TestResponse

from models.front_desk import CallRecord
from models.reference import User
from tests.conftest import PASSWORD, Browser

WRONG_LOGIN = "登录名或密码不正确"


def signed_in(browser: Browser) -> bool:
    response = browser.get("/admin/")
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
        return False
    assert response.status_code == 200
    return True


def alerts(response: TestResponse) -> list[str]:
    return re.findall(r'<div class="alert[^"]*">([^<]*)</div>', response.get_data(as_text=True))


def call_record_form() -> dict[str, str]:
    return {"received_at": "2026-11-23 09:30:00", "channel": "来电", "caller": "测试来电人",
            "matter_type": "咨询", "content": "询问入住手续"}


def call_record_count(session: Any) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count(CallRecord.id)))


# -- the login page ---------------------------------------------------------------------------------


def test_login_page_is_chinese_and_carries_csrf_token(browser: Browser) -> None:
    response = browser.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("登录名", "密码", "登录"):
        assert text in page
    assert re.search(r'name="csrf_token"[^>]*value="[^"]+"', page)


def test_correct_login_redirects_home_and_greets_user(browser: Browser) -> None:
    response = browser.login("clerk")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    home = browser.get("/admin/")
    assert home.status_code == 200
    assert "龚小聪" in home.get_data(as_text=True)


@pytest.mark.parametrize(("username", "password"), [("clerk", "wrong-password"), ("nobody", PASSWORD)],
                         ids=["wrong-password", "unknown-user"])
def test_bad_credentials_are_refused_in_chinese(browser: Browser, username: str, password: str) -> None:
    response = browser.login(username, password)
    assert response.status_code == 200
    assert WRONG_LOGIN in response.get_data(as_text=True)
    assert not signed_in(browser)


def test_wrong_password_and_unknown_user_get_the_same_message(app: Any) -> None:
    wrong = Browser(app.test_client()).login("clerk", "wrong-password")
    unknown = Browser(app.test_client()).login("nobody", PASSWORD)
    assert alerts(wrong) == alerts(unknown)
    assert len(alerts(wrong)) == 1 and WRONG_LOGIN in alerts(wrong)[0]


def test_inactive_user_cannot_log_in(session: Any, browser: Browser) -> None:
    session.execute(sa.update(User).where(User.username == "clerk").values(active=False))
    session.commit()
    response = browser.login("clerk")
    assert response.status_code == 200
    assert WRONG_LOGIN in response.get_data(as_text=True)
    assert not signed_in(browser)


def test_deactivated_user_loses_an_open_session(session: Any, browser: Browser) -> None:
    assert browser.login("clerk").status_code == 302
    assert signed_in(browser)
    session.execute(sa.update(User).where(User.username == "clerk").values(active=False))
    session.commit()
    assert not signed_in(browser)


def test_login_without_csrf_token_is_refused(browser: Browser) -> None:
    response = browser.post("/login", {"username": "clerk", "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert not signed_in(browser)


# -- where a login leads ----------------------------------------------------------------------------


@pytest.mark.parametrize(("next_url", "expected"), [
    ("/admin/keys/", "/admin/keys/"),
    ("https://evil.example/", "/admin/"),
    ("//evil.example", "/admin/"),
    ("/\\evil.example", "/admin/"),  # browsers read a backslash as a slash
    ("/\t/evil.example", "/admin/"),  # and drop tabs
    ("javascript:alert(1)", "/admin/"),
])
def test_next_is_honoured_only_inside_the_site(browser: Browser, next_url: str, expected: str) -> None:
    response = browser.post("/login?next=" + quote(next_url, safe=""),
                            {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("url", ["/admin/", "/admin/keys/"])
def test_admin_pages_send_anonymous_users_to_login(browser: Browser, url: str) -> None:
    response = browser.get(url)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [url]


# -- logout -----------------------------------------------------------------------------------------


def test_logout_refuses_get(clerk: Browser) -> None:
    assert clerk.get("/logout").status_code == 405
    assert signed_in(clerk)


def test_logout_without_csrf_token_is_refused(clerk: Browser) -> None:
    response = clerk.post("/logout", csrf=False)
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert signed_in(clerk)


def test_logout_signs_out(clerk: Browser) -> None:
    response = clerk.post("/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert not signed_in(clerk)
    keys = clerk.get("/admin/keys/")
    assert keys.status_code == 302
    assert urlsplit(keys.headers["Location"]).path == "/login"


# -- passwords --------------------------------------------------------------------------------------


def test_passwords_are_stored_hashed(session: Any) -> None:
    stored = session.scalar(sa.select(User.password_hash).where(User.username == "clerk"))
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored


def test_check_password_accepts_only_the_right_password(session: Any) -> None:
    user = session.scalar(sa.select(User).where(User.username == "clerk"))
    assert user.check_password(PASSWORD)
    assert not user.check_password("demo12346")
    assert not user.check_password("")


# -- CSRF on register forms -------------------------------------------------------------------------


def test_register_form_without_csrf_token_is_refused(session: Any, head: Browser) -> None:
    before = call_record_count(session)
    response = head.post("/admin/call_records/new/", call_record_form(), csrf=False)
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert call_record_count(session) == before


def test_register_form_with_csrf_token_is_saved(session: Any, head: Browser) -> None:
    """The control for the test above: the same form, with its token, is accepted."""
    before = call_record_count(session)
    assert head.post("/admin/call_records/new/", call_record_form()).status_code == 302
    assert call_record_count(session) == before + 1


# -- the session cookie -----------------------------------------------------------------------------


def cookie_header(response: TestResponse, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert found, f"no {name} cookie set"
    return found[-1]


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(browser: Browser) -> None:
    response = browser.post("/login", {"username": "clerk", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        flags = [f.strip().lower() for f in cookie_header(response, name).split(";")]
        assert "httponly" in flags and "samesite=lax" in flags, flags
        assert "secure" not in flags  # served over plain HTTP in development


def test_cookies_are_secure_when_served_over_https(app: Any, browser: Browser, monkeypatch: Any) -> None:
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        monkeypatch.setitem(app.config, key, True)  # what KEFU_HTTPS=1 sets
    response = browser.post("/login", {"username": "clerk", "password": PASSWORD, "remember": "y"})
    for name in ("session", "remember_token"):
        assert "secure" in [f.strip().lower() for f in cookie_header(response, name).split(";")]


def test_kefu_https_turns_on_secure_cookies_and_https_urls(monkeypatch: Any, tmp_path: Any) -> None:
    from admin_app.config import from_env

    monkeypatch.setenv("KEFU_HTTPS", "1")
    config = from_env(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["PREFERRED_URL_SCHEME"] == "https"


def test_login_starts_a_fresh_session(app: Any, browser: Browser) -> None:
    browser.get("/login")
    with browser.client.session_transaction() as s:
        s["planted"] = "by someone else"
        token_before = s["csrf_token"]
    assert browser.login("clerk").status_code == 302
    with browser.client.session_transaction() as s:
        assert "planted" not in s
        assert s.get("csrf_token") != token_before
        assert not str(s["_user_id"]).isdigit()  # a session token, not the user's id


def test_a_session_cookie_copied_before_logout_is_dead_after_it(app: Any, browser: Browser) -> None:
    assert browser.login("clerk").status_code == 302
    copied = browser.client.get_cookie("session")
    assert copied is not None
    thief = Browser(app.test_client())
    thief.client.set_cookie("session", copied.value)
    assert signed_in(thief)  # the control: a copied cookie works while the session is open
    assert browser.post("/logout").status_code == 302
    assert not signed_in(thief)


def test_a_remember_me_cookie_copied_before_logout_is_dead_after_it(app: Any, browser: Browser) -> None:
    response = browser.post("/login", {"username": "clerk", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    remembered = browser.client.get_cookie("remember_token")
    assert remembered is not None

    def thief() -> Browser:  # a browser holding only the copied remember-me cookie
        stolen = Browser(app.test_client())
        stolen.client.set_cookie("remember_token", remembered.value)
        return stolen

    assert signed_in(thief())
    assert browser.post("/logout").status_code == 302
    assert not signed_in(thief())


def test_an_expired_session_is_sent_to_login(session: Any, browser: Browser) -> None:
    from admin_app.clock import now
    from models.security import UserSession

    assert browser.login("clerk").status_code == 302
    assert signed_in(browser)
    # The shift is over: the session was opened 12 hours and a minute ago.
    session.execute(sa.update(UserSession).values(expires_at=now() - dt.timedelta(minutes=1)))
    session.commit()
    response = browser.get("/admin/keys/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_a_session_lasts_one_working_shift(app: Any) -> None:
    assert app.permanent_session_lifetime == dt.timedelta(hours=12)
    assert app.config["REMEMBER_COOKIE_DURATION"] == dt.timedelta(hours=12)


def test_a_new_password_signs_the_user_out_everywhere(app: Any, session: Any, it_admin: Browser,
                                                     browser: Browser) -> None:
    from tests.test_users_and_grid import edit_form, find_user

    assert browser.login("clerk").status_code == 302
    clerk_id = find_user(session, "clerk").id  # type: ignore[union-attr]
    response = it_admin.post(f"/admin/users/edit/?id={clerk_id}",
                             edit_form(session, "clerk", new_password="xin-mima-2026"))
    assert response.status_code == 302
    assert not signed_in(browser)
