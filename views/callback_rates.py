"""投诉回访率: the 002 callback rates of complaints closed in a period (三日内回访率, 经理回访占比)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy.orm import scoped_session

from admin_app.clock import OUT_OF_RANGE, in_range, today
from admin_app.permissions import can
from admin_app.rules.callbacks import IN_TIME_TARGET, MANAGER_TARGET, complaint_callback_rates
from admin_app.scope import sees_every_row
from models.base import GROUPS

#: Who may read the rates: whoever may read the 回访记录 they are counted from.
RESOURCE = "CustomerCallback"
#: The registers the rates are counted from.
READS = (RESOURCE, "ComplaintHandling")
#: Without dates the page counts the last 30 days, today included.
DEFAULT_PERIOD = dt.timedelta(days=29)


def parse_day(text: str | None, default: dt.date) -> tuple[dt.date, str | None]:
    """A date typed as 2026-11-01; an empty field means ``default``."""
    if not text:
        return default, None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return default, f"「{text}」不是日期,请按 2026-11-01 的格式填写"
    return (day, None) if in_range(day) else (default, f"「{text}」:{OUT_OF_RANGE}")


class CallbackRatesView(BaseView):
    def __init__(self, session: scoped_session) -> None:
        self.session = session
        super().__init__(name="投诉回访率", category=GROUPS["D"], endpoint="callback_rates",
                         url="/admin/callback-rates")

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        return current_user.is_authenticated and self.allowed()

    @staticmethod
    def allowed() -> bool:
        """The rates count every complaint and callback: only for users who see all their rows."""
        return can("view", RESOURCE) and sees_every_row(READS, current_user._get_current_object())

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self) -> Any:
        if not self.allowed():
            abort(403)
        now = today()
        start, bad_start = parse_day(request.args.get("start"), now - DEFAULT_PERIOD)
        end, bad_end = parse_day(request.args.get("end"), now)
        errors = [e for e in (bad_start, bad_end) if e]
        if end < start:
            errors.append("结束日期不能早于开始日期")
            start, end = end, start
        rates = complaint_callback_rates(self.session, start, end)
        return self.render("admin/callback_rates.html", rates=rates, errors=errors,
                           in_time_target=IN_TIME_TARGET, manager_target=MANAGER_TARGET,
                           callbacks_url=url_for("customer_callbacks.index_view"))
