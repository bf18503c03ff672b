"""Sign-in and sign-out: Flask-Login with a Chinese login page, throttled, on server-side sessions."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin_app import audit, sessions, throttle
from models.reference import User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"

#: Browsers read a backslash as a slash and drop tabs and line breaks inside a URL.
_UNSAFE_IN_PATH = re.compile(r"[\\\x00-\x20\x7f]")


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The session cookie and the remember-me cookie carry a session token, never a user id."""
    return sessions.user_of(current_app.extensions["db_session"], token)


class LoginForm(FlaskForm):
    username = StringField("登录名", validators=[DataRequired("请输入登录名"), Length(max=50)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])
    remember = BooleanField("记住我")


def safe_next(target: str | None) -> str | None:
    """Only a path inside this site; never another host, however the URL is disguised."""
    if not target or _UNSAFE_IN_PATH.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def remote_addr() -> str:
    """The client's address (behind a proxy, ``KEFU_PROXIES`` makes Werkzeug's ProxyFix set it)."""
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("admin.index"))
    if form.validate_on_submit():
        db = current_app.extensions["db_session"]
        username, addr = form.username.data.strip(), remote_addr()
        refused = throttle.refusal(db, username, addr)
        if refused:  # checked before the password: during a lock even the right one is refused
            throttle.record(db, username, addr, throttle.REFUSED)
            audit.note(db, "登录失败", register="User", username=username)
            db.commit()
            flash(refused, "error")
            return render_template("login.html", form=form), 429
        user = db.scalar(select(User).where(User.username == username))
        if user is not None and user.active and user.check_password(form.password.data):
            throttle.record(db, username, addr, throttle.SUCCESS)
            token = sessions.open_session(db, user, addr, current_app.permanent_session_lifetime)
            db.commit()
            session.clear()  # nothing from before the login survives into the signed-in session
            login_user(user, remember=form.remember.data)
            session["_user_id"] = token  # read back by load_user; also what the remember-me cookie holds
            audit.note(db, "登录", record=user, user=user)
            db.commit()
            return redirect(next_url or url_for("admin.index"))
        throttle.record(db, username, addr, throttle.FAILURE)
        audit.note(db, "登录失败", record=user, register="User", username=username)
        db.commit()
        flash("登录名或密码不正确。", "error")
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    db = current_app.extensions["db_session"]
    audit.note(db, "退出", record=current_user._get_current_object())
    token = session.get("_user_id")
    if token:  # ends this session on the server: copies of the cookie stop working too
        sessions.end_session(db, token)
    db.commit()
    session.clear()
    logout_user()  # after clear(): it leaves the note that deletes the remember-me cookie
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))
