"""待我审批: every record waiting for the signed-in user's signature, across all registers."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy.orm import scoped_session

from admin_app import approvals as engine
from models.approval import AGREE, Approval
from models.base import declared_models
from views.counting import AtLeast
from views.fields import clean_text, parse_id

#: Records the inbox lists at once, the longest waiting first; signing them brings the next ones up.
SHOWN = 200
#: The inbox page, when it is full, counts this far (the navigation bar: ``approvals.BADGE``, "100+").
COUNTED = 10_000


def register_pages() -> dict[str, tuple[str, str]]:
    """Model name → (handbook name, endpoint)."""
    return {m.__name__: (m.__register__.label, m.__tablename__) for m in declared_models()}


def listed(approvals: list[Approval]) -> list[dict[str, Any]]:
    """Approvals as the rows of a page: the approval, its register's handbook name and its record's page."""
    pages = register_pages()
    return [{"approval": a, "register": pages[a.register][0],
             "url": url_for(f"{pages[a.register][1]}.details_view", id=a.record_id)}
            for a in approvals if a.register in pages]


class InboxView(BaseView):
    def __init__(self, session: scoped_session) -> None:
        self.session = session
        super().__init__(name="待我审批", endpoint="inbox", url="/admin/inbox")

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def is_visible(self) -> bool:  # the navbar shows it, with its count
        return False

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    def rows(self) -> list[dict[str, Any]]:
        rows = listed(engine.pending_for(self.session, current_user._get_current_object(), SHOWN))
        for row in rows:
            row["step"] = row["approval"].steps[row["approval"].step_index]["label"]
        return rows

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        if request.method == "POST":
            return self.decide_many()
        rows = self.rows()
        total = len(rows) if len(rows) < SHOWN else pending_count(self.session, bound=COUNTED)
        return self.render("admin/inbox.html", rows=rows, total=total)

    def decide_many(self) -> Any:
        decision = request.form.get("decision", AGREE)
        opinion = clean_text(request.form.get("opinion", ""))
        me = current_user._get_current_object()
        done, refused = 0, []
        for raw in request.form.getlist("approval"):
            pk = parse_id(raw)
            approval = self.session.get(Approval, pk) if pk is not None else None
            if approval is None:
                continue
            try:
                engine.decide(self.session, approval, me, decision, opinion)
                self.session.commit()
                done += 1
            except engine.ApprovalError as exc:
                self.session.rollback()
                refused.append(f"{approval.record_label}:{exc}")
        if done:
            flash(f"已{decision} {done} 张单据。", "success")
        for message in refused:
            flash(message, "error")
        if not done and not refused:
            flash("请先勾选要处理的单据。", "warning")
        return redirect(url_for(".index"))


def pending_count(session: scoped_session, bound: int | None = None) -> int:
    """The navigation bar's count: exact up to ``bound`` (``approvals.BADGE``), then "100+".

    Read once per request: the navbar shows it twice (folded menu on a phone, full menu on a desk), and
    the inbox page counts further first.
    """
    if not current_user.is_authenticated:
        return 0
    bound = bound or engine.BADGE
    known = g.get("pending_count")  # (bound, count): a count up to a larger bound answers a smaller one
    if known is None or known[0] < bound:
        known = g.pending_count = (bound, engine.pending_count(session, current_user._get_current_object(),
                                                               bound))
    count = min(known[1], bound)
    return AtLeast(count) if count >= bound else count
