"""How a value reads on a page, in an export or in a change log."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: Spreadsheet programs run cells starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet shows as typed, never runs as a formula (pitfall 7); a plain number such as
    ``-200.00`` is no formula and stays as it is. Control characters an XLSX file cannot store are
    dropped."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def display(value: Any) -> str:
    """How a value reads on a page or in an export."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, list | tuple | set):
        return "、".join(display(v) for v in value)
    return str(value)
