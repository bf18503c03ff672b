"""Users: the generic view plus a password field that is hashed, never shown, and meets the policy."""

from __future__ import annotations

from typing import Any

from flask import request
from wtforms import PasswordField
from wtforms.validators import Optional

from admin_app.passwords import MIN_LENGTH, password_problem
from admin_app.sessions import end_sessions_of
from views.register_view import RegisterView


class UserView(RegisterView):
    column_exclude_list = ("password_hash",)
    import_note = "导入的账号没有密码,不能登录;需要登录系统的员工,请在其用户资料中设置密码。"

    def scaffold_form(self) -> Any:
        form = super().scaffold_form()
        form.new_password = PasswordField(
            "新密码", validators=[Optional()],
            description=f"至少 {MIN_LENGTH} 位,不能全是数字、不能与登录名相同、不能是常见密码;"
                        "新建用户必须设置,修改用户时留空表示不改密码",
        )
        return form

    def validate_form(self, form: Any) -> bool:
        valid = super().validate_form(form)
        password = getattr(form, "new_password", None)  # the delete and action forms have none
        if not valid or password is None:
            return valid
        creating = (request.endpoint or "").endswith("create_view")
        if creating and not password.data:
            password.errors = [f"新建用户必须设置密码(至少 {MIN_LENGTH} 位)"]
            return False
        if password.data:
            problem = password_problem(password.data, form.username.data or "")
            if problem:
                password.errors = [problem]
                return False
        return True

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        if form.new_password.data:
            model.set_password(form.new_password.data)
            if not is_created:  # a new password signs the user out of every browser
                end_sessions_of(self.session, model.id)
