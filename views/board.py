"""日清日审 board: today's open matters of the registers this user may see, and the sign-off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy.orm import scoped_session

from admin_app import board as engine
from admin_app.clock import in_range, today
from admin_app.permissions import can
from models.base import declared_models
from views.fields import clean_text
from views.inbox import register_pages


def deadline_registers() -> list[str]:
    """Registers with deadlines or duties that the signed-in user may view."""
    return [m.__name__ for m in declared_models()
            if (m.__register__.deadlines or m.__register__.duties) and can("view", m.__name__)]


def board_for_user(session: scoped_session, day: dt.date) -> engine.Board | None:
    registers = deadline_registers()
    if not registers:
        return None
    return engine.board(session, day, registers, user=current_user._get_current_object())


def parse_day(text: str | None) -> dt.date | None:
    """The ``date`` parameter; ``None`` when it is not a date (the caller says so in Chinese)."""
    if not text:
        return today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if in_range(day) else None


class BoardView(BaseView):
    def __init__(self, session: scoped_session) -> None:
        self.session = session
        super().__init__(name="日清日审", endpoint="board", url="/admin/board")

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        return current_user.is_authenticated and bool(deadline_registers())

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self) -> Any:
        day = parse_day(request.args.get("date"))
        if day is None:
            flash("日期格式不正确,请按 2026-12-02 这样的格式填写。已显示今天的看板。", "error")
            day = today()
        view = board_for_user(self.session, day)
        if view is None:
            abort(403, description="您的角色不能查看任何有办理时限的登记表。")
        return self.render("admin/board.html", board=view, pages=register_pages(),
                           can_sign=can("create", "DayReview"))

    @expose("/signoff", methods=("POST",))
    def signoff(self) -> Any:
        if not can("create", "DayReview"):
            abort(403, description="只有部门主管及以上可以签核日清日审。")
        day = parse_day(request.form.get("date"))
        if day is None:
            flash("日期格式不正确,请按 2026-12-02 这样的格式填写。", "error")
            return redirect(url_for(".index"))
        try:
            review = engine.sign_off(self.session, day, current_user._get_current_object(),
                                     deadline_registers(), clean_text(request.form.get("remarks", "")))
            self.session.commit()
        except engine.SignOffError as exc:
            self.session.rollback()
            flash(str(exc), "error")
        else:
            flash(f"已签核 {day:%Y-%m-%d} 的日清日审:未办结 {review.open_count} 项,其中已超时 "
                  f"{review.overdue_count} 项。", "success")
        return redirect(url_for(".index", date=day.isoformat()))
