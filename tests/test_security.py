"""Security headers on every response, a Content-Security-Policy the pages live within, and a production
start that refuses a development secret key or debug mode."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from admin_app import create_app
from admin_app.config import DEV_SECRET_KEY, from_env, production_problems
from tests.conftest import Browser

GOOD_KEY = "9f" * 32
ROOT = Path(__file__).resolve().parent.parent


def csp(response: Any) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


# -- headers on every response -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/login", "/admin/", "/admin/call_records/", "/admin/call_records/new/",
                                 "/admin/nowhere/", "/static/kefu.js", "/admin/static/admin/js/form.js"])
def test_every_response_carries_the_security_headers(clerk: Browser, url: str) -> None:
    response = clerk.get(url)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = csp(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_csp_allows_scripts_only_from_the_site_or_with_the_nonce(clerk: Browser) -> None:
    policy = csp(clerk.get("/admin/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert re.fullmatch(r"'nonce-[\w-]{16,}'", policy["script-src"][1])
    assert len(policy["script-src"]) == 2  # no 'unsafe-inline', no 'unsafe-eval', no other host


def test_each_response_gets_its_own_nonce(clerk: Browser) -> None:
    assert csp(clerk.get("/admin/"))["script-src"] != csp(clerk.get("/admin/"))["script-src"]


def test_pages_are_not_kept_in_the_browser_cache(clerk: Browser) -> None:
    assert clerk.get("/admin/call_records/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in clerk.get("/static/kefu.js").headers.get("Cache-Control", "")


def test_hsts_only_when_served_over_https(app: Flask, clerk: Browser, monkeypatch: Any) -> None:
    assert "Strict-Transport-Security" not in clerk.get("/admin/").headers
    monkeypatch.setitem(app.config, "KEFU_HTTPS", True)
    assert clerk.get("/admin/").headers["Strict-Transport-Security"].startswith("max-age=")


# -- the pages live within the policy ----------------------------------------------------------------

PAGES = [("head", "/admin/"), ("head", "/admin/call_records/"), ("head", "/admin/call_records/new/"),
         ("head", "/admin/purchase_orders/new/"), ("head", "/admin/board/"), ("head", "/admin/inbox/"),
         ("clerk", "/admin/reports/"), ("it", "/admin/permission-grid/?group=A"), ("it", "/admin/users/"),
         (None, "/login"), ("clerk", "/admin/users/")]


def page_of(app: Flask, as_user: Any, username: str | None, url: str) -> tuple[Any, str]:
    browser = as_user(username) if username else Browser(app.test_client())
    response = browser.get(url)
    return response, response.get_data(as_text=True)


@pytest.mark.parametrize(("username", "url"), PAGES)
def test_pages_load_scripts_styles_and_images_from_the_site_only(app: Flask, as_user: Any,
                                                                 username: str | None, url: str) -> None:
    response, page = page_of(app, as_user, username, url)
    assert response.status_code in (200, 403)
    sources = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"([^\"]*)\"", page)
    assert sources, "the page loads its styles and scripts"
    assert [s for s in sources if not s.startswith("/")] == []


@pytest.mark.parametrize(("username", "url"), PAGES)
def test_pages_have_no_inline_script_without_the_nonce(app: Flask, as_user: Any, username: str | None,
                                                       url: str) -> None:
    response, page = page_of(app, as_user, username, url)
    nonce = csp(response)["script-src"][1][len("'nonce-"):-1]
    inline = re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>", page)
    assert [tag for tag in inline if f'nonce="{nonce}"' not in tag] == []
    assert re.findall(r"\son[a-z]+=\"[^\"]*\"", page) == []
    assert re.findall(r"javascript:(?!void\(0\))\S*", html.unescape(page)) == []  # only no-op placeholders


@pytest.mark.parametrize(("username", "url"),
                         [("head", "/admin/"), (None, "/login"), ("clerk", "/admin/users/")])
def test_pages_include_the_script_that_replaces_inline_handlers(app: Flask, as_user: Any,
                                                               username: str | None, url: str) -> None:
    _, page = page_of(app, as_user, username, url)
    if username is None:  # the login page needs no script
        assert "<script" not in page
    else:
        assert '<script src="/static/kefu.js">' in page


def test_delete_buttons_and_list_actions_use_data_attributes(head: Browser) -> None:
    page = head.get("/admin/call_records/").get_data(as_text=True)
    assert re.search(r"<button data-confirm=\"[^\"]+\"", page)
    assert 'data-action="delete"' in page


def test_inline_line_items_are_added_through_a_data_attribute(head: Browser) -> None:
    page = head.get("/admin/purchase_orders/new/").get_data(as_text=True)
    assert 'data-inline-add="lines"' in page


# -- a production start ------------------------------------------------------------------------------


def production(monkeypatch: Any, **env: str) -> None:
    monkeypatch.setenv("KEFU_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("env", [{}, {"SECRET_KEY": DEV_SECRET_KEY}, {"SECRET_KEY": "short-key"}],
                         ids=["missing", "development", "short"])
def test_production_refuses_a_missing_or_development_secret_key(monkeypatch: Any, tmp_path: Path,
                                                                env: dict[str, str]) -> None:
    production(monkeypatch, KEFU_INSTANCE=str(tmp_path), **env)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_debug_mode(monkeypatch: Any, tmp_path: Path) -> None:
    production(monkeypatch, KEFU_INSTANCE=str(tmp_path), SECRET_KEY=GOOD_KEY, FLASK_DEBUG="1")
    with pytest.raises(RuntimeError, match="调试模式"):
        create_app()


def test_production_accepts_a_real_key_without_debug(monkeypatch: Any, tmp_path: Path) -> None:
    production(monkeypatch, SECRET_KEY=GOOD_KEY)
    assert production_problems(from_env(str(tmp_path)), debug=False) == []


def test_development_runs_on_the_default_key(monkeypatch: Any, tmp_path: Path) -> None:
    """``make run`` works out of the box."""
    monkeypatch.delenv("KEFU_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = from_env(str(tmp_path))
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert production_problems(config, debug=True) == []


def test_gunicorn_refuses_to_start_on_the_development_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "KEFU_ENV", "FLASK_DEBUG")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'kefu.db'}", KEFU_INSTANCE=str(tmp_path))
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run([str(gunicorn), "--check-config", "admin_app:create_app()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "生产环境拒绝启动" in result.stderr and "SECRET_KEY" in result.stderr
