"""A real browser against a real server: Debian's Chromium driven by Playwright.

Each test gets the app on its own fresh database (both backends, as every other test), served by a
threaded Werkzeug server on a free loopback port. A page fails its test on any console error,
uncaught script error, failed request or HTTP error response, so a broken asset, a script the
Content-Security-Policy blocks or a 500 behind a redirect cannot pass unseen.

Chromium is Debian's package (`apt-get install chromium`; `.ci/run` installs it): Playwright's own
browser download needs a network these machines do not have. Without it the browser tests are
skipped, except under ``CI=true`` where they must run.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without the networking switches Chromium keeps trying to reach Google's servers (notes/browser-and-pdf.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(__file__).resolve().parents[2] / "screenshots"))
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="没有 Chromium:apt-get install chromium(CI 中必须有)")
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per asset request drowns the report
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM:
        raise RuntimeError("CI=true 时必须有 Chromium:apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Problems:
    """What went wrong in the page while the test drove it."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("console", lambda m: m.type == "error" and self.seen.append(
            f"console: {m.text} {m.location}"))
        page.on("pageerror", lambda e: self.seen.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: self._failed(r))
        page.on("response", lambda r: r.status >= 400 and self.seen.append(f"HTTP {r.status}: {r.url}"))

    def _failed(self, request: Any) -> None:
        # ERR_ABORTED is a request the browser itself cancelled: a favicon or script still loading when the
        # test moves to the next page, or the PDF handed to the download manager. Refused, blocked or
        # unreachable requests fail otherwise, and a missing file shows as its HTTP status.
        if request.failure != "net::ERR_ABORTED":
            self.seen.append(f"request failed: {request.url} ({request.failure})")


@dataclass
class Tab:
    """One signed-in user's browser tab, with the helpers the journeys share."""

    page: Any
    base: str
    name: str

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return response

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.go("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.click("form [type=submit]")
        assert "/login" not in self.page.url, self.alert_text()

    def logout(self) -> None:
        with self.page.expect_navigation():
            self.page.click("nav form[action$='/logout'] [type=submit]")

    def fill(self, values: dict[str, str]) -> None:
        """Type into text inputs, text areas and date pickers; choose in drop-downs by their label."""
        for name, value in values.items():
            element = self.page.locator(f"[name='{name}']")
            if element.evaluate("e => e.tagName") == "SELECT":
                self.pick(name, value)
            else:
                element.fill(value)
                element.press("Escape")  # close a date picker that opened on focus

    def pick(self, name: str, typed: str, choice: str | None = None) -> None:
        """Choose in a Select2 box as a person does: open it, type (a search box for linked records asks the
        server), click the choice."""
        self.page.click(f"#s2id_{name} a.select2-choice")
        search = self.page.locator("#select2-drop input.select2-input")
        if search.is_visible():
            search.fill(typed)
        self.page.locator("#select2-drop .select2-result-selectable", has_text=choice or typed).first.click()
        assert (choice or typed) in self.page.locator(f"#s2id_{name} .select2-chosen").inner_text(), name

    def save(self, button: str = "保存") -> None:
        with self.page.expect_navigation():
            self.page.locator(f"form input[type=submit][value='{button}']").first.click()

    def alert_text(self) -> str:
        """The flashed messages, without their close buttons."""
        return " ".join(t.replace("×", "").strip() for t in self.page.locator(".alert").all_inner_texts())

    def screenshot(self, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_tab(chromium: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``open_tab("clerk")``: a new browser context signed in through the login form."""
    problems = Problems()
    contexts: list[Any] = []
    test = re.sub(r"\W+", "-", request.node.name).strip("-")

    def open_(username: str | None, viewport: dict[str, int] = DESKTOP) -> Tab:
        context = chromium.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        problems.watch(page)
        tab = Tab(page, live_server, f"{test}-{username or 'anonymous'}")
        if username:
            tab.login(username)
        return tab

    yield open_
    for context in contexts:
        context.close()
    assert not problems.seen, "浏览器里出现错误:\n" + "\n".join(problems.seen)
