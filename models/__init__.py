"""Every register and reference table; importing this package maps them all."""

from models import finance, front_desk, keys, reference, repairs, trail  # noqa: F401
from models.base import GROUPS, Base, Record, Register, Trail, checklist, declared_models, registers

__all__ = ["GROUPS", "Base", "Record", "Register", "Trail", "checklist", "declared_models", "registers"]
