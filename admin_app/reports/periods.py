"""Report periods: a week (Monday–Sunday), a month, a quarter or a range of days.

A period is typed as text in the report form and in its URL, so that a link names exactly what it
shows: ``2024-W05`` (ISO week, as a browser's week picker sends it), ``2024-05``, ``2024-Q2`` or
``2024-05-01~2024-05-31``. The handbook reports the period just finished (收入明细表 每周一报 the
week before), so :func:`last_finished` gives each report's default.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from admin_app.clock import OUT_OF_RANGE, in_range
from admin_app.rules.fees import add_months

KINDS: dict[str, str] = {"week": "周", "month": "月", "quarter": "季度", "range": "日期范围"}
#: What to type for each kind, shown with the period field and in error messages.
EXAMPLES: dict[str, str] = {"week": "2024-W05", "month": "2024-05", "quarter": "2024-Q2",
                            "range": "2024-05-01~2024-05-31"}
QUARTER_NAMES = ("一", "二", "三", "四")
#: A typed range longer than this is refused: a report of decades helps nobody and loads everything.
MAX_RANGE_DAYS = 3 * 366


class PeriodError(ValueError):
    """Bad period input; the message is Chinese and says what to type instead."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date
    """The last day, inclusive."""

    @property
    def code(self) -> str:
        """The text that names this period in a URL or the period field."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}~{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """How the period reads on the page and in the spreadsheet's title."""
        days = f"{self.start.isoformat()} 至 {self.end.isoformat()}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周({days})"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{QUARTER_NAMES[(self.start.month - 1) // 3]}季度({days})"
        return days

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first midnight, midnight after the last day): compare date-time columns with these."""
        return (dt.datetime.combine(self.start, dt.time()),
                dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods later (negative: earlier), of the same kind and length."""
        if self.kind == "week":
            return week_of(self.start + dt.timedelta(weeks=steps))
        if self.kind == "month":
            return month_of(add_months(self.start, steps))
        if self.kind == "quarter":
            return quarter_of(add_months(self.start, 3 * steps))
        length = (self.end - self.start).days + 1
        delta = dt.timedelta(days=length * steps)
        return Period("range", self.start + delta, self.end + delta)

    def previous(self) -> Period:
        return self.shifted(-1)

    def next(self) -> Period:
        return self.shifted(1)


def week_of(day: dt.date) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    return Period("week", monday, monday + dt.timedelta(days=6))


def month_of(day: dt.date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


def quarter_of(day: dt.date) -> Period:
    first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period("quarter", first, month_of(add_months(first, 2)).end)


def current(kind: str, today: dt.date) -> Period:
    """The period of ``kind`` that contains ``today``; a range is the 30 days up to today."""
    if kind == "range":
        return Period("range", today - dt.timedelta(days=29), today)
    return {"week": week_of, "month": month_of, "quarter": quarter_of}[kind](today)


def last_finished(kind: str, today: dt.date) -> Period:
    """The period just finished: what a weekly, monthly or quarterly report is due for."""
    return current(kind, today).previous()


_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})[-/.年](\d{1,2})月?")
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)
_RANGE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})\s*(?:~|～|至|到|,|\.\.)\s*(\d{4}-\d{1,2}-\d{1,2})")


def parse(text: str, kinds: tuple[str, ...] = tuple(KINDS)) -> Period:
    """The period ``text`` names, if it is one of ``kinds``; otherwise :class:`PeriodError`."""
    text = (text or "").strip()
    period = _parse_any(text)
    if period is None:
        raise PeriodError(f"无法识别统计期间「{text}」。请按以下格式填写:{expected(kinds)}。")
    if period.kind not in kinds:
        raise PeriodError(f"本报表不按{KINDS[period.kind]}统计。请按以下格式填写:{expected(kinds)}。")
    if not (in_range(period.start) and in_range(period.end)):
        raise PeriodError(f"统计期间「{text}」{OUT_OF_RANGE}")
    return period


def expected(kinds: tuple[str, ...]) -> str:
    return ";".join(f"按{KINDS[k]}填 {EXAMPLES[k]}" for k in kinds)


def _parse_any(text: str) -> Period | None:
    try:
        if m := _WEEK.fullmatch(text):
            return week_of(dt.date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := _QUARTER.fullmatch(text):
            return quarter_of(dt.date(int(m[1]), 3 * int(m[2]) - 2, 1))
        if m := _MONTH.fullmatch(text):
            return month_of(dt.date(int(m[1]), int(m[2]), 1))
        if m := _RANGE.fullmatch(text):
            start, end = (dt.date(*map(int, part.split("-"))) for part in (m[1], m[2]))
            return _range(start, end)
    except OverflowError:  # the last week of year 9999
        raise PeriodError(f"统计期间「{text}」{OUT_OF_RANGE}") from None
    except ValueError as exc:  # 2023-02-29, week 54, month 13 …
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"统计期间「{text}」不是有效的日期:月份为 1–12,"
                          "日期不超过当月天数,一年最多 53 周。") from None
    return None


def _range(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError(f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()},请对调后重试。")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise PeriodError("日期范围过长:一次最多统计三年,请缩小范围。")
    return Period("range", start, end)
