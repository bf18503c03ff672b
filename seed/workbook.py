"""Rows of a declared model as an Excel workbook: the template a user fills, and reading a filled
workbook (an import upload or a seed file) into the rows :mod:`seed.loader` applies.

A sheet holds one model's rows: its first row names the columns (the form's Chinese labels, or the
attribute names), each further non-empty row is a record, numbered as Excel numbers it. A register's
line items (``Register.inline``) go on a sheet named after the line table whose first column,
主表行号, gives the row of the main sheet each line belongs to.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from admin_app.display import display
from models.base import Base
from seed import loader  # the module, not its names: the loader and the views import each other
from views import fields

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARENT_ROW = "主表行号"
OPTIONS_SHEET = "选项"
GUIDE_SHEET = "说明"
#: Rows of the template that drop-downs and cell formats cover.
TEMPLATE_ROWS = 2000
#: A link column offers its targets as a drop-down when the reference table is this small.
LINK_CHOICES = 300
#: Spreadsheet number formats: the cell keeps its type, only its look changes.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
#: Characters Excel refuses in a sheet's title, which is at most 31 characters long.
TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


class Unreadable(Exception):
    """The file is not a workbook we can read; the message says so in Chinese."""


def sheet_title(label: str) -> str:
    return label.translate(TITLE_FORBIDDEN)[:31]


def python_type(col: sa.Column[Any]) -> type | None:
    try:
        return col.type.python_type
    except NotImplementedError:
        return None


def number_format(model: type[Base], name: str) -> str | None:
    """How a column's cells look in a workbook: dates as dates, money with thousands and cents."""
    col = fields.column_of(model, name)
    if col is None:
        return TEXT_FORMAT if name in fields.mapper_of(model).relationships else None
    if col.info.get("choices"):
        return TEXT_FORMAT
    kind = python_type(col)
    if kind is Decimal:
        return MONEY_FORMAT if getattr(col.type, "scale", None) == 2 else None
    return {dt.datetime: DATETIME_FORMAT, dt.date: DATE_FORMAT, str: TEXT_FORMAT, int: "0"}.get(kind)


# ---------------------------------------------------------------- reading


@dataclass
class Grid:
    """The non-empty rows of one visible sheet: (Excel row number, cell values)."""

    title: str
    rows: list[tuple[int, list[Any]]]


def grids(source: str | IO[bytes], max_rows: int | None = None) -> list[Grid]:
    """Every visible sheet but the template's 说明 and 选项; blank cells become None, text is stripped."""
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise Unreadable("无法读取这个文件:它不是有效的 Excel(.xlsx)文件。请用下载的模板填写,"
                         "在 Excel 或 WPS 中保存为 .xlsx 后再上传。") from exc
    out = []
    try:
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible" or sheet.title in (OPTIONS_SHEET, GUIDE_SHEET):
                continue
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_clean(v) for v in values]
                if any(c is not None for c in cells):
                    rows.append((number, cells))
                if max_rows is not None and len(rows) > max_rows + 1:  # the heading does not count
                    raise Unreadable(f"工作表「{sheet.title}」超过 {max_rows} 行,请分成几个文件导入。")
            out.append(Grid(sheet.title, rows))
    finally:
        book.close()
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def rows_of(grid: Grid, model: type[Base], allowed: set[str] | None = None,
            parent: bool = False) -> tuple[list[dict[str, Any]], list[loader.Fault]]:
    """A sheet's records as loader rows ``{name: value, "__line__": row}``; blank cells are left out.

    The heading row may use labels or attribute names; ``allowed`` limits the columns (an import takes
    the template's columns only). A line sheet (``parent``) carries 主表行号 as ``__parent__``."""
    if not grid.rows:
        return [], []
    header_line, header = grid.rows[0]
    names = loader.field_names(model)
    known = set(names.values())
    columns: list[str | None] = []
    faults = []
    for heading in header:
        text = display(heading).strip() if heading is not None else ""
        name = ("__parent__" if parent and text == PARENT_ROW
                else names.get(text, text if text in known else None))
        if not text:
            columns.append(None)
        elif name is None or (allowed is not None and name != "__parent__" and name not in allowed):
            reason = f"没有「{text}」这一列,请使用模板中的列名"
            faults.append(loader.Fault(header_line, text, reason, grid.title))
            columns.append(None)
        elif name in columns:
            faults.append(loader.Fault(header_line, text, f"「{text}」这一列出现了两次", grid.title))
            columns.append(None)
        else:
            columns.append(name)
    if parent and "__parent__" not in columns:
        faults.append(loader.Fault(header_line, PARENT_ROW, f"明细表第一列应为「{PARENT_ROW}」", grid.title))
    rows = []
    for line, cells in grid.rows[1:]:
        row = {name: value for name, value in zip(columns, cells, strict=False)
               if name is not None and value is not None}
        if row:
            rows.append({"__line__": line, **row})
    return rows, faults


