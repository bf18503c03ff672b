"""When customer service calls clients back (003 4.3.1, 4.8.2; 002 回访要求), as plain functions of dates,
and the complaint callback rates of 002 (:func:`complaint_callback_rates`).

A postpartum client's pregnancy is counted back from the due date: 40 weeks (280 days) before it is the
first day of the pregnancy, and pregnancy month *n* runs from that day plus *n − 1* calendar months
(a day the month lacks becomes its last day, as :func:`admin_app.rules.fees.add_months` does).
The occasions are the handbook's words, the choices of ``ClientCallback.kind``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from admin_app.rules.fees import add_months, money

#: 40 weeks: the due date is 280 days after the first day of the pregnancy.
PREGNANCY = dt.timedelta(days=280)
WEEK = dt.timedelta(days=7)

SIGNING_DAY = "签约当天"
WEEK_AFTER_SIGNING = "签约一周后"
MONTHLY = "孕6个月前每月"
WEEKLY = "孕7-9个月每周"
MONTH_BEFORE_DUE = "预产期前1个月"
WEEK_BEFORE_DUE = "预产期前1周"
AFTER_DISCHARGE = "出所后3天"

#: Occasions that come once per contract: a done one is never planned again.
ONCE = (SIGNING_DAY, WEEK_AFTER_SIGNING, MONTH_BEFORE_DUE, WEEK_BEFORE_DUE)
#: Occasions the contract's dates generate (节日问候, 住院期间 and 问题跟进 are planned by hand).
PREGNANCY_OCCASIONS = (*ONCE, MONTHLY, WEEKLY)

#: What the handbook says to say on each occasion (003 4.3.1, 4.8.2); the clerk may rewrite it.
CONTENT = {
    SIGNING_DAY: "签约当天温馨短信",
    WEEK_AFTER_SIGNING: "签约一周后问候,如孕期营养",
    MONTHLY: "孕期每月问候",
    WEEKLY: "孕期每周问候,如饮食禁忌",
    MONTH_BEFORE_DUE: "预产期1个月前温馨提示",
    WEEK_BEFORE_DUE: "预产期一周前温馨提示,如母婴包等准备",
    AFTER_DISCHARGE: "出所后问候与祝福",
}

#: 002 回访要求: 进行过投诉的客人三日内回访; 散客、团队客人离店第二日回访.
COMPLAINT_CALLBACK_DAYS = 3
DEPARTURE_CALLBACK_DAYS = 1


def pregnancy_month_start(due_date: dt.date, month: int) -> dt.date:
    """First day of pregnancy month ``month`` (1-based) for a client due on ``due_date``."""
    return add_months(due_date - PREGNANCY, month - 1)


def pregnancy_schedule(signed_on: dt.date, due_date: dt.date) -> list[tuple[dt.date, str]]:
    """The callbacks a contract signed on ``signed_on`` with ``due_date`` brings (003 4.3.1), by date.

    * 签约当天 and 签约一周后;
    * monthly, on the signing day of the month, while the pregnancy is in its first six months;
    * weekly in months 7–9, on the due date's weekday counted back from it (due − 7, − 14 …);
    * one month and one week before the due date.

    Nothing falls before the signing day; one call a day: where two occasions meet, the one named
    first above (the once-only ones) is kept. A due date more than 40 weeks after signing means the
    pregnancy had not begun: only the signing calls are planned.
    """
    month7 = pregnancy_month_start(due_date, 7)
    planned: list[tuple[dt.date, str]] = [(signed_on, SIGNING_DAY), (signed_on + WEEK, WEEK_AFTER_SIGNING)]
    if due_date - signed_on <= PREGNANCY:
        planned += [(add_months(due_date, -1), MONTH_BEFORE_DUE), (due_date - WEEK, WEEK_BEFORE_DUE)]
        months = 1
        while (day := add_months(signed_on, months)) < month7:
            planned.append((day, MONTHLY))
            months += 1
        weeks = 2
        while (day := due_date - weeks * WEEK) >= month7:
            planned.append((day, WEEKLY))
            weeks += 1
    by_day: dict[dt.date, str] = {}
    for day, occasion in planned:
        if day >= signed_on:
            by_day.setdefault(day, occasion)
    return sorted(by_day.items())


def discharge_schedule(moved_out_on: dt.date) -> list[tuple[dt.date, str]]:
    """003 4.8.2: the first three days after the client leaves, one call a day."""
    return [(moved_out_on + dt.timedelta(days=n), AFTER_DISCHARGE) for n in (1, 2, 3)]


def complaint_callback_due(closed_at: dt.datetime | dt.date) -> dt.date:
    """002: a complainant is called back within three days of the complaint being closed."""
    day = closed_at.date() if isinstance(closed_at, dt.datetime) else closed_at
    return day + dt.timedelta(days=COMPLAINT_CALLBACK_DAYS)


def departure_callback_due(left_on: dt.date) -> dt.date:
    """002: guests are called back the day after they leave."""
    return left_on + dt.timedelta(days=DEPARTURE_CALLBACK_DAYS)


#: A callback due more than a week before it is planned is history, not a plan: an archive, a closed
#: complaint or a departure entered late brings only the callbacks of the last week and later.
CATCH_UP = dt.timedelta(days=7)


def planning_start(today: dt.date) -> dt.date:
    """The earliest day a newly planned callback may fall on."""
    return today - CATCH_UP


# -- callback rates of complaints (002 回访要求; 002 篇2 2.1.2.7) ---------------------------------------

#: 进行过投诉的客人三日内回访率达 100%.
IN_TIME_TARGET = Decimal(100)
#: 服务中心经理 … 安排不少于 20% 的回访: the manager calls back at least a fifth of the complainants himself.
MANAGER_TARGET = Decimal(20)
#: Role code of the 客服中心经理 (服务中心经理, 客户服务中心经理) in seed/data/02_roles.yaml.
MANAGER_ROLE = "manager"


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, to two places; None when there is nothing to count."""
    return money(Decimal(part) * 100 / whole) if whole else None


