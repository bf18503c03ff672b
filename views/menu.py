"""The navigation menu, rendered once for each kind of user and page.

Flask-Admin renders the menu on every page: for each of a hundred-odd views it asks whether the user may
see it and builds its address, a quarter of a list page's time. What it shows depends only on what the
user is granted, on whether rows are limited for them (reports and rates are offered only to users who
see every row: their department and buildings) and on which view is open (the active item), so its HTML
is kept per app under exactly that key: a change of grants or buildings is a new key, never a stale menu.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_login import current_user
from markupsafe import Markup

from admin_app.permissions import granted

#: Menus kept per app before the store starts afresh: a key per set of grants (a role, mostly), limit on rows
#: and open view; at most some 25 MB of HTML.
KEPT = 1_000


def main_menu(admin_view: Any, render: Callable[[], str]) -> Markup:
    """``render()`` (the layout's menu macro) for the signed-in user on ``admin_view``'s page."""
    if not current_user.is_authenticated:
        return Markup(render())
    user = current_user._get_current_object()
    # Not the user: users of one role share their menus.
    key = (granted(), user.department_id, tuple(sorted(b.id for b in user.buildings)), admin_view.endpoint)
    menus: dict[Any, Markup] = current_app.extensions.setdefault("kefu_menus", {})
    html = menus.get(key)
    if html is None:
        if len(menus) >= KEPT:
            menus.clear()
        html = menus[key] = Markup(render())
    return html
