"""Valid values for any declared register, derived from `registers --json` field descriptions."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from models.base import Base, declared_model
from models.reference import ChecklistItem
from views import fields

_serial = itertools.count(1)
TODAY = dt.date(2026, 11, 23)


def model_named(name: str) -> type[Base]:
    model = declared_model(name)
    assert model is not None, name
    return model


def form_value(session: Any, field: dict[str, Any], serial: int) -> Any:
    """What a clerk would type into this field of the form (as posted text)."""
    kind = field["type"]
    if kind == "choice":
        return field["choices"][serial % len(field["choices"])]
    if kind in ("string", "text"):
        return f"测{serial}{field['label']}"[: field.get("max_length", 200)]
    if kind == "integer":
        return str(serial % 9 + 1)
    if kind == "decimal":
        return "12.50"
    if kind == "date":
        return TODAY.isoformat()
    if kind == "datetime":
        return f"{TODAY.isoformat()} 09:{serial % 60:02d}:00"
    if kind == "boolean":
        return "y"
    if kind == "link":
        target = model_named(field["target"])
        return str(make_row(session, target).id if field.get("unique") else existing_row(session, target))
    if kind == "links":
        return [str(existing_row(session, model_named(field["target"])))]
    if kind == "checklist":
        items = session.scalars(sa.select(ChecklistItem.id).where(
            ChecklistItem.checklist == field["checklist"]).order_by(ChecklistItem.position)).all()
        assert items, f"checklist {field['checklist']} has no seeded items"
        return [str(i) for i in items[:2]]
    raise AssertionError(f"no sample for field type {kind}")


def form_data(session: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """A complete, valid create form for a register entry of `registers --json`."""
    serial = next(_serial)
    data = {f["name"]: form_value(session, f, serial) for f in entry["fields"]}
    for relation, line in entry.get("lines", {}).items():
        for f in line["fields"]:
            data[f"{relation}-0-{f['name']}"] = form_value(session, f, serial)
    return data


def python_value(session: Any, model: type[Base], name: str, serial: int) -> Any:
    col = fields.column_of(model, name)
    assert col is not None
    if col.info.get("choices"):
        return col.info["choices"][0]
    kind = col.type.python_type
    if kind is str:
        length = getattr(col.type, "length", None) or 200
        return f"样{serial}{name}"[:length]
    return {int: 1, Decimal: Decimal("10.00"), bool: False, dt.date: TODAY,
            dt.datetime: dt.datetime(2026, 11, 23, 9, 0)}[kind]


def existing_row(session: Any, model: type[Base]) -> int:
    """The id of some row of ``model``, creating one with valid values if the table is empty."""
    row_id = session.scalar(sa.select(model.id).order_by(model.id).limit(1))
    return row_id if row_id is not None else make_row(session, model).id


def make_row(session: Any, model: type[Base]) -> Any:
    serial = next(_serial)
    obj = model()
    links = fields.many_to_one(model)
    fk_columns = {c.key for rel in links.values() for c in rel.local_columns}
    for rel in links.values():
        if any(not c.nullable for c in rel.local_columns):
            target = rel.mapper.class_
            unique = any(c.unique for c in rel.local_columns)  # one row per target: use a fresh one
            target_id = make_row(session, target).id if unique else existing_row(session, target)
            for col in rel.local_columns:
                setattr(obj, col.key, target_id)
    for col in model.__table__.columns:
        if (col.primary_key or col.nullable or col.default is not None or col.key in fk_columns
                or col.info.get("auto")):  # numbers and computed values: the application's
            continue
        setattr(obj, col.key, python_value(session, model, col.key, serial))
    for name in obj.problems():  # optional in the schema, required by the form (a walk-in's 房价)
        if getattr(obj, name, None) is None:
            setattr(obj, name, python_value(session, model, name, serial))
    session.add(obj)
    session.commit()
    return obj
