"""The home page: the user's own work first (what waits for their signature, their records on the way or
sent back, the 日清日审 board), then the registers they may open, by catalogue section."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from admin_app import approvals
from admin_app.clock import today
from admin_app.permissions import can
from models.base import GROUPS
from views.board import board_for_user
from views.inbox import listed, pending_count, register_pages

#: The user's own records on the way that the home page lists, the latest first.
MINE = 10


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self) -> str:
        sections: dict[str, list[Any]] = {}
        for view in self.admin._views:
            decl = getattr(view, "declaration", None)
            if decl is not None and view.is_visible():
                sections.setdefault(decl.group, []).append(view)
        ordered = [(GROUPS[g], sections[g]) for g in GROUPS if g in sections]
        session = self.admin.app.extensions["db_session"]
        mine = listed(approvals.submitted_by(session, current_user._get_current_object(), MINE))
        return self.render("admin/home.html", sections=ordered, board=board_for_user(session, today()),
                           pages=register_pages(), can_sign=can("create", "DayReview"), mine=mine,
                           waiting=pending_count(session))
