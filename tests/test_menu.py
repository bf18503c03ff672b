"""The navigation menu is kept per grants, department and buildings, and open view: it follows a change
of grants at once."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from models.reference import Permission, User

MENU = re.compile(r'<ul class="nav navbar-nav mr-auto">(.*?)</ul>\s*<ul class="nav navbar-nav navbar-right">',
                  re.S)


def menu(client: Any, url: str = "/admin/") -> str:
    html = client.get(url).get_data(as_text=True)
    found = MENU.search(html)
    assert found, url
    return found.group(1)


def test_a_revoked_register_leaves_the_menu_on_the_next_page(as_user: Any, session: Any) -> None:
    storekeeper = as_user("storekeeper")
    assert "仓库物资台账" in menu(storekeeper)
    roles = session.scalar(sa.select(User).where(User.username == "storekeeper")).roles
    session.execute(sa.delete(Permission).where(Permission.role_id.in_([r.id for r in roles]),
                                                Permission.resource == "StockItem"))
    session.commit()

    assert "仓库物资台账" not in menu(storekeeper)


def test_each_user_sees_their_own_menu(as_user: Any) -> None:
    storekeeper, clerk = as_user("storekeeper"), as_user("clerk")
    assert "来电、来访咨询记录" not in menu(storekeeper)
    assert "来电、来访咨询记录" in menu(clerk)
    assert "来电、来访咨询记录" not in menu(storekeeper)


def test_the_open_view_is_the_active_item(as_user: Any) -> None:
    clerk = as_user("clerk")
    on_calls = menu(clerk, "/admin/call_records/")
    on_repairs = menu(clerk, "/admin/repair_orders/")

    def active(html: str) -> list[str]:
        return re.findall(r'class="dropdown-item active\s*"\s+href="([^"]+)"', html)

    assert active(on_calls) == ["/admin/call_records/"]
    assert active(on_repairs) == ["/admin/repair_orders/"]


def test_a_role_granted_a_register_finds_it_in_the_menu(as_user: Any, session: Any) -> None:
    storekeeper = as_user("storekeeper")
    assert "来电、来访咨询记录" not in menu(storekeeper)
    role = session.scalar(sa.select(User).where(User.username == "storekeeper")).roles[0]
    session.add(Permission(role_id=role.id, resource="CallRecord", action="view"))
    session.commit()

    assert "来电、来访咨询记录" in menu(storekeeper)
