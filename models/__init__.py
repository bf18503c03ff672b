"""Every register and reference table; importing this package maps them all."""

from models import (  # noqa: F401
    approval,
    archives,
    complaints,
    deadlines,
    estate,
    finance,
    front_desk,
    hooks,
    keys,
    postpartum,
    reference,
    repairs,
    residence,
    security,
    staff,
    trail,
    versions,
)
from models.base import (
    GROUPS,
    Base,
    Deadline,
    Duty,
    Record,
    Register,
    Trail,
    checklist,
    declared_models,
    registers,
)

__all__ = ["GROUPS", "Base", "Deadline", "Duty", "Record", "Register", "Trail", "checklist",
           "declared_models", "registers"]
