"""Users: the generic view plus a password field that is hashed, never shown."""

from __future__ import annotations

from typing import Any

from flask import request
from wtforms import PasswordField
from wtforms.validators import Length, Optional

from views.register_view import RegisterView

MIN_PASSWORD = 8


class UserView(RegisterView):
    column_exclude_list = ("password_hash",)
    import_note = "导入的账号没有密码,不能登录;需要登录系统的员工,请在其用户资料中设置密码。"

    def scaffold_form(self) -> Any:
        form = super().scaffold_form()
        form.new_password = PasswordField(
            "新密码",
            validators=[Optional(), Length(min=MIN_PASSWORD, max=200,
                                           message=f"密码至少 {MIN_PASSWORD} 位")],
            description="新建用户必须设置;修改用户时留空表示不改密码",
        )
        return form

    def validate_form(self, form: Any) -> bool:
        valid = super().validate_form(form)
        creating = (request.endpoint or "").endswith("create_view")
        if valid and creating and not form.new_password.data:
            form.new_password.errors = [f"新建用户必须设置密码(至少 {MIN_PASSWORD} 位)"]
            return False
        return valid

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        if form.new_password.data:
            model.set_password(form.new_password.data)
