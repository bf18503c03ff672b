"""The service centre's wall clock: naive local time in the configured zone."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo(os.environ.get("KEFU_TIMEZONE", "Asia/Shanghai"))
#: The days the registers deal with. Typed dates beyond are refused: date arithmetic near year 1 or
#: 9999 (deadlines, report periods, the board's previous day) would overflow.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
OUT_OF_RANGE = f"日期超出范围,应在 {FIRST_DAY} 至 {LAST_DAY} 之间。"


def in_range(day: dt.date) -> bool:
    day = day.date() if isinstance(day, dt.datetime) else day
    return FIRST_DAY <= day <= LAST_DAY


def now() -> dt.datetime:
    return dt.datetime.now(TIMEZONE).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    return now().date()