def is_line_sheet(grid: Grid) -> bool:
    return bool(grid.rows) and PARENT_ROW in [display(c) for c in grid.rows[0][1]]


def attach_lines(rows: list[dict[str, Any]], relation: str, grid: Grid,
                 lines: list[dict[str, Any]]) -> list[loader.Fault]:
    """Put each row of a line sheet under the main sheet's row its 主表行号 names."""
    by_line = {row["__line__"]: row for row in rows}
    faults = []
    for line in lines:
        parent = line.pop("__parent__", None)
        try:
            owner = by_line.get(int(parent)) if parent is not None else None
        except (TypeError, ValueError):
            owner = None
        if owner is None:
            reason = (f"主表行号「{display(parent)}」在主表中没有这一行" if parent is not None
                      else f"没有填写{PARENT_ROW}")
            faults.append(loader.Fault(line["__line__"], PARENT_ROW, reason, grid.title))
            continue
        owner.setdefault(relation, []).append(line)
    return faults


def register_rows(found: list[Grid], model: type[Base], columns: set[str]) -> tuple[list[dict[str, Any]],
                                                                                   list[loader.Fault]]:
    """An uploaded workbook of one register: its first sheet, and the line sheets named after its lines."""
    from views.register_view import line_fields

    line_sheets = {}
    for relation in model.__register__.inline:
        child, names = line_fields(model, relation)
        line_sheets[sheet_title(child.__register__.label)] = (relation, child, set(names))
    main = [g for g in found if g.title not in line_sheets]
    if not main or len(main[0].rows) < 2:
        return [], [loader.Fault(1, "", "文件中没有要导入的记录(第一行是列名,从第二行起每行一条记录)")]
    rows, faults = rows_of(main[0], model, columns)
    for grid in found:
        if grid.title in line_sheets:
            relation, child, names = line_sheets[grid.title]
            lines, line_faults = rows_of(grid, child, names, parent=True)
            faults += line_faults + attach_lines(rows, relation, grid, lines)
    return rows, faults


# ---------------------------------------------------------------- the template


def template_columns(model: type[Base]) -> list[str]:
    """The fields an import takes: the form's, in the form's order."""
    return fields.form_fields(model)


class Options:
    """Drop-down lists kept on the hidden 选项 sheet (a list typed into the validation itself may hold
    only 255 characters)."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_of(self, values: tuple[str, ...]) -> str:
        if values not in self.ranges:
            column = get_column_letter(len(self.ranges) + 1)
            for row, value in enumerate(values, start=1):
                self.sheet.cell(row=row, column=len(self.ranges) + 1, value=value)
            self.ranges[values] = f"'{OPTIONS_SHEET}'!${column}$1:${column}${len(values)}"
        return self.ranges[values]


def link_name(obj: Any) -> str:
    """How a workbook names a row: its title where that is a column of its own, else its key (A栋/101)."""
    title = loader.title_of(type(obj))
    if title:
        return display(getattr(obj, title))
    return "/".join(display(getattr(obj, k)) for k in type(obj).__register__.key) or str(obj)


def link_choices(session: Session, target: type[Base]) -> tuple[str, ...]:
    """A small reference table's rows by name, for a link's drop-down; none for registers or big tables."""
    if target.__register__.kind != "reference" or not target.__register__.key:
        return ()
    if session.scalar(sa.select(sa.func.count()).select_from(target)) > LINK_CHOICES:
        return ()
    names = [link_name(obj) for obj in session.scalars(sa.select(target).order_by(target.id))]
    return tuple(dict.fromkeys(n for n in names if n))


def column_note(session: Session, model: type[Base], name: str, required: bool) -> str:
    """What the heading's comment tells the person filling the column."""
    col = fields.column_of(model, name)
    rel = fields.mapper_of(model).relationships.get(name)
    notes = ["必填" if required else "可不填"]
    if rel is not None:
        target = rel.mapper.class_
        checklist = rel.info.get("checklist")
        if checklist:
            from models.reference import ChecklistItem

            items = session.scalars(sa.select(ChecklistItem.label).where(ChecklistItem.checklist == checklist)
                                    .order_by(ChecklistItem.position, ChecklistItem.id)).all()
            notes.append(f"勾选的项目,多项用分号 ; 分隔。可选:{';'.join(items)}")
        else:
            notes.append(f"填写{target.__register__.label}的{loader.how_to_name(target)}")
            if rel.uselist:
                notes.append("多项用分号 ; 分隔")
    elif col is not None:
        if col.info.get("choices"):
            notes.append("从下拉列表中选择")
        kind = number_format(model, name)
        hint = {DATE_FORMAT: "日期,如 2026-11-23", DATETIME_FORMAT: "日期时间,如 2026-11-23 09:30",
                MONEY_FORMAT: "金额(数字,元)", "0": "整数"}.get(kind or "")
        if hint:
            notes.append(hint)
        if python_type(col) is bool:
            notes.append("是 / 否")
        length = getattr(col.type, "length", None)
        if length and not col.info.get("choices"):
            notes.append(f"最多 {length} 字")
    help_text = fields.help_texts(model).get(name)
    if help_text:
        notes.append(help_text)
    return "\n".join(notes)


