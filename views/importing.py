"""Import a register's records from Excel: a template to fill, a check that lists every bad row, and a
confirmed import that writes all the rows in one transaction, or none.

A mixin of the generic view, like the approvals: it knows :mod:`seed.workbook` (reading and the
template) and :mod:`seed.loader` (the one path that turns a row into a record), never a register.
Every endpoint needs the create permission (``IMPORT_ENDPOINTS``, checked by the view's
``_handle_view``); CSRFProtect guards the posts. A checked file waits for 确认导入 in the instance
folder under a random token tied to its user and register, never in the session cookie.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, request, send_file
from flask_admin import expose
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from admin_app.permissions import can
from models.base import Base
from seed import loader, workbook
from views import fields

IMPORT_ENDPOINTS = {"import_template": "create", "import_upload": "create", "import_confirm": "create"}
#: Largest upload, unless ``IMPORT_MAX_BYTES`` says otherwise.
MAX_BYTES = 5 * 1024 * 1024
#: Records one file may hold; more are refused (import them in parts).
MAX_ROWS = 5000
#: How long a checked file waits for 确认导入.
KEEP_SECONDS = 2 * 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass
class Outcome:
    """What an import did, or would do."""

    rows: int
    """Records the file holds."""
    written: int
    """Records written, or that would be written: all of them, or none when there are faults."""
    faults: list[tuple[str, int, str, str]]
    """(sheet, row, column label, reason), in the order of the file."""
    sheets: bool
    """Do the faults lie on more than one sheet (line items)?"""

    @property
    def bad_rows(self) -> int:
        return len({(sheet, line) for sheet, line, _, _ in self.faults})


# ---------------------------------------------------------------- a checked file, waiting for 确认导入


def folder() -> Path:
    path = Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep(data: bytes, resource: str, filename: str) -> str:
    """Store a checked upload for its user and register; returns the token 确认导入 posts back."""
    now = time.time()
    for old in folder().iterdir():  # uploads nobody confirmed
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder() / f"{token}.xlsx").write_bytes(data)
    meta = {"user": current_user.id, "resource": resource, "filename": filename, "at": now}
    (folder() / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def claim(token: str, resource: str) -> tuple[Path, str] | None:
    """Take a stored upload of this user and register out of waiting (once: a second 确认导入 finds
    nothing); returns its path and original name, or None."""
    if not TOKEN.match(token or ""):
        return None
    meta_path = folder() / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (meta.get("user") != current_user.id or meta.get("resource") != resource
            or time.time() - meta.get("at", 0) > KEEP_SECONDS):
        return None
    claimed = folder() / f"{token}.claimed"
    try:
        os.replace(folder() / f"{token}.xlsx", claimed)  # atomic: two clicks cannot both import
    except OSError:
        return None
    meta_path.unlink(missing_ok=True)
    return claimed, str(meta.get("filename", ""))


def read_upload(upload: FileStorage | None, limit: int) -> bytes:
    """The uploaded workbook's bytes, or :class:`~seed.workbook.Unreadable` saying what is wrong."""
    if upload is None or not upload.filename:
        raise workbook.Unreadable("请选择要导入的 Excel 文件(.xlsx)。")
    suffix = Path(upload.filename).suffix.lower()
    if suffix == ".xls":
        raise workbook.Unreadable("不支持旧版 Excel(.xls)文件:请在 Excel 中「另存为」Excel 工作簿(.xlsx)"
                                  "后再上传。")
    if suffix != ".xlsx":
        raise workbook.Unreadable(f"只能导入 Excel 工作簿(.xlsx),「{upload.filename}」不是。"
                                  "请下载模板,填好后保存为 .xlsx 再上传。")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise workbook.Unreadable(f"文件过大:导入的文件不能超过 {limit / 1024 / 1024:g} MB,"
                                  "请分成几个文件导入。")
    return data


