"""The audit trail on pages: each record's 修改记录 tab, and the changes of an entry as a table."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select

from admin_app.audit import NOTE_LABELS
from models.audit import AuditEntry
from models.base import declared_model
from views import fields

EMPTY = "(空)"


def field_changes(entry: AuditEntry) -> list[dict[str, Any]]:
    """The entry's changed fields with their Chinese labels: [{label, old, new}]."""
    try:
        changes = json.loads(entry.changes or "{}")
    except ValueError:
        return [{"label": "变更内容", "old": None, "new": entry.changes}]
    model = declared_model(entry.line_register) or declared_model(entry.register)
    labels = {**NOTE_LABELS, **(fields.labels(model) if model else {})}
    named = fields.code_names(model) if model else {}
    prefix = ""
    if entry.line_register:
        prefix = f"{model.__register__.label if model else entry.line_register} #{entry.line_id} · "
    return [{"label": prefix + labels.get(name, name), "old": named.get(name, {}).get(old, old),
             "new": named.get(name, {}).get(new, new)}
            for name, (old, new) in changes.items()]


def changes_table(view: Any, context: Any, entry: AuditEntry, name: str) -> Markup:
    rows = "".join(
        f"<tr><td>{escape(c['label'])}</td><td>{escape(c['old'] if c['old'] is not None else EMPTY)}</td>"
        f"<td>{escape(c['new'] if c['new'] is not None else EMPTY)}</td></tr>"
        for c in field_changes(entry))
    if not rows:
        return Markup("")
    return Markup('<table class="table table-sm table-bordered mb-0"><thead><tr><th>字段</th><th>旧值</th>'
                  f"<th>新值</th></tr></thead><tbody>{rows}</tbody></table>")


class HistoryMixin:
    """The 修改记录 tab of a details page: the record's audit entries, oldest first.

    The details page itself is the permission check: whoever may view the record sees its history."""

    session: Any
    resource: str

    def history(self, record: Any) -> list[dict[str, Any]] | None:
        if self.resource == "AuditEntry":
            return None
        entries = self.session.scalars(select(AuditEntry).where(
            AuditEntry.register == self.resource, AuditEntry.record_id == record.id).order_by(AuditEntry.id))
        return [{"at": e.at, "username": e.username, "action": e.action, "changes": field_changes(e)}
                for e in entries]
