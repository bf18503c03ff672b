"""Read a model's declaration: which fields a form, a list, a search or a filter gets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapper, RelationshipProperty

from models.base import AUTO_COLUMNS, VERSION_COLUMNS, Base, Record


def mapper_of(model: type[Base]) -> Mapper[Any]:
    return sa.inspect(model)


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
    automatic = (AUTO_COLUMNS if issubclass(model, Record) else frozenset()) | VERSION_COLUMNS
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
