"""The home page: the registers this user may open, by catalogue section."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from admin_app.clock import today
from admin_app.permissions import can
from models.base import GROUPS
from views.board import board_for_user
from views.inbox import register_pages


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
        return self.render("admin/home.html", sections=ordered, board=board_for_user(session, today()),
                           pages=register_pages(), can_sign=can("create", "DayReview"))
