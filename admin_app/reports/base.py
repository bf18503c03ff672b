"""What a report is: a declaration (data) that the one generic report page renders.

Like a register's ``__register__``, a :class:`Report` names the handbook's form, its source, the
registers it reads (a user sees it only with ``view`` on every one of them), its period kinds and
one plain function ``rows(session, period, filters) -> ReportTable``. The page, the chart and the
spreadsheet are drawn from the :class:`ReportTable` alone, so they always show the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, and_
from sqlalchemy.orm import Session

from admin_app.reports.periods import Period

#: Cell kinds: how a value is shown on the page and which number format the spreadsheet gets.
CELL_KINDS = ("text", "int", "money", "date", "datetime", "percent")


@dataclass(frozen=True)
class Col:
    label: str
    """The Chinese header."""
    kind: str = "text"
    """One of :data:`CELL_KINDS`; ``percent`` values are ratios (Decimal 0–1)."""

    def __post_init__(self) -> None:
        if self.kind not in CELL_KINDS:
            raise ValueError(f"column {self.label!r}: kind {self.kind!r} is not one of {CELL_KINDS}")


Row = list[Any]


@dataclass
class ReportTable:
    columns: list[Col]
    rows: list[Row]
    totals: Row | None = None
    """The 合计 row, aligned with ``columns`` (None cells stay blank)."""
    notes: list[str] = field(default_factory=list)
    """Lines shown above the table and under the spreadsheet's title: counts, how a figure is reckoned."""


@dataclass(frozen=True)
class Chart:
    """A bar chart over the table: one bar per distinct ``label`` cell, the ``value`` cells summed."""

    title: str
    label: int
    """Index of the column naming the bars."""
    value: int
    """Index of the numeric column the bars measure."""
    section: str | None = None
    """Only rows whose first cell is this (tables grouped by a 分类 column)."""

    def bars(self, table: ReportTable) -> list[tuple[str, Decimal]]:
        sums: dict[str, Decimal] = {}
        for row in table.rows:
            if self.section is not None and row[0] != self.section:
                continue
            value = row[self.value]
            if value is None:
                continue
            key = str(row[self.label])
            sums[key] = sums.get(key, Decimal(0)) + Decimal(value)
        return list(sums.items())


@dataclass(frozen=True)
class Filter:
    name: str
    """The query-string key."""
    label: str
    choices: Sequence[str]


Filters = dict[str, str]


@dataclass(frozen=True)
class Report:
    slug: str
    """The URL name: /admin/reports/<slug>."""
    label: str
    """The handbook's name of the report."""
    source: str
    """Handbook file and section."""
    reads: tuple[str, ...]
    """Model names of the registers it reads: ``view`` on all of them to open, ``export`` to download."""
    kinds: tuple[str, ...]
    """Period kinds it is reported by (see ``periods.KINDS``); the first is the default."""
    rows: Callable[[Session, Period, Filters], ReportTable]
    code: str = ""
    """Form code where the handbook gives one, e.g. XST-HD-KF-021."""
    help: str = ""
    """One line under the title: what is counted and when the report is due."""
    filters: tuple[Filter, ...] = ()
    chart: Chart | None = None
    due: Callable[[Period], dt.date | None] | None = None
    """When the report for a period must be handed in, where the handbook says."""


def in_period(column: Any, period: Period) -> Any:
    """``column`` falls in ``period``: a date column between its days, a date-time one in its bounds."""
    if isinstance(column.type, DateTime):
        start, end = period.bounds
        return and_(column >= start, column < end)
    return column.between(period.start, period.end)


def ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` for a percent cell, to four places; None when there is nothing to divide."""
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None
