"""The one generic machine: a Flask-Admin view for any declared model, with permissions.

Everything a register's page shows is derived from its model's declaration
(see ``models/base.py``). A register that needs more subclasses
:class:`RegisterView` and overrides only the difference; attributes a subclass
sets on its class win over the derived defaults.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from flask import abort, flash, g, has_request_context, redirect, request, url_for
from flask_admin.actions import action
from flask_admin.babel import gettext as admin_gettext
from flask_admin.babel import lazy_gettext
from flask_admin.babel import ngettext as admin_ngettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import BaseForm
from flask_admin.model import typefmt
from flask_admin.model.base import ViewArgs
from flask_admin.model.fields import AjaxSelectField, AjaxSelectMultipleField
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from markupsafe import Markup, escape
from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload, scoped_session, selectinload
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from admin_app.display import display, neutralise_formula
from admin_app.permissions import can
from admin_app.scope import scope_filter
from models.base import Base, Record, search_columns
from models.search import condition as search_condition
from views import fields, paging
from views.approval import APPROVAL_ENDPOINTS, ApprovalMixin
from views.counting import AtLeast, count_query
from views.deadlines import DeadlineStateFilter, deadline_column, remember_deadlines
from views.exporting import XlsxExportMixin
from views.history import HistoryMixin
from views.importing import IMPORT_ENDPOINTS, ImportMixin
from views.printing import PrintMixin
from views.versions import VersionMixin

log = logging.getLogger(__name__)

#: The permission each Flask-Admin endpoint needs.
ENDPOINT_ACTION = {
    "index_view": "view",
    "details_view": "view",
    "create_view": "create",
    "edit_view": "edit",
    "delete_view": "delete",
    "export": "export",
    "ajax_update": "edit",
    "print_view": "view",
    "pdf_view": "view",
    **IMPORT_ENDPOINTS,
}

#: Endpoints that change the rows they reach: approvers' read access does not extend to them
#: (signing, ``approval_decide``, is theirs; submitting for approval is the applicant's or an editor's).
CHANGING_ENDPOINTS = ("edit_view", "delete_view", "action_view", "ajax_update", "approval_submit",
                      "approval_withdraw")

#: A list page (or a picker's offset) beyond this is a hand-made URL: the SQL offset would overflow.
MAX_PAGE = 100_000
#: Most rows a link picker returns at once.
MAX_LOOKUP = 100


class ChineseMessages:
    """WTForms' catalogue, then ours for what Flask-Admin's own fields raise ("Not a valid choice")."""

    def gettext(self, string: str) -> str:
        text = wtforms_translations.gettext(string)
        return admin_gettext(string) if text == string else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        text = wtforms_translations.ngettext(singular, plural, n)
        return admin_ngettext(singular, plural, n) if text in (singular, plural) else text


class ChineseMeta:
    def get_translations(self, form: Any) -> ChineseMessages:
        return ChineseMessages()


class AdminForm(FlaskForm):
    """Flask-WTF base so every generated form carries the CSRF token (pitfall 6).

    Keeps the edited object as Flask-Admin's own ``BaseForm`` does: its ``Unique``
    validator needs it to tell "this row" from "another row with the same key".
    """

    Meta = ChineseMeta

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._obj = kwargs.get("obj", args[1] if len(args) > 1 else None)
        super().__init__(*args, **kwargs)


class LineForm(BaseForm):
    """A line item's form inside its parent's (which carries the CSRF token), with the same messages."""

    Meta = ChineseMeta


class CheckedConverter(AdminModelConverter):
    """Every generated field also checks that its value fits its column (control characters, numbers
    too large or too precise, dates out of range), so bad input is a message at the field, not a
    database error."""

    def convert(self, model: Any, mapper: Any, name: str, prop: Any, field_args: Any, hidden_pk: bool) -> Any:
        columns = getattr(prop, "columns", None)
        checks = fields.value_validators(columns[0]) if columns else []
        if checks:
            field_args = dict(field_args or {})
            field_args["validators"] = [*field_args.get("validators", ()), *checks]
        return super().convert(model, mapper, name, prop, field_args, hidden_pk)


def line_fields(model: type[Base], relation: str) -> tuple[type[Base], list[str]]:
    """The line-item model of ``model.relation`` and its fields, without the link back to the parent."""
    child = fields.mapper_of(model).relationships[relation].mapper.class_
    links = fields.many_to_one(child)
    return child, [n for n in fields.form_fields(child)
                   if not (n in links and links[n].mapper.class_ is model)]


def shown_line_fields(model: type[Base], relation: str) -> tuple[type[Base], list[str]]:
    """The line fields a details page and an export show: the form's plus those the application fills
    (``auto``), in the order the line model declares them."""
    child, names = line_fields(model, relation)
    order = fields.declaration_order(child)
    return child, sorted({*names, *fields.auto_fields(child)}, key=lambda n: order.get(n, len(order)))


def _shown_by_name(names: Mapping[str, str]) -> Callable[..., str]:
    """A list and details formatter: the Chinese name of a stored code (the code when it has none)."""
    return lambda view, context, model, name: names.get(getattr(model, name), getattr(model, name) or "")


def lines_table(view: Any, context: Any, model: Any, name: str) -> Markup:
    """Line items as a small table on the details page."""
    child, names = shown_line_fields(type(model), name)
    labels = fields.labels(child)
    head = "".join(f"<th>{escape(labels.get(n, n))}</th>" for n in names)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(display(getattr(line, n)))}</td>" for n in names) + "</tr>"
        for line in getattr(model, name)
    )
    return Markup(f'<table class="table table-sm table-bordered mb-0"><thead><tr>{head}</tr></thead>'
                  f"<tbody>{body}</tbody></table>")


def lines_text(view: Any, context: Any, model: Any, name: str) -> str:
    _, names = shown_line_fields(type(model), name)
    return ";".join(" ".join(display(getattr(line, n)) for n in names) for line in getattr(model, name))


def row_scope(model: type[Base], changing: bool = False) -> Any:
    """The signed-in user's rows of ``model`` (``admin_app.scope``), or None: all rows."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return scope_filter(model, current_user._get_current_object(), changing=changing)