class ImportMixin:
    """Adds 下载模板 and 导入 to a :class:`~views.register_view.RegisterView`."""

    session: Any
    model: type[Base]
    resource: str
    import_note: str = ""
    """What else the import page should say about this register's records."""

    def may_link(self, target: type[Base]) -> bool:
        """An import links only to rows its user could pick in the form."""
        return target.__register__.public_lookup or can("view", target.__name__)

    @expose("/import/template/")
    def import_template(self) -> Any:
        data = workbook.template(self.session, self.model, self.may_link)
        return send_file(io.BytesIO(data), mimetype=workbook.XLSX_MIME, as_attachment=True,
                         download_name=f"{self.model.__register__.label}_导入模板.xlsx")

    @expose("/import/", methods=("GET", "POST"))
    def import_upload(self) -> Any:
        if request.method == "GET":
            return self.import_page()
        upload = request.files.get("file")
        filename = upload.filename if upload is not None else ""
        try:
            data = read_upload(upload, current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES))
            outcome = self.run_import(io.BytesIO(data), commit=False)
        except workbook.Unreadable as exc:
            return self.import_page(error=str(exc), filename=filename), 400
        token = None if outcome.faults else keep(data, self.resource, filename or "")
        return self.import_page(outcome=outcome, token=token, filename=filename)

    @expose("/import/confirm/", methods=("POST",))
    def import_confirm(self) -> Any:
        claimed = claim(request.form.get("token", ""), self.resource)
        if claimed is None:
            return self.import_page(error="这次上传已失效(已经导入、超过 2 小时,或不是您上传的)。"
                                          "请重新上传文件。"), 400
        path, filename = claimed
        try:
            with path.open("rb") as source:
                outcome = self.run_import(source, commit=True)
        except workbook.Unreadable as exc:
            return self.import_page(error=str(exc), filename=filename), 400
        finally:
            path.unlink(missing_ok=True)
        if outcome.faults:  # the records changed since the check: nothing was written
            return self.import_page(outcome=outcome, filename=filename, rechecked=True)
        flash(f"已从「{filename}」导入 {outcome.written} 条{self.model.__register__.label}记录。", "success")
        return redirect(self.get_url(".index_view"))  # type: ignore[attr-defined]

    def import_page(self, **context: Any) -> Any:
        limit = current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES)
        return self.render("admin/register_import.html",  # type: ignore[attr-defined]
                           max_mb=f"{limit / 1024 / 1024:g}", max_rows=MAX_ROWS, **context)

    def run_import(self, source: Any, *, commit: bool) -> Outcome:
        """Check every row of the file and write them all in one transaction, or roll back: always when
        only checking (numbers, hooks and database constraints run as they would), and when any row fails."""
        from views.register_view import stamp_new_record

        model = self.model
        found = workbook.grids(source, max_rows=MAX_ROWS)
        rows, faults = workbook.register_rows(found, model, set(workbook.template_columns(model)))
        main = found[0].title if found else ""
        policy = loader.Policy(create_only=True, prepare=stamp_new_record, may_link=self.may_link)
        session = self.session
        try:
            with session.no_autoflush:
                row_faults, counts = loader.apply_rows(session, model, rows, policy)
            faults = [f.on(main) for f in faults + row_faults]
            if commit and not faults:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
        return Outcome(rows=len(rows), written=0 if faults else sum(counts.values()),
                       faults=self.fault_rows(faults, main), sheets=any(f.sheet != main for f in faults))

    def fault_rows(self, faults: list[loader.Fault], main: str) -> list[tuple[str, int, str, str]]:
        labels = {workbook.sheet_title(self.model.__register__.label): fields.labels(self.model),
                  main: fields.labels(self.model)}
        for relation in self.model.__register__.inline:
            child = fields.mapper_of(self.model).relationships[relation].mapper.class_
            labels[workbook.sheet_title(child.__register__.label)] = fields.labels(child)
        ordered = sorted(faults, key=lambda f: (f.sheet != main, f.sheet, f.line))
        return [(f.sheet, f.line, labels.get(f.sheet, {}).get(f.field, f.field), f.reason) for f in ordered]
