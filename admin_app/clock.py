"""The service centre's wall clock: naive local time in the configured zone."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo(os.environ.get("KEFU_TIMEZONE", "Asia/Shanghai"))


def now() -> dt.datetime:
    return dt.datetime.now(TIMEZONE).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    return now().date()
