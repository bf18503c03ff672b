"""A record printed as its handbook form: title, form code, number, the fields in the form's order,
the signature boxes of its chain, one A4 page per copy the handbook prints; and the same page as a PDF.

A mixin of the generic view (``/admin/<endpoint>/print/?id=N`` and ``/pdf/?id=N``), allowed to whoever
may view the record. It reads the declaration and the approval engine, never a register.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, render_template, request, send_file
from flask_admin import expose
from markupsafe import Markup

from admin_app import approvals as engine
from admin_app.display import display
from models.approval import WITHDRAWN
from models.base import Base, Record
from views import fields

log = logging.getLogger(__name__)

PDF = "application/pdf"


@dataclass(frozen=True)
class Box:
    """One signature box as it prints: empty until its step is signed."""

    label: str
    roles: str
    """Who signs, where the label does not say it."""
    signer: str = ""
    opinion: str = ""
    signed_on: str = ""


def printed_fields(model: type[Base]) -> list[str]:
    """The form's fields in its order, with the computed (``auto``) ones at their place in the declaration
    (the fee after the nights it is computed from). The document number prints in the heading."""
    names = fields.form_fields(model)
    order = fields.declaration_order(model)
    for name in fields.auto_fields(model):
        if name == "number":
            continue
        before = [i for i, n in enumerate(names) if order.get(n, len(order)) < order[name]]
        names.insert(before[-1] + 1 if before else 0, name)
    return names


def checklist_value(session: Any, record: Any, name: str, checklist: str) -> Markup:
    """Every item of the seeded checklist with its box, ticked where the record has it."""
    from models.reference import ChecklistItem

    ticked = {item.id for item in getattr(record, name)}
    items = session.scalars(sa.select(ChecklistItem).where(ChecklistItem.checklist == checklist)
                            .order_by(ChecklistItem.position, ChecklistItem.id))
    return Markup(" ").join(
        Markup('<span class="item"><span class="tick">{}</span>{}</span>').format(
            "✓" if item.id in ticked else "", item)
        for item in items)


def field_rows(view: Any, record: Any) -> list[dict[str, Any]]:
    """Label, printed value and whether it takes a whole row (long text, checklists, line items)."""
    from views.register_view import lines_table

    model = type(record)
    labels = fields.labels(model)
    relations = fields.mapper_of(model).relationships
    rows = []
    for name in printed_fields(model):
        checklist = relations[name].info.get("checklist") if name in relations else None
        value: Any = (checklist_value(view.session, record, name, checklist) if checklist
                      else display(getattr(record, name)))
        rows.append({"label": labels.get(name, name), "value": value,
                     "wide": bool(checklist) or fields.is_long_text(model, name)})
    for relation in view.declaration.inline:
        rows.append({"label": relations[relation].info.get("label", relation), "wide": True,
                     "value": lines_table(view, None, record, relation)})
    return rows


def chain_steps(session: Any, register: str, record: Any) -> tuple[list[dict[str, Any]], Any]:
    """The steps whose boxes print, in order, with the current round's signatures.

    A submitted record prints the chain it was submitted with (its approval's snapshot); one not
    submitted yet, or withdrawn, prints the chain that would apply to it now, every box empty.
    """
    approval = engine.approval_of(session, register, record.id)
    if approval is not None and approval.status != WITHDRAWN:
        return engine.boxes(approval), approval
    chain = engine.chain_for(session, register)
    if chain is None:
        return [], approval
    steps = engine.applicable_steps(session, chain, engine.record_values(record))
    return [{**step, "signatures": []} for step in steps], approval


def signature_boxes(steps: list[dict[str, Any]]) -> list[Box]:
    """One box per step; a countersigned step (会签) has one box per role, each signed in its own role."""
    boxes = []
    for step in steps:
        per_role = step["mode"] == "all" and len(step["roles"]) > 1
        slots = [(f"{step['label']}({role})", role) for role in step["roles"]] if per_role \
            else [(step["label"], "、".join(step["roles"]))]
        for label, roles in slots:
            signed = [s for s in step["signatures"] if not per_role or s.role == roles]
            shown = "" if all(r in label for r in roles.split("、")) else roles  # 总经理签名 names its signer
            if not signed:
                boxes.append(Box(label, shown))
                continue
            sig = signed[-1]
            opinion = sig.decision + (f":{sig.opinion}" if sig.opinion else "")
            boxes.append(Box(label, shown, sig.signer.name, opinion, f"{sig.signed_at:%Y-%m-%d}"))
    return boxes


def load_weasyprint() -> Any:
    """WeasyPrint, or None when it or its system libraries (Pango) are missing."""
    try:
        import weasyprint
    except (ImportError, OSError):
        log.warning("WeasyPrint cannot load: PDF downloads are off", exc_info=True)
        return None
    return weasyprint


class PrintMixin:
    """Adds the print page and its PDF to a :class:`~views.register_view.RegisterView`."""

    session: Any
    resource: str
    declaration: Any

    def _print_target(self) -> Any:
        record_id = request.args.get("id", type=int)
        record = self.get_one(str(record_id)) if record_id is not None else None  # type: ignore[attr-defined]
        if record is None:
            abort(404)
        return record

    def print_page(self, record: Any) -> str:
        decl = self.declaration
        steps, approval = chain_steps(self.session, self.resource, record)
        return render_template(
            "print/form.html", decl=decl, record=record, number=getattr(record, "number", None),
            rows=field_rows(self, record), boxes=signature_boxes(steps),
            status=engine.status_of(approval) if steps or approval else None,
            copies=list(decl.copies) or [None], recorded_by=display(getattr(record, "recorded_by", None)),
            footer=isinstance(record, Record), recorded_at=display(getattr(record, "recorded_at", None)),
            department=display(getattr(record, "department", None)),
        )

    @expose("/print/")
    def print_view(self) -> str:
        return self.print_page(self._print_target())

    @expose("/pdf/")
    def pdf_view(self) -> Any:
        record = self._print_target()
        weasyprint = load_weasyprint()
        if weasyprint is None:
            text = ("服务器缺少生成 PDF 所需的组件(WeasyPrint 及 Pango 字体库),请联系 IT 管理员安装。"
                    "现在可以先打开「打印」页面,用浏览器打印或另存为 PDF。")
            return render_template("error.html", code=503, title="暂时无法生成 PDF", text=text), 503
        html = self.print_page(record)
        fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))  # the page needs nothing outside
        pdf = weasyprint.HTML(string=html, base_url=request.url, url_fetcher=fetcher).write_pdf()
        name = f"{self.declaration.label}_{getattr(record, 'number', None) or record.id}.pdf"
        return send_file(io.BytesIO(pdf), mimetype=PDF, as_attachment=True, download_name=name)

