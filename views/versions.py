"""No lost updates: an edit form carries the version of the record it opened (pitfall 8).

Every declared model counts its saves in ``version`` (``models/base.py``, SQLAlchemy's
``version_id_col``). The edit form carries two hidden fields: the version opened and, signed with the
app's ``SECRET_KEY``, the values it showed. Saving over a newer version is refused before anything is
written: the message names who saved the newer version and when, and lists what they changed (您打开时的
值 → 现在的值). A save racing another one past that check fails its versioned UPDATE (``StaleDataError``)
and gets the same refusal. The typed values stay in the form, which now carries the current version:
saving again, after reading what changed, keeps what the user typed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from admin_app.display import display

SALT = "kefu-opened-record"
#: A changed value longer than this is cut short in the message.
SHOWN = 80


class OpenedField(HiddenField):
    """What the user opened: posted back with the form, never written into the record."""

    def populate_obj(self, obj: Any, name: str) -> None:
        pass


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _short(text: str) -> str:
    text = text or "(空)"
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def changes(opened: dict[str, str], now: dict[str, str],
            labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, value when opened, value now) of every field whose shown value differs."""
    return [(labels.get(name, name), opened.get(name, ""), value) for name, value in now.items()
            if opened.get(name, "") != value]


class VersionMixin:
    """Adds the opened version to a :class:`~views.register_view.RegisterView`'s edit form and refuses
    a save over a newer version."""

    session: Any
    declaration: Any
    form_columns: Any
    column_labels: Any

    def shown_values(self, model: Any) -> dict[str, str]:
        """What the edit form shows of the record: field → text, line items as one text per relation."""
        from views.register_view import lines_text

        values = {name: display(getattr(model, name)) for name in self.form_columns}
        for relation in self.declaration.inline:
            values[relation] = lines_text(self, None, model, relation)
        return values

    def get_edit_form(self) -> Any:
        form = super().get_edit_form()  # type: ignore[misc]
        return type(form.__name__, (form,), {"opened_version": OpenedField(), "opened_values": OpenedField()})

    def edit_form(self, obj: Any = None) -> Any:
        form = super().edit_form(obj)  # type: ignore[misc]
        if obj is not None and request.method == "GET":  # opening the form, not posting it
            self.remember_opened(form, obj)
        return form

    def remember_opened(self, form: Any, model: Any) -> None:
        form.opened_version.data = str(model.version)
        form.opened_values.data = _serializer().dumps(self.shown_values(model))

    def opened_values(self, form: Any) -> dict[str, str] | None:
        try:
            values = _serializer().loads(form.opened_values.data or "")
        except BadSignature:
            return None
        return values if isinstance(values, dict) else None

    @staticmethod
    def opened_version(form: Any) -> int | None:
        """The version the form was opened at; None when the post carries none (a script, not a page)."""
        raw = form.opened_version.data
        if raw in (None, ""):
            return None
        try:
            return int(raw)
        except ValueError:
            return -1  # garbled: matches no version, so the save is refused

    # -- saving -----------------------------------------------------------------------------------

    def update_model(self, form: Any, model: Any) -> bool:
        opened = self.opened_version(form)
        if opened is not None and opened != model.version:
            self.refuse_stale(form, model)
            return False
        # A saved form is a new version even when only its line items changed (they have rows of their own).
        model.version = model.version + 1
        g.saving_record = True
        try:
            saved = super().update_model(form, model)  # type: ignore[misc]
        finally:
            stale = g.pop("stale_save", False)
            g.pop("saving_record", None)
        if stale:  # rolled back: the model reads the row as it is now
            if opened is not None and opened != model.version:
                self.refuse_stale(form, model)
            else:
                flash(STALE_OTHER, "error")
        return saved

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, StaleDataError):
            if g.get("saving_record"):
                g.stale_save = True
            else:
                flash(STALE_OTHER, "error")
            return True
        return super().handle_view_exception(exc)  # type: ignore[misc]

    def refuse_stale(self, form: Any, model: Any) -> None:
        """Say who changed the record since the form was opened, when, and what; keep the typed values."""
        who = f" {model.version_by} " if model.version_by else "他人"
        when = f"于 {display(model.version_at)} " if model.version_at else ""
        opened = self.opened_values(form)
        now = self.shown_values(model)
        parts = [Markup("保存失败:这条记录在您打开之后已被{}{}修改并保存,您的内容没有保存。")
                 .format(who, when)]
        if opened is None:
            parts.append(Markup("无法列出改动了什么,请在新窗口重新打开这条记录查看。"))
        else:
            changed = changes(opened, now, self.column_labels)
            if changed:
                items = Markup("").join(Markup("<li>{}:{} → {}</li>").format(label, _short(old), _short(new))
                                        for label, old, new in changed)
                parts.append(Markup('改动了(您打开时的值 → 现在的值):<ul class="mb-1">{}</ul>')
                             .format(items))
                for name, value in now.items():
                    if name in form and opened.get(name, "") != value and name not in self.declaration.inline:
                        form[name].errors = [*form[name].errors, f"已被改为:{_short(value)}"]
            else:
                parts.append(Markup("表单上显示的内容没有变化(可能由其他单据自动更新)。"))
        parts.append(escape("您填写的内容仍保留在表单中:请核对后再保存,再次保存将以您填写的内容为准;"
                            "如要放弃修改,请重新打开这条记录。"))
        flash(Markup("").join(parts), "error")
        self.remember_opened(form, model)


STALE_OTHER = ("保存失败:相关的记录刚被他人修改,您的内容没有保存。已填写的内容仍保留在表单中,"
               "请稍后重新保存。")
