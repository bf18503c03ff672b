"""Change logs that write themselves: a record of a declared ``Trail`` adds its log row
in the same flush, so the change and its trail commit or fail together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from admin_app.display import display
from models.base import Base, Trail


def _label(model: type[Base], name: str) -> str:
    prop = inspect(model).attrs[name]
    info = prop.info if hasattr(prop, "info") and prop.info else prop.columns[0].info  # type: ignore[union-attr]
    return info.get("label", name)


def _log_model(trail: Trail) -> type[Base]:
    for mapper in Base.registry.mappers:
        if mapper.class_.__name__ == trail.log:
            return mapper.class_
    raise LookupError(f"change log model {trail.log!r} is not declared")


def _summary(obj: Any, trail: Trail) -> str:
    model = type(obj)
    return ";".join(f"{_label(model, f)}:{display(getattr(obj, f))}" for f in trail.fields)


def _corrections(obj: Any, trail: Trail) -> str:
    state = inspect(obj)
    parts = []
    for name in (*trail.fields, trail.when):
        history = state.attrs[name].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            parts.append(f"{_label(type(obj), name)}:{display(old)} → {display(new)}")
    return ";".join(parts)


def _log(session: Session, obj: Any, trail: Trail, kind: str, summary: str) -> None:
    log = _log_model(trail)(
        kind=kind,
        summary=summary,
        effective_at=getattr(obj, trail.when),
        source=type(obj).__register__.label,
    )
    for name in (trail.subject, "recorded_by", "department"):
        if hasattr(log, name):
            _copy_link(obj, log, name)
    session.add(log)


def _copy_link(source: Any, target: Any, name: str) -> None:
    """Copy a many-to-one link, whether it was set as an object or only as its foreign key."""
    related = getattr(source, name, None)
    if related is not None:
        setattr(target, name, related)
        return
    source_rel = inspect(type(source)).relationships[name]
    target_rel = inspect(type(target)).relationships[name]
    for src_col, dst_col in zip(source_rel.local_columns, target_rel.local_columns, strict=True):
        setattr(target, dst_col.key, getattr(source, src_col.key))


@event.listens_for(Session, "before_flush")
def write_trails(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.new):
        trail = getattr(getattr(type(obj), "__register__", None), "trail", None)
        if trail:
            _log(session, obj, trail, trail.kind, _summary(obj, trail))
    for obj in list(session.dirty):
        trail = getattr(getattr(type(obj), "__register__", None), "trail", None)
        if trail and session.is_modified(obj):
            changes = _corrections(obj, trail)
            if changes:
                _log(session, obj, trail, f"{trail.kind}(更正)", changes)
    for obj in list(session.deleted):
        trail = getattr(getattr(type(obj), "__register__", None), "trail", None)
        if trail:
            _log(session, obj, trail, f"{trail.kind}(撤销)", _summary(obj, trail))