class PermittedAjaxLoader(QueryAjaxModelLoader):
    """A link picker that shows rows only to users who may see the target register, and of those
    only the rows in the user's scope (their department's, their buildings')."""

    def allowed(self) -> bool:
        decl = getattr(self.model, "__register__", None)
        return bool(decl and (decl.public_lookup or can("view", self.model.__name__)))

    def get_query(self) -> Any:
        query = super().get_query()
        condition = row_scope(self.model, changing=True)
        return query if condition is None else query.filter(condition)

    def get_list(self, term: str, offset: int | None = 0, limit: int | None = 20) -> Any:
        if not self.allowed():
            abort(403)
        offset = min(max(offset or 0, 0), MAX_PAGE)  # a hand-made URL: keep the SQL valid
        limit = min(max(limit or 1, 1), MAX_LOOKUP)
        return super().get_list(fields.clean_text(term or ""), offset, limit)

    def get_one(self, pk: Any) -> Any:
        pk = fields.parse_id(pk)  # a hand-made post; PostgreSQL would refuse the cast
        if pk is None or not self.allowed():
            return None
        with self.session.no_autoflush:  # called while the form fills the record (as Flask-Admin's)
            return self.get_query().filter(self.model.id == pk).one_or_none()


TYPE_FORMATTERS = dict(typefmt.BASE_FORMATTERS)
TYPE_FORMATTERS.update({
    type(None): lambda view, value, name: "",
    bool: lambda view, value, name: display(value),
    dt.date: lambda view, value, name: display(value),
    dt.datetime: lambda view, value, name: display(value),
    Decimal: lambda view, value, name: display(value),
    list: lambda view, value, name: display(value),
})


