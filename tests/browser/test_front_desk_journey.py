"""A clerk's morning at the front desk, in a real browser: a call, a repair, a key lent and taken back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from admin_app.clock import now

STAMP = "%Y-%m-%d %H:%M:%S"


def test_clerk_records_a_call_and_a_repair(open_tab: Any) -> None:
    tab = open_tab("clerk")
    called = now() - dt.timedelta(minutes=3)

    tab.go("/admin/call_records/new/")
    tab.fill({"received_at": f"{called:{STAMP}}", "caller": "柳青禾", "phone": "13800001111",
              "matter_type": "报修", "content": "卫生间水龙头漏水,请尽快派人"})
    tab.pick("room", "101")
    tab.save()
    assert "柳青禾" in tab.page.locator("table.model-list").inner_text(), tab.alert_text()

    tab.go("/admin/repair_orders/new/")
    tab.fill({"called_at": f"{called:{STAMP}}", "resident": "柳青禾", "phone": "13800001111",
              "content": "卫生间水龙头漏水"})
    tab.pick("room", "101")
    tab.save()
    listing = tab.page.locator("table.model-list").inner_text()
    assert "卫生间水龙头漏水" in listing, tab.alert_text()
    tab.screenshot("repair-listed")


def test_clerk_lends_a_key_and_takes_it_back(open_tab: Any) -> None:
    tab = open_tab("clerk")
    lent = now() - dt.timedelta(minutes=2)
    day_end = dt.datetime.combine(lent.date(), dt.time(23, 59))

    tab.go("/admin/key_loans/new/")
    tab.pick("key", "A栋-402")
    tab.fill({"borrower": "聂远航", "borrower_phone": "13900002222", "purpose": "维修卫生间水龙头",
              "lent_at": f"{lent:{STAMP}}", "due_back_at": f"{day_end:{STAMP}}"})
    tab.save()
    row = tab.page.locator("table.model-list tr", has_text="聂远航")
    assert row.count() == 1, tab.alert_text()
    assert _key_state(tab, "A栋-402") == "借出"

    tab.go("/admin/key_loans/?search=聂远航")
    with tab.page.expect_navigation():
        row.locator("a[title='编辑记录']").click()
    tab.fill({"returned_at": f"{now():{STAMP}}", "return_condition": "完好"})
    tab.pick("received_back_by", "龚小聪")
    tab.save()
    returned = tab.page.locator("table.model-list tr", has_text="聂远航")
    assert returned.locator("td", has_text="完好").count() == 1, tab.alert_text()
    assert _key_state(tab, "A栋-402") == "在柜"
    tab.screenshot("key-returned")


def _key_state(tab: Any, label: str) -> str:
    tab.go("/admin/keys/?search=" + label)
    row = tab.page.locator("table.model-list tr", has_text=label).first
    return next(s for s in ("在柜", "借出", "遗失", "封存") if s in row.inner_text())