@dataclass(frozen=True)
class CallbackRates:
    """Complaints closed in a period and how they were called back.

    A complaint counts once, however many callbacks it had: called back in time when a 投诉回访 with a
    回访日期 no later than closing day + 3 exists; by the manager when any of its callbacks was made by a
    user with the 客服中心经理 role.
    """

    start: dt.date
    end: dt.date
    closed: int
    """Complaints whose 客户投诉处理表 was closed (办结时间) from ``start`` to ``end``, both included."""
    called_back: int
    """Of them, those called back (at any time so far)."""
    in_time: int
    """Of them, those called back within three days of closing."""
    by_manager: int
    """Of those called back, those the manager called back himself."""

    @property
    def in_time_rate(self) -> Decimal | None:
        """三日内回访率 (%): ``in_time`` of ``closed``; the handbook's target is 100."""
        return percent(self.in_time, self.closed)

    @property
    def manager_rate(self) -> Decimal | None:
        """经理回访占比 (%): ``by_manager`` of ``called_back``; at least 20."""
        return percent(self.by_manager, self.called_back)

    @property
    def late(self) -> int:
        """Closed complaints not called back within three days (the ones the 100% target misses)."""
        return self.closed - self.in_time


def complaint_callback_rates(session: Any, start: dt.date, end: dt.date) -> CallbackRates:
    """The callback rates of 002 for the complaints closed from ``start`` to ``end`` (dates included).

    For the 投诉汇总表 and the 投诉回访率 page::

        rates = complaint_callback_rates(session, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        rates.closed, rates.in_time, rates.in_time_rate      # 4, 3, Decimal("75.00")
        rates.called_back, rates.by_manager, rates.manager_rate
    """
    from models.complaints import COMPLAINT_CALLBACK, ComplaintHandling, CustomerCallback
    from models.reference import Role, user_roles

    closed = dict(session.execute(
        select(ComplaintHandling.complaint_id, ComplaintHandling.closed_at).where(
            ComplaintHandling.closed_at >= dt.datetime.combine(start, dt.time()),
            ComplaintHandling.closed_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))).all())
    managers = set(session.scalars(select(user_roles.c.user_id).join(Role, Role.id == user_roles.c.role_id)
                                   .where(Role.code == MANAGER_ROLE)))
    calls: dict[int, list[tuple[dt.date, int | None]]] = {}
    if closed:
        for complaint_id, day, caller in session.execute(
                select(CustomerCallback.complaint_id, CustomerCallback.callback_date,
                       CustomerCallback.called_back_by_id).where(
                    CustomerCallback.kind == COMPLAINT_CALLBACK, CustomerCallback.callback_date.is_not(None),
                    CustomerCallback.complaint_id.in_(list(closed)))):
            calls.setdefault(complaint_id, []).append((day, caller))
    in_time = sum(1 for cid, made in calls.items()
                  if min(day for day, _ in made) <= complaint_callback_due(closed[cid]))
    by_manager = sum(1 for made in calls.values() if any(caller in managers for _, caller in made))
    return CallbackRates(start=start, end=end, closed=len(closed), called_back=len(calls), in_time=in_time,
                         by_manager=by_manager)