def write_sheet(session: Session, sheet: Any, model: type[Base], names: list[str], options: Options,
                may_link: Callable[[type[Base]], bool] | None, parent: str | None = None) -> None:
    labels = fields.labels(model)
    required = set(loader.required_fields(model))
    columns: list[tuple[str, str | None]] = [(PARENT_ROW, None)] if parent else []
    columns += [(labels.get(n, n), n) for n in names]
    for number, (heading, name) in enumerate(columns, start=1):
        letter = get_column_letter(number)
        cell = sheet.cell(row=1, column=number, value=heading)
        cell.fill = HEADER_FILL
        is_required = name is None or name in required
        cell.font = REQUIRED_FONT if is_required else Font(bold=True)
        note = (f"必填\n这一行明细属于「{parent}」表中的哪一行:填那一行的行号(如 2)" if name is None
                else column_note(session, model, name, is_required))
        cell.comment = Comment(note, "客服台账", width=320, height=160)
        sheet.column_dimensions[letter].width = min(40, max(12, 2 * len(heading) + 4))
        if name is None:
            continue
        fmt = number_format(model, name)
        if fmt:
            sheet.column_dimensions[letter].number_format = fmt
        validation = drop_down(session, model, name, options, may_link)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"


def drop_down(session: Session, model: type[Base], name: str, options: Options,
              may_link: Callable[[type[Base]], bool] | None) -> DataValidation | None:
    col = fields.column_of(model, name)
    rel = fields.many_to_one(model).get(name)
    strict = True
    if col is not None and col.info.get("choices"):
        values = tuple(col.info["choices"])
    elif col is not None and python_type(col) is bool:
        values = ("是", "否")
    elif rel is not None and (may_link is None or may_link(rel.mapper.class_)):
        values, strict = link_choices(session, rel.mapper.class_), False  # a number or key also works
    else:
        return None
    if not values:
        return None
    validation = DataValidation(type="list", formula1=options.range_of(values), allow_blank=True,
                                showErrorMessage=True, errorStyle="stop" if strict else "warning")
    validation.errorTitle = "不是可选值"
    validation.error = ("请从下拉列表中选择。" if strict
                        else "列表中没有这一项;如果填的是编号或其他写法,可以继续。")
    return validation


def template(session: Session, model: type[Base],
             may_link: Callable[[type[Base]], bool] | None = None) -> bytes:
    """The import template of a register or reference table, as XLSX bytes."""
    from views.register_view import line_fields

    decl = model.__register__
    book = Workbook()
    main = book.active
    main.title = sheet_title(decl.label)
    options = Options(book.create_sheet(OPTIONS_SHEET))
    options.sheet.sheet_state = "hidden"
    write_sheet(session, main, model, template_columns(model), options, may_link)
    line_titles = []
    for relation in decl.inline:
        child, names = line_fields(model, relation)
        sheet = book.create_sheet(sheet_title(child.__register__.label), index=len(book.worksheets) - 1)
        write_sheet(session, sheet, child, names, options, may_link, parent=main.title)
        line_titles.append(sheet.title)
    guide = book.create_sheet(GUIDE_SHEET, index=len(book.worksheets) - 1)
    for row, text in enumerate(guide_lines(decl.label, main.title, line_titles), start=1):
        guide.cell(row=row, column=1, value=text)
    guide.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def guide_lines(label: str, main: str, line_titles: list[str]) -> list[str]:
    lines = [
        f"《{label}》导入模板",
        f"1. 在「{main}」表中填写:第一行是列名,请勿修改;从第二行起每行一条记录,空行会被跳过。",
        "2. 红色列名为必填;鼠标停在列名上可以看到填写说明。",
        "3. 日期写 2026-11-23,日期时间写 2026-11-23 09:30(也可用 Excel 的日期格式);金额只写数字。",
        "4. 有下拉箭头的列请从列表中选择。",
        "5. 关联的记录(房间、员工、部门……)填写它的名称或编号,如 房间写 A栋/101,员工写姓名;"
        "多项(清单、多个角色)用分号 ; 分隔。",
        "6. 单据编号、登记人、登记时间、部门由系统自动填写。导入只新增记录,不修改已有记录。",
        "7. 上传后系统先逐行检查,列出有问题的行号、列名和原因;全部无误后按「确认导入」才写入,"
        "有任何一行不通过就一行都不写入。",
    ]
    for title in line_titles:
        lines.append(f"明细:在「{title}」表中每行一条明细,第一列「{PARENT_ROW}」填写它所属的记录在"
                     f"「{main}」表中的行号(如 2)。")
    return lines