def refuse_problems(form: Any, model: Base) -> None:
    """The handbook's rules refuse the save: each message at its field, the form kept as typed."""
    problems = model.problems()
    if not problems:
        return
    labels = fields.labels(type(model))
    for name, message in problems.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
    raise ValidationError("保存失败:" + ";".join(f"{labels.get(n, n)}:{m}" for n, m in problems.items()))


def stamp_new_record(model: Any) -> None:
    """A new record is recorded by the signed-in user, for their department unless it names one."""
    if isinstance(model, Record):
        model.recorded_by_id = current_user.id
        if model.department_id is None:
            model.department_id = current_user.department_id


class RegisterView(ImportMixin, XlsxExportMixin, HistoryMixin, VersionMixin, ApprovalMixin, PrintMixin,
                   ModelView):
    """Generated list, search, filters, forms, details and export for one declared model."""

    form_base_class = AdminForm
    model_form_converter = CheckedConverter
    can_view_details = True
    export_types = ["csv", "xlsx"]
    page_size = 20
    can_set_page_size = True
    column_display_pk = False
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_export = TYPE_FORMATTERS
    column_type_formatters_detail = TYPE_FORMATTERS  # Flask-Admin's own show booleans as "False"
    list_template = "admin/register_list.html"
    details_template = "admin/register_details.html"

    def __init__(self, model: type[Base], session: scoped_session, **kwargs: Any) -> None:
        decl = model.__register__
        clash = sorted(set(fields.form_fields(model)) & (set(dir(AdminForm)) | {"problems", "before_save"}))
        if clash:  # a field named like a form method (process, validate, data …) breaks every form
            raise TypeError(f"{model.__name__}: rename field(s) {', '.join(clash)}; "
                            "the names are taken by WTForms or the model hooks")
        self.declaration = decl
        self.resource = model.__name__
        for name, value in self.derived_settings(model).items():
            if getattr(type(self), name, None) is getattr(ModelView, name, None):
                setattr(self, name, value)
        self.form_args = {**self.checklist_args(model, session), **(self.form_args or {})}
        kwargs.setdefault("name", decl.label)
        kwargs.setdefault("category", decl.group_label)
        kwargs.setdefault("endpoint", model.__tablename__)
        super().__init__(model, session, **kwargs)

    # -- what the declaration gives --------------------------------------------------------------

    @staticmethod
    def derived_settings(model: type[Base]) -> dict[str, Any]:
        decl = model.__register__
        form = fields.form_fields(model)
        links = fields.many_to_one(model)
        numbered = ["number"] if issubclass(model, Record) else []  # the document number leads
        details = [*numbered, *form, *(n for n in fields.auto_fields(model) if n not in numbered),
                   *(c for c in ("recorded_at", "recorded_by", "department") if issubclass(model, Record))]
        columns = list(decl.list_columns) or [n for n in form if not fields.is_long_text(model, n)][:7]
        if issubclass(model, Record) and "recorded_at" not in columns and not decl.list_columns:
            columns.append("recorded_at")
        columns = [*numbered, *(n for n in columns if n not in numbered)]
        searchable = search_columns(model, [n for n in columns if fields.is_text(model, n)])
        filters: list[Any] = list(decl.filters) or [n for n in form if fields.is_filterable(model, n)]
        if issubclass(model, Record) and not decl.filters:
            filters += ["recorded_at", "department.name"]
        if decl.deadlines:
            filters.insert(0, DeadlineStateFilter(model))
        labels = fields.labels(model)
        labels["department.name"] = "部门"
        for name in searchable:
            if "." in name:
                rel, col = name.split(".", 1)
                target = links[rel].mapper.class_
                labels.setdefault(name, fields.labels(target).get(col, col))
        sortable: list[Any] = []
        for name in columns:
            if name in links:
                title = fields.title_column(links[name].mapper.class_)
                if title:
                    sortable.append((name, f"{name}.{title}"))
            elif fields.column_of(model, name) is not None:
                sortable.append(name)
        ajax_refs = {}
        for name in form:
            rel = links.get(name) or fields.mapper_of(model).relationships.get(name)
            if rel is None or rel.info.get("checklist"):
                continue
            target = rel.mapper.class_
            search_cols = [c for c in (*target.__register__.search, fields.title_column(target))
                           if c and "." not in c] or ["id"]
            ajax_refs[name] = {"fields": list(dict.fromkeys(search_cols)), "page_size": 20,
                               "placeholder": "输入关键字搜索"}
        for relation in decl.inline:
            details.append(relation)
            labels[relation] = fields.mapper_of(model).relationships[relation].info.get("label", relation)
        default_sort = ("recorded_at", True) if issubclass(model, Record) else (
            (fields.title_column(model), False) if fields.title_column(model) else None)
        named = fields.code_names(model)
        return {
            "column_list": columns,
            "column_details_list": details,
            "column_export_list": details,
            "column_labels": labels,
            "column_descriptions": fields.help_texts(model),
            "column_searchable_list": searchable,
            "column_filters": filters,
            "column_sortable_list": sortable,
            "column_default_sort": default_sort,
            "form_columns": form,
            "form_choices": {k: [(c, named.get(k, {}).get(c, c)) for c in v]
                             for k, v in fields.choices(model).items()},
            "form_ajax_refs": ajax_refs,
            "inline_models": [RegisterView.inline_options(model, name) for name in decl.inline],
            "column_formatters": {name: lines_table for name in decl.inline}
            | {"approval_status": ApprovalMixin.status_column_formatter, "deadline_state": deadline_column}
            | {name: _shown_by_name(names) for name, names in named.items()},
            "column_formatters_export": {name: lines_text for name in decl.inline},
        }

    @staticmethod
    def checklist_args(model: type[Base], session: scoped_session) -> dict[str, Any]:
        """Checklists show their seeded items as check boxes, in the handbook's order."""
        from models.reference import ChecklistItem

        args = {}
        for rel in fields.mapper_of(model).relationships:
            name = rel.info.get("checklist")
            if name:
                args[rel.key] = {
                    "query_factory": lambda name=name: session.scalars(
                        select(ChecklistItem).where(ChecklistItem.checklist == name)
                        .order_by(ChecklistItem.position, ChecklistItem.id)).all(),
                    "widget": ListWidget(prefix_label=False),
                    "option_widget": CheckboxInput(),
                }
        return args

    @staticmethod
    def inline_options(model: type[Base], relation: str) -> tuple[type[Base], dict[str, Any]]:
        child, form = line_fields(model, relation)
        return child, {
            "form_columns": ["id", *form],
            "column_labels": fields.labels(child),
            "column_descriptions": fields.help_texts(child),
            "form_choices": {k: [(c, c) for c in v] for k, v in fields.choices(child).items()},
            "form_base_class": LineForm,
        }

    # -- row scope: every path to a row goes through these three (pitfall 2) --------------------

    @staticmethod
    def changing() -> bool:
        """Does this request change the rows it reaches?"""
        endpoint = (request.endpoint or "") if has_request_context() else ""
        return endpoint.rsplit(".", 1)[-1] in CHANGING_ENDPOINTS

    def row_scope(self) -> Any:
        return row_scope(self.model, changing=self.changing())

    def get_query(self) -> Any:
        query = super().get_query()
        condition = self.row_scope()
        if condition is not None:
            query = query.filter(condition)
        return query.options(*self.list_options())

    def list_options(self) -> list[Any]:
        """Exports stream after the request's session is gone; lists show collections (a user's roles) in
        one query each, not one per row."""
        relationships = fields.mapper_of(self.model).relationships
        shown = [r.key for r in relationships if r.uselist and r.info.get("label")]
        return [selectinload(getattr(self.model, relation))
                for relation in dict.fromkeys([*self.declaration.inline, *shown])]

    def hidden_links(self) -> list[Any]:
        """The links no list column shows, left out of the list's page statement: each would join its own
        links too (a repair order's call record, its room, building, responder …), and PostgreSQL plans a
        statement of twenty joins in 5 ms. Details, edit and export still load every link."""
        shown = {name.split(".")[0] for name, _ in self._list_columns}
        links = fields.many_to_one(self.model)
        return [lazyload(getattr(self.model, key)) for key in links if key not in shown]

    def get_count_query(self) -> Any:
        page, page_size = g.get("list_window", (0, self.page_size)) if has_request_context() else (0, None)
        query = count_query(self.session, self.model, page, page_size)
        condition = self.row_scope()
        return query if condition is None else query.filter(condition)

    def get_one(self, id: Any) -> Any:
        """The row by id. A row that does not exist and a row outside the user's scope are the same 404:
        the answer never tells that someone else's record exists."""
        pk = fields.parse_id(id)  # abc, -1 and 2**70 are ids no row can have
        row = None if pk is None else self.one_with_approval(self.get_query().filter(self.model.id == pk))
        if row is None and has_request_context():
            abort(404)
        if has_request_context() and not self.changing() and not self.changeable(row):
            g.row_only_to_sign = True  # an approver's view: no edit or delete buttons on this page
        return row

    def changeable(self, row: Any) -> bool:
        """May the signed-in user change this row (in their scope, not only an approver's)?"""
        condition = row_scope(self.model, changing=True)
        return condition is None or self.session.query(self.model.id).filter(
            self.model.id == row.id, condition).first() is not None

    @action("delete", lazy_gettext("Delete"),
            lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids: Any) -> None:
        """Flask-Admin's, given the posted ids as integers: PostgreSQL refuses ``integer = varchar``."""
        super().action_delete(tuple(pk for pk in map(fields.parse_id, ids) if pk is not None))

    def _create_ajax_loader(self, name: str, options: dict[str, Any]) -> QueryAjaxModelLoader:
        target = fields.mapper_of(self.model).relationships[name].mapper.class_
        return PermittedAjaxLoader(name, self.session, target, **options)

    # -- permissions, enforced on every endpoint ------------------------------------------------

    def allowed(self, action: str) -> bool:
        if self.declaration.readonly and action in ("create", "edit", "delete"):
            return False
        if not has_request_context():  # Flask-Admin reads some flags once at start-up
            return True
        return can(action, self.resource)

    @property  # type: ignore[override]
    def can_create(self) -> bool:
        return self.allowed("create")

    @property  # type: ignore[override]
    def can_edit(self) -> bool:
        return self.allowed("edit") and not self.only_to_sign()

    @property  # type: ignore[override]
    def can_delete(self) -> bool:
        return self.allowed("delete") and not self.only_to_sign()

    @staticmethod
    def only_to_sign() -> bool:
        """This page shows a row the user sees only as its approver (see ``get_one``)."""
        return has_request_context() and bool(g.get("row_only_to_sign"))

    @property  # type: ignore[override]
    def can_export(self) -> bool:
        return self.allowed("export")

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        return current_user.is_authenticated and self.allowed("view")

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    def action_permission(self, action: str | None) -> str:
        return "delete" if action == "delete" else "edit"

    def required_permissions(self, endpoint: str) -> tuple[str, ...]:
        """Any one of these lets the request through."""
        if endpoint == "ajax_lookup":  # pickers serve this register's forms
            return ("create", "edit")
        if endpoint == "action_view":
            return (self.action_permission(request.form.get("action")),)
        return (ENDPOINT_ACTION.get(endpoint, "view"),)

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if name in APPROVAL_ENDPOINTS:  # who may sign is the chain's business, checked by the engine
            return None
        if not any(self.allowed(a) for a in self.required_permissions(name)):
            abort(403)
        self.refuse_locked(name)
        return None

    # -- the approval status column, shown on registers that have a chain -----------------------

    @property
    def _list_columns(self) -> list[tuple[str, str]]:
        columns = list(self._base_list_columns)
        if self.declaration.deadlines:
            columns.append(("deadline_state", "办理时限"))
        if has_request_context() and self.has_chain():
            columns.append(("approval_status", "审批状态"))
        return columns

    @_list_columns.setter
    def _list_columns(self, value: list[tuple[str, str]]) -> None:
        self._base_list_columns = value

    def _apply_search(self, query: Any, count_query: Any, joins: Any, count_joins: Any, search: str) -> Any:
        """A large register's search goes to its trigram index (``models/search.py``): every term must be
        found in one of the searched columns, as in Flask-Admin's own search."""
        if not self.declaration.large:
            return super()._apply_search(query, count_query, joins, count_joins, search)
        dialect = self.session.get_bind().dialect.name
        for term in search.split():
            found = search_condition(self.model, term, dialect)
            query = query.filter(found)
            count_query = count_query.filter(found) if count_query is not None else None
        return query, count_query, joins, count_joins

    def _get_list_extra_args(self) -> ViewArgs:
        """The list's URL parameters, kept within what the database accepts (a page of -1 or 2**70,
        a search for a NUL byte): a hand-made URL shows a page, never an error."""
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_PAGE)
        args.search = fields.clean_text(args.search) if args.search else None
        args.filters = [(i, name, fields.clean_text(v) if isinstance(v, str) else v)
                        for i, name, v in args.filters or []] or args.filters
        return args

    def get_list(self, page: int | None, *args: Any, **kwargs: Any) -> Any:
        """Flask-Admin's list query, run as one deferred join (``views/paging.py``) that also brings the
        page's approval status and due items; an export gets the query itself, to stream."""
        if not has_request_context():
            return super().get_list(page, *args, **kwargs)
        g.list_window = (page, kwargs.get("page_size") or self.page_size)
        if not kwargs.get("execute", True):
            return super().get_list(page, *args, **kwargs)
        count, query = super().get_list(page, *args, **{**kwargs, "execute": False})
        approvals, deadlines = self.has_chain(), bool(self.declaration.deadlines)
        walk = isinstance(count, AtLeast)  # many matches: walking the page's order finds its rows soonest
        statement = (paging.page_statement(query, self.model, self.resource, approvals, deadlines, walk)
                     .options(*self.list_options(), *(joinedload(j) for j in self._auto_joins),
                              *self.hidden_links()))
        rows, by_record, items = paging.split_rows(self.session.execute(statement), approvals, deadlines)
        self.remember_statuses(by_record)
        remember_deadlines(self.resource, items)
        return count, rows

    # -- saving -----------------------------------------------------------------------------------

    def validate_form(self, form: Any) -> bool:
        valid = super().validate_form(form)
        for field in form:
            # An optional picker whose posted id matched no visible row would otherwise save as blank.
            if (isinstance(field, AjaxSelectField) and not isinstance(field, AjaxSelectMultipleField)
                    and field.data is None and getattr(field, "_formdata", None)):
                field.errors = [*field.errors, "所选记录不存在,或您无权查看。请重新选择。"]
                valid = False
        return valid

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        if is_created:
            stamp_new_record(model)
        refuse_problems(form, model)

    def handle_view_exception(self, exc: Exception) -> bool:
        """Database refusals become a plain Chinese message, never SQL (pitfall 9)."""
        if isinstance(exc, sa_exc.IntegrityError):
            flash("保存失败:与已有记录重复,或缺少必填项、关联记录不存在。请检查后重试,已填写的内容仍保留在表单中。",
                  "error")
            return True
        if isinstance(exc, sa_exc.DataError | sa_exc.StatementError):
            flash("保存失败:有字段的值不符合要求(长度、数字或日期格式)。请检查后重试。", "error")
            return True
        if isinstance(exc, sa_exc.OperationalError):
            log.exception("database unavailable")
            flash("数据库暂时无法使用,请稍后重试。已填写的内容仍保留在表单中。", "error")
            return True
        return super().handle_view_exception(exc)

    # -- export -----------------------------------------------------------------------------------

    def get_export_value(self, model: Any, name: str) -> Any:
        value = self._get_list_value(None, model, name, self.column_formatters_export,
                                     self.column_type_formatters_export)
        return neutralise_formula(display(value) if not isinstance(value, str) else value)

    def get_export_name(self, export_type: str = "csv") -> str:
        return f"{self.model.__tablename__}_{dt.date.today():%Y%m%d}.{export_type}"
