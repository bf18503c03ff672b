"""Build the admin site: one generated view per declared model, grouped by catalogue section."""

from __future__ import annotations

import warnings
from typing import Any

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from sqlalchemy.orm import scoped_session

from admin_app.headers import csp_nonce
from admin_app.translations import TRANSLATIONS
from models.base import Base, declared_models
from views.audit import AuditView
from views.board import BoardView
from views.callback_rates import CallbackRatesView
from views.home import HomeView
from views.inbox import InboxView, pending_count
from views.menu import main_menu
from views.permission_grid import PermissionGridView
from views.register_view import RegisterView
from views.reports import add_reports
from views.users import UserView

#: Registers whose page needs more than the generic machine gives.
SPECIAL_VIEWS: dict[str, type[RegisterView]] = {"User": UserView, "AuditEntry": AuditView}

# Flask-Admin 2.2 prefers a Flask-SQLAlchemy object; a plain scoped session is fully supported.
warnings.filterwarnings("ignore", message="Passing a session object directly is deprecated")


def build_admin(app: Flask, session: scoped_session) -> Admin:
    theme = Bootstrap4Theme(base_template="admin/kefu_base.html", swatch="cerulean", fluid=True)
    admin = Admin(app, name="客服台账", index_view=HomeView(name="首页", url="/admin"), theme=theme,
                  translations_path=str(TRANSLATIONS), csp_nonce_generator=csp_nonce)
    for model in declared_models():
        if model.__register__.kind == "line":
            continue
        view_class = SPECIAL_VIEWS.get(model.__name__, RegisterView)
        admin.add_view(view_class(model, session))
    admin.add_view(CallbackRatesView(session))
    admin.add_view(PermissionGridView(session))
    admin.add_view(InboxView(session))
    admin.add_view(BoardView(session))
    add_reports(admin, session)

    @app.context_processor
    def _inbox_count() -> dict[str, Any]:
        return {"pending_count": lambda: pending_count(session), "main_menu": main_menu}

    return admin


def view_for(admin: Admin, model: type[Base]) -> RegisterView | None:
    for view in admin._views:
        if isinstance(view, RegisterView) and view.model is model:
            return view
    return None
