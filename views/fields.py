"""Read a model's declaration: which fields a form, a list, a search or a filter gets."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapper, RelationshipProperty
from wtforms.validators import StopValidation

from admin_app import clock
from models.base import AUTO_COLUMNS, VERSION_COLUMNS, Base, Record
from models.search import SEARCH_COLUMN


def mapper_of(model: type[Base]) -> Mapper[Any]:
    return model.__mapper__  # sa.inspect(model) without its lookup: read for every value of an import


def many_to_one(model: type[Base]) -> dict[str, RelationshipProperty[Any]]:
    """Relationship name → property, for links this model holds a foreign key of."""
    return {
        rel.key: rel
        for rel in mapper_of(model).relationships
        if rel.direction is sa.orm.interfaces.MANYTOONE
    }


def labels(model: type[Base]) -> dict[str, str]:
    """Every column's and relationship's Chinese label, keyed by attribute name."""
    mapper = mapper_of(model)
    out: dict[str, str] = {}
    for prop in mapper.column_attrs:
        label = prop.columns[0].info.get("label")
        if label:
            out[prop.key] = label
    for rel in mapper.relationships:
        label = rel.info.get("label")
        if label:
            out[rel.key] = label
    return out


def help_texts(model: type[Base]) -> dict[str, str]:
    mapper = mapper_of(model)
    out = {p.key: p.columns[0].info["help"] for p in mapper.column_attrs if p.columns[0].info.get("help")}
    out.update({r.key: r.info["help"] for r in mapper.relationships if r.info.get("help")})
    return out


def choices(model: type[Base]) -> dict[str, tuple[str, ...]]:
    return {
        p.key: p.columns[0].info["choices"]
        for p in mapper_of(model).column_attrs
        if p.columns[0].info.get("choices")
    }


def code_names(model: type[Base]) -> dict[str, Mapping[str, str]]:
    """Columns storing codes with Chinese names (``field(names=...)``): column → code → name."""
    out = {}
    for prop in mapper_of(model).column_attrs:
        names = prop.columns[0].info.get("names")
        if names:
            out[prop.key] = names() if callable(names) else names
    return out


def column_of(model: type[Base], name: str) -> sa.Column[Any] | None:
    prop = mapper_of(model).attrs.get(name)
    if isinstance(prop, sa.orm.ColumnProperty):
        return prop.columns[0]
    return None


def form_fields(model: type[Base]) -> list[str]:
    """Fields a clerk fills in, in the order of the declaration; links by relationship name."""
    mapper = mapper_of(model)
    fk_to_rel = {
        col.key: name for name, rel in many_to_one(model).items() for col in rel.local_columns
    }
    automatic = ((AUTO_COLUMNS if issubclass(model, Record) else frozenset()) | VERSION_COLUMNS
                 | {SEARCH_COLUMN})
    names: list[str] = []
    for col in model.__table__.columns:
        key = mapper.get_property_by_column(col).key
        key = fk_to_rel.get(key, key)
        if col.primary_key or key in automatic or key in names:
            continue
        if key in fk_to_rel.values():
            if mapper.relationships[key].info.get("label"):
                names.append(key)
        elif col.info.get("label") and not col.info.get("auto"):
            names.append(key)
    if issubclass(model, Record) and "remarks" in names:
        names.remove("remarks")
        names.append("remarks")
    for rel in mapper.relationships:
        if rel.secondary is not None and rel.info.get("label"):
            names.append(rel.key)
    return [n for n in names if n != "password_hash"]


def declaration_order(model: type[Base]) -> dict[str, int]:
    """Each column's place in the declaration; a link takes the place of its foreign-key column."""
    order = {col.key: i for i, col in enumerate(model.__table__.columns)}
    for name, rel in many_to_one(model).items():
        order[name] = min(order[c.key] for c in rel.local_columns)
    return order


def auto_fields(model: type[Base]) -> list[str]:
    """Columns the application fills in (``field(..., auto=True)``), for details pages."""
    return [p.key for p in mapper_of(model).column_attrs if p.columns[0].info.get("auto")]


def is_long_text(model: type[Base], name: str) -> bool:
    col = column_of(model, name)
    return col is not None and isinstance(col.type, sa.Text)


def is_text(model: type[Base], name: str) -> bool:
    col = column_of(model, name)
    return col is not None and isinstance(col.type, sa.String) and not col.info.get("choices")


def is_filterable(model: type[Base], name: str) -> bool:
    col = column_of(model, name)
    if col is None:
        return False
    python_type = _python_type(col)
    return bool(col.info.get("choices")) or python_type in (bool, dt.date, dt.datetime)


def _python_type(col: sa.Column[Any]) -> type | None:
    try:
        return col.type.python_type
    except NotImplementedError:
        return None


def title_column(model: type[Base]) -> str | None:
    """A real column that names a row (for sorting and searching links to it)."""
    decl = model.__register__
    for name in (decl.title, *decl.key):
        if column_of(model, name) is not None:
            return name
    return None


# -- what a column can hold: checked on every generated form, before anything reaches the database --
# Each check stops the field's other validators: Flask-Admin's Unique would query the database with
# the value (PostgreSQL refuses a NUL byte, or an integer beyond its range, with an error).

#: Characters no one types: NUL (PostgreSQL refuses it), escapes, and the rest of C0 but tab and newlines.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Largest value of a database INTEGER column (ids, counts).
MAX_INTEGER = 2**31 - 1

Validator = Callable[[Any, Any], None]


def parse_id(value: Any) -> int | None:
    """A row id from a URL or a form, or None when the text cannot be one (abc, -1, 2**70)."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_INTEGER else None


def clean_text(value: str) -> str:
    """Text from a URL or a small form (a search, an opinion) without the control characters
    PostgreSQL refuses and no one means to type."""
    return CONTROL_CHARACTERS.sub("", value)


def _no_control_characters(form: Any, field: Any) -> None:
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise StopValidation("含有不可见的控制字符,请删除后重新输入。")


def _integer_in_range(form: Any, field: Any) -> None:
    if isinstance(field.data, int) and abs(field.data) > MAX_INTEGER:
        raise StopValidation("数值超出范围,请检查是否多输入了数字。")


def _decimal_fits(precision: int | None, scale: int | None) -> Validator:
    def check(form: Any, field: Any) -> None:
        value = field.data
        if not isinstance(value, Decimal):
            return
        if not value.is_finite():
            raise StopValidation("请输入数字。")
        if precision is not None and abs(value) >= Decimal(10) ** (precision - (scale or 0)):
            raise StopValidation("数值超出范围,请检查是否多输入了数字。")
        if scale is not None and -int(value.normalize().as_tuple().exponent) > scale:
            raise StopValidation(f"最多 {scale} 位小数。" if scale else "请输入整数。")

    return check


def _date_in_range(form: Any, field: Any) -> None:
    if isinstance(field.data, dt.date) and not clock.in_range(field.data):
        raise StopValidation(clock.OUT_OF_RANGE)


def value_validators(column: sa.Column[Any]) -> list[Validator]:
    """Checks that keep a form's value within what the column holds, each with a Chinese message."""
    kind = column.type
    if isinstance(kind, sa.String):  # Text included
        return [_no_control_characters]
    if isinstance(kind, sa.Integer):
        return [_integer_in_range]
    if isinstance(kind, sa.Numeric):
        return [_decimal_fits(kind.precision, kind.scale)]
    if isinstance(kind, sa.Date | sa.DateTime):
        return [_date_in_range]
    return []
