"""A small browser over ``http.client``: cookies, the CSRF token of the page, the real login form.

Used by ``bench.traffic`` and ``tests/test_two_servers.py`` against gunicorn on the loopback, so that
neither needs an HTTP library beyond the standard one. Thread-safe per instance only: one thread,
one browser (a user signed in once).
"""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

PASSWORD = "demo12345"  # every demo account's, seed/data/04_users.yaml
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

Form = Mapping[str, Any] | Iterable[tuple[str, Any]]


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float

    @property
    def location(self) -> str:
        """The redirect's target as a path on this server."""
        parts = urlsplit(self.headers.get("location", ""))
        return parts.path + (f"?{parts.query}" if parts.query else "")


class Browser:
    """One signed-in user on one server (``http://127.0.0.1:PORT``)."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._token: str | None = None

    def request(self, method: str, path: str, form: Form | None = None) -> Page:
        # A connection per request: gunicorn's sync workers close it after each response anyway.
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = {"Accept-Language": "zh-CN"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(list(form.items()) if isinstance(form, Mapping) else list(form), doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self._keep_cookie(value)
        headers_out = {k.lower(): v for k, v in response.getheaders()}
        return Page(response.status, headers_out, data.decode("utf-8", "replace"), seconds)

    def _keep_cookie(self, header: str) -> None:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            gone = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if gone or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str, *, follow: bool = False) -> Page:
        page = self.request("GET", path)
        return self.get(page.location) if follow and page.status in (301, 302, 303) else page

    def post(self, path: str, form: Form | None = None, *, follow: bool = False) -> Page:
        """Post with the session's CSRF token, as the page's form would."""
        fields = list(form.items()) if isinstance(form, Mapping) else list(form or [])
        if not any(k == "csrf_token" for k, _ in fields):
            fields.append(("csrf_token", self.token()))
        page = self.request("POST", path, fields)
        if path.split("?")[0] in ("/login", "/logout") and page.status == 302:
            self._token = None  # a new session: a new CSRF token
        return self.get(page.location) if follow and page.status in (301, 302, 303) else page

    def token(self) -> str:
        if self._token is None:
            page = self.get("/login")
            if page.status == 302:  # signed in: the navbar's logout form carries it
                page = self.get("/admin/")
            match = CSRF.search(page.text)
            if not match:
                raise RuntimeError(f"page carries no CSRF token (HTTP {page.status})")
            self._token = match.group(1)
        return self._token

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Through the login form; raises unless it signs in."""
        page = self.post("/login", {"username": username, "password": password})
        if page.status != 302:
            raise RuntimeError(f"login as {username} failed: HTTP {page.status}")


class _FormFields(HTMLParser):
    """The fields a browser would post back from the page's admin form, as they were rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._select: tuple[str, str | None] | None = None  # name, its first option's value
        self._selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "admin-form" in a.get("class", ""):
            self._inside = True
        if not self._inside:
            return
        name = a.get("name")
        if tag == "option" and self._select is not None:
            if self._select[1] is None:
                self._select = (self._select[0], a.get("value", ""))
            if "selected" in a and not self._selected:
                self.fields.append((self._select[0], a.get("value", "")))
                self._selected = True
        elif not name:
            return
        elif tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self.fields.append((name, a.get("value", "y")))
        elif tag == "input" and a.get("type") not in ("submit", "button", "file"):
            self.fields.append((name, a.get("value", "")))
        elif tag == "select":
            self._select, self._selected = (name, None), False
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select is not None:
            if not self._selected and self._select[1] is not None:  # as a browser: the first option
                self.fields.append(self._select)
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the newline that opens a textarea and sends CRLF as LF here.
            self.fields.append((self._textarea, self._text.replace("\r\n", "\n").removeprefix("\n")))
            self._textarea = None


def form_fields(page: str) -> list[tuple[str, str]]:
    """The admin form's fields of an edit page, ready to post back (repeated names kept)."""
    parser = _FormFields()
    parser.feed(page)
    parser.close()
    return parser.fields


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """``fields`` with these names' values replaced."""
    return [(k, values[k]) if k in values else (k, v) for k, v in fields]
