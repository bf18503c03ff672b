"""Approvals on every register that has a chain: submit, sign, return, withdraw, and the lock.

A mixin of the generic view: it knows the engine (``admin_app.approvals``), never a register.
Status and signatures live in their own tables and are never read from a submitted form.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from admin_app import approvals as engine
from admin_app.permissions import chained_registers
from models.approval import APPROVED, IN_PROGRESS, RETURNED, Approval
from views.fields import clean_text, parse_id

STATUS_BADGE = {IN_PROGRESS: "warning", APPROVED: "success", RETURNED: "danger"}
APPROVAL_ENDPOINTS = ("approval_submit", "approval_decide", "approval_withdraw")


def status_badge(approval: Approval | None) -> Markup:
    status = engine.status_of(approval)
    text = status
    if approval is not None and approval.status == IN_PROGRESS:
        text = f"{status}({approval.step_index + 1}/{len(approval.steps)})"
    return Markup('<span class="badge badge-{}">{}</span>').format(
        STATUS_BADGE.get(status, "secondary"), escape(text))


class ApprovalMixin:
    """Adds the approval lifecycle to a :class:`~views.register_view.RegisterView`."""

    session: Any
    resource: str
    model: Any

    def has_chain(self) -> bool:
        return self.resource in chained_registers()

    def approval(self, record_id: Any) -> Approval | None:
        try:
            key = (self.resource, int(record_id))
        except (TypeError, ValueError):
            return None
        read = g.get("approvals_read", {})
        return read[key] if key in read else engine.approval_of(self.session, *key)

    def one_with_approval(self, query: Any) -> Any:
        """The one row of ``query`` (or None), its approval read in the same statement and kept for
        :meth:`approval` while the request lasts: the details page shows both."""
        if not self.has_chain():
            return query.one_or_none()
        mine = (Approval.register == self.resource) & (Approval.record_id == self.model.id)
        found = query.add_entity(Approval).outerjoin(Approval, mine).one_or_none()
        if found is None:
            return None
        row, approval = found
        g.setdefault("approvals_read", {})[(self.resource, row.id)] = approval
        return row

    def approvals_for(self, ids: list[Any]) -> dict[int, Approval]:
        if not ids:
            return {}
        rows = self.session.scalars(select(Approval).where(Approval.register == self.resource,
                                                           Approval.record_id.in_(ids)))
        return {a.record_id: a for a in rows}

    def refuse_locked(self, endpoint: str) -> None:
        """A record being approved, or approved, is read-only: refuse edits and deletes on the server."""
        if endpoint not in ("edit_view", "delete_view", "action_view") or not self.has_chain():
            return
        if endpoint == "action_view":
            ids = request.form.getlist("rowid")
        else:
            ids = [request.args.get("id") or request.form.get("id")]
        ids = [pk for pk in map(parse_id, ids) if pk is not None]
        for approval in self.approvals_for(ids).values():
            if engine.is_locked(approval):
                abort(403, description=f"这张单据{approval.status},不能修改或删除。"
                                       "如需更正,请由当前审批人退回。")

    # -- list column ----------------------------------------------------------------------------

    @staticmethod
    def status_column_formatter(view: Any, context: Any, model: Any, name: str) -> Markup:
        cache = g.setdefault("approval_rows", {})
        return status_badge(cache.get((view.resource, model.id)))

    def remember_statuses(self, approvals: dict[int, Approval]) -> None:
        """The approvals of one list page (loaded with its rows), by record id, for the column formatter."""
        cache = g.setdefault("approval_rows", {})
        for record_id, approval in approvals.items():
            cache[(self.resource, record_id)] = approval

    # -- details page ---------------------------------------------------------------------------

    def approval_panel(self, record: Any) -> dict[str, Any] | None:
        if not self.has_chain():
            return None
        approval = self.approval(record.id)
        me = current_user._get_current_object()
        applicant_id = approval.applicant_id if approval else (record.recorded_by_id or None)
        return {
            "approval": approval,
            "status": status_badge(approval),
            "boxes": engine.boxes(approval),
            "can_submit": not engine.is_locked(approval)
            and (me.id == applicant_id or self.can_edit),
            "can_withdraw": approval is not None and approval.status == IN_PROGRESS
            and me.id == approval.applicant_id and not approval.round_signatures(),
            "can_sign": approval is not None and engine.signing_role(approval, me) is not None,
            "history": [s for s in (approval.signatures if approval else []) if s.round != approval.round],
        }

    # -- endpoints ------------------------------------------------------------------------------

    def _approval_target(self) -> Any:
        record = self.get_one(request.args.get("id", ""))
        if record is None:
            abort(404)
        return record

    def _finish(self, record: Any, message: str) -> Any:
        flash(message, "success")
        return redirect(self.get_url(".details_view", id=record.id))

    def _refused(self, record: Any, exc: engine.ApprovalError) -> Any:
        self.session.rollback()
        flash(str(exc), "error")
        return redirect(self.get_url(".details_view", id=record.id))

    @expose("/approval/submit/", methods=("POST",))
    def approval_submit(self) -> Any:
        record = self._approval_target()
        me = current_user._get_current_object()
        if me.id != record.recorded_by_id and not self.allowed("edit"):
            abort(403)
        try:
            approval = engine.submit(self.session, self.resource, record, me)
            self.session.commit()
        except engine.ApprovalError as exc:
            return self._refused(record, exc)
        return self._finish(record, "已提交审批。" if approval.status == IN_PROGRESS else "无需审批,已生效。")

    @expose("/approval/decide/", methods=("POST",))
    def approval_decide(self) -> Any:
        record = self._approval_target()
        approval = self.approval(record.id)
        if approval is None:
            abort(404)
        version = request.form.get("version", type=int)
        me = current_user._get_current_object()
        if (version is None or version == approval.version) and engine.signing_role(approval, me) is None:
            own = me.id == approval.applicant_id
            abort(403, description="不能审批自己提交的单据。" if own else "这张单据当前不由您签字。")
        try:
            engine.decide(self.session, approval, me, request.form.get("decision", ""),
                          clean_text(request.form.get("opinion", "")), version)
            self.session.commit()
        except engine.ApprovalError as exc:
            return self._refused(record, exc)
        return self._finish(record, "已签字。")

    @expose("/approval/withdraw/", methods=("POST",))
    def approval_withdraw(self) -> Any:
        record = self._approval_target()
        approval = self.approval(record.id)
        if approval is None:
            abort(404)
        try:
            engine.withdraw(self.session, approval, current_user._get_current_object())
            self.session.commit()
        except engine.ApprovalError as exc:
            return self._refused(record, exc)
        return self._finish(record, "已撤回,可以修改后重新提交。")
