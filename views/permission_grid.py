"""The permission matrix as one grid: roles × registers × actions, edited by IT."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import scoped_session

from admin_app.permissions import can
from models.base import GROUPS, declared_models
from models.reference import ALL_ROWS, GRANTS, Permission, Role

RESOURCE = "Permission"


class GridForm(FlaskForm):
    """Renders the CSRF token; the cells are read from the posted names."""


def cell_name(role_id: int, resource: str, action: str) -> str:
    return f"p:{role_id}:{resource}:{action}"


class PermissionGridView(BaseView):
    def __init__(self, session: scoped_session) -> None:
        self.session = session
        super().__init__(name="权限矩阵", category=GROUPS["S"], endpoint="permission_grid",
                         url="/admin/permission-grid")

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        return current_user.is_authenticated and can("view", RESOURCE)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if not can("edit" if request.method == "POST" else "view", RESOURCE):
            abort(403)
        return None

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        group = request.args.get("group") or ""
        models = [m for m in declared_models()
                  if m.__register__.kind != "line" and (not group or m.__register__.group == group)]
        roles = list(self.session.scalars(select(Role).order_by(Role.id)))
        form = GridForm()
        if request.method == "POST":  # CSRFProtect has already checked the token
            self.save(roles, [m.__name__ for m in models])
            flash("权限矩阵已保存。", "success")
            return redirect(request.full_path.rstrip("?"))
        granted = {(p.role_id, p.resource, p.action)
                   for p in self.session.scalars(select(Permission))}
        return self.render("admin/permission_grid.html", form=form, roles=roles, models=models,
                           actions=GRANTS, all_rows=ALL_ROWS, granted=granted, groups=GROUPS, group=group,
                           cell_name=cell_name)

    def save(self, roles: list[Role], resources: list[str]) -> None:
        wanted = {(r.id, res, a) for r in roles for res in resources for a in GRANTS
                  if request.form.get(cell_name(r.id, res, a))}
        existing = {(p.role_id, p.resource, p.action): p for p in self.session.scalars(
            select(Permission).where(Permission.resource.in_(resources)))}
        for key, perm in existing.items():
            if key not in wanted:
                self.session.delete(perm)
        for role_id, resource, action in wanted - existing.keys():
            self.session.add(Permission(role_id=role_id, resource=resource, action=action))
        self.session.commit()
