"""Sign-in and sign-out: Flask-Login with a Chinese login page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin_app import audit
from models.reference import User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    session = current_app.extensions["db_session"]
    user = session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


class LoginForm(FlaskForm):
    username = StringField("登录名", validators=[DataRequired("请输入登录名"), Length(max=50)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])
    remember = BooleanField("记住我")


def safe_next(target: str | None) -> str | None:
    """Only a path inside this site; never another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("admin.index"))
    if form.validate_on_submit():
        session = current_app.extensions["db_session"]
        user = session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            audit.note(session, "登录", record=user, user=user)
            session.commit()
            return redirect(next_url or url_for("admin.index"))
        audit.note(session, "登录失败", record=user, register="User", username=form.username.data.strip())
        session.commit()
        flash("登录名或密码不正确。", "error")
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    session = current_app.extensions["db_session"]
    audit.note(session, "退出", record=current_user._get_current_object())
    session.commit()
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))
