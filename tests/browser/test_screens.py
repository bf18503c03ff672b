"""The pages on the screens our users have: a 1366×768 front-desk monitor and a phone; and the words the
browser's scripts write (date pickers, search boxes) are Chinese too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.chinese_text import english_words

DESK_PAGES = ["/admin/", "/admin/call_records/", "/admin/call_records/new/", "/admin/repair_orders/",
              "/admin/key_loans/", "/admin/key_loans/new/", "/admin/board/", "/admin/inbox/"]


def overflow(tab: Any) -> int:
    """How far the page reaches beyond the window sideways (0: no sideways scrolling)."""
    return int(tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("username", ["clerk", "head"])
def test_desk_pages_fit_1366_by_768(open_tab: Any, username: str) -> None:
    tab = open_tab(username)
    for path in DESK_PAGES:
        tab.go(path)
        assert overflow(tab) <= 0, f"{path} 在 1366×768 屏幕上需要横向滚动"
        navbar = tab.page.locator("nav.navbar").bounding_box()
        assert navbar and navbar["height"] <= 110, f"{path}: 导航栏占了 {navbar and navbar['height']} 像素高"
    tab.go("/admin/")
    tab.screenshot("home-1366")


def test_approval_pages_fit_a_phone(open_tab: Any) -> None:
    tab = open_tab("head", viewport=PHONE)
    for path in ("/admin/", "/admin/inbox/"):
        tab.go(path)
        assert overflow(tab) <= 0, f"{path} 在手机上需要横向滚动"
    assert tab.page.locator("nav a:visible", has_text="待我审批").count() == 1  # without opening the menu
    tab.screenshot("inbox-phone")


def test_widgets_speak_chinese(open_tab: Any) -> None:
    tab = open_tab("clerk")
    tab.go("/admin/call_records/new/")
    tab.page.click("#received_at")
    picker = tab.page.locator(".daterangepicker:visible").first
    assert english_words(picker.inner_text()) == set(), picker.inner_text()
    assert "确定" in picker.inner_text()
    tab.page.keyboard.press("Escape")
    tab.page.click("h4")  # away from the picker

    tab.page.click("#s2id_room a.select2-choice")
    tab.page.fill("#select2-drop input.select2-input", "不存在的房间")
    message = tab.page.locator("#select2-drop .select2-no-results")
    message.wait_for()
    assert message.inner_text() == "没有找到匹配项"

    tab.page.keyboard.press("Escape")
    body = tab.page.inner_text("body")
    assert english_words(body) == set(), sorted(english_words(body))
