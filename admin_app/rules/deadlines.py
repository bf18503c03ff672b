"""Deadline arithmetic and states: when a matter is due and how it stands (正常/即将到期/已超时).

Plain functions over naive local times (``admin_app.clock``); dates count from midnight.
"""

from __future__ import annotations

import datetime as dt

from admin_app.rules.fees import add_months

NORMAL = "正常"
DUE_SOON = "即将到期"
OVERDUE = "已超时"
DONE = "按时完成"
DONE_LATE = "超时完成"
OPEN_STATES = (OVERDUE, DUE_SOON, NORMAL)
STATES = (*OPEN_STATES, DONE, DONE_LATE)
#: Worst first: a record with several deadlines shows its worst state.
SEVERITY = {s: i for i, s in enumerate((OVERDUE, DONE_LATE, DUE_SOON, NORMAL, DONE))}


def as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


def due_at(start: dt.date | dt.datetime, offset: dt.timedelta = dt.timedelta(0),
           day_end: bool = False, months: int = 0) -> dt.datetime:
    """``start`` plus ``months`` calendar months plus ``offset``; with ``day_end`` the end of that day
    (the first instant of the next)."""
    moment = as_datetime(start)
    if months:
        moment = dt.datetime.combine(add_months(moment.date(), months), moment.time())
    moment += offset
    if day_end:
        return dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time())
    return moment


def state(due: dt.datetime, done: dt.datetime | None, now: dt.datetime,
          warn: dt.timedelta = dt.timedelta(0)) -> str:
    """How a matter due at ``due`` stands at ``now``; ``done`` is when it was done, if it was."""
    if done is not None:
        return DONE if done <= due else DONE_LATE
    if now >= due:
        return OVERDUE
    if now >= due - warn:
        return DUE_SOON
    return NORMAL


def worst(states: list[str]) -> str | None:
    return min(states, key=SEVERITY.__getitem__) if states else None


def describe_late(due: dt.datetime, now: dt.datetime) -> str:
    """超时 2小时15分 / 剩余 3分 — how far a matter is past or before its due time."""
    delta = now - due
    prefix = "超时" if delta >= dt.timedelta(0) else "剩余"
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = (f"{days}天" if days else "") + (f"{hours}小时" if hours else "")
    if mins or not text:
        text += f"{mins}分"
    return prefix + text


# -- periodic duties ------------------------------------------------------------------------------


def period_start(day: dt.date, every: str, back: int = 0) -> dt.date:
    """First day of the week (Monday), month or quarter holding ``day``, ``back`` periods earlier."""
    if every == "week":
        return day - dt.timedelta(days=day.weekday() + 7 * back)
    if every == "month":
        return add_months(day.replace(day=1), -back)
    if every == "quarter":
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        return add_months(first, -3 * back)
    raise ValueError(f"unknown period {every!r}")


def period_end(start: dt.date, every: str) -> dt.date:
    """The day after the period that begins on ``start``."""
    if every == "week":
        return start + dt.timedelta(days=7)
    return add_months(start, 1 if every == "month" else 3)


def duty_due(day: dt.date, every: str, due_day: int | None) -> dt.datetime:
    """When the duty of the period holding ``day`` is due: the end of its ``due_day``-th day, or its end."""
    start = period_start(day, every)
    if due_day is None:
        return as_datetime(period_end(start, every))
    return as_datetime(start + dt.timedelta(days=due_day))
