"""日清日审 (001 1.2): every day's open matters, worst first, and the supervisor's sign-off.

The board reads the 办理时限 rows (``models/deadlines.py``); it knows no register. A matter is on the
board of day D when it is not done by the end of D (or by now, for today) and it is due by the end
of D or already in its warning window.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, lazyload

from admin_app.clock import now
from admin_app.rules.deadlines import (
    OPEN_STATES,
    OVERDUE,
    describe_late,
    duty_due,
    period_end,
    period_start,
    state,
)
from admin_app.scope import records_filter, scope_filter
from models.base import Duty, declared_models
from models.deadlines import DayReview, DueItem
from models.reference import Department, User

#: A duty whose record for the period exists.
MET = "已完成"
#: Rows shown on one board; the counts always cover every open matter.
BOARD_LIMIT = 200


class SignOffError(Exception):
    """A refused sign-off; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Matter:
    register: str
    register_label: str
    record_id: int
    number: str | None
    title: str
    deadline: str
    due_at: dt.datetime
    owner: str
    department: str
    state: str
    late: str

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["due_at"] = self.due_at.isoformat(sep=" ", timespec="minutes")
        return data


@dataclass(frozen=True)
class DutyStatus:
    register: str
    register_label: str
    label: str
    period: str
    due_at: dt.datetime
    state: str
    late: str

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["due_at"] = self.due_at.isoformat(sep=" ", timespec="minutes")
        return data


def period_label(start: dt.date, every: str) -> str:
    if every == "week":
        return f"{start:%Y-%m-%d} 至 {start + dt.timedelta(days=6):%m-%d}"
    if every == "month":
        return f"{start.year}年{start.month}月"
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"


@dataclass(frozen=True)
class DutyQuestion:
    """Is a declared duty met for the period holding a day: ``met`` is SQL, an EXISTS over the register."""

    model: type[Any]
    duty: Duty
    start: dt.date
    due_at: dt.datetime
    met: sa.ColumnElement[bool]


def duty_questions(day: dt.date, registers: Collection[str] | None = None,
                   user: User | None = None) -> list[DutyQuestion]:
    """Each declared duty for the period holding ``day`` (with ``user``: met by a record in their scope,
    e.g. their own department's 考勤表)."""
    asked = []
    for model in declared_models():
        if registers is not None and model.__name__ not in registers:
            continue
        for duty in model.__register__.duties:
            start = period_start(day, duty.every, duty.lag)
            column = getattr(model, duty.date)
            found = sa.select(model.id).where(column >= start, column < period_end(start, duty.every))
            if duty.where:
                found = found.where(getattr(model, duty.where[0]) == duty.where[1])
            limit = scope_filter(model, user, changing=True) if user is not None else None
            if limit is not None:
                found = found.where(limit)
            due = duty_due(day, duty.every, duty.due_day)
            asked.append(DutyQuestion(model, duty, start, due, found.exists()))
    return asked


def duty_statuses(asked: list[DutyQuestion], answers: Iterable[bool],
                  moment: dt.datetime) -> list[DutyStatus]:
    """The duties met, or how close to their due time at ``moment``; the unmet first."""
    out = []
    for q, met in zip(asked, answers, strict=True):
        current = MET if met else state(q.due_at, None, moment, dt.timedelta(days=1))
        out.append(DutyStatus(register=q.model.__name__, register_label=q.model.__register__.label,
                              label=q.duty.label, period=period_label(q.start, q.duty.every), due_at=q.due_at,
                              state=current, late="" if met else describe_late(q.due_at, moment)))
    return sorted(out, key=lambda d: (d.state == MET, d.due_at))


@dataclass
class Board:
    day: dt.date
    at: dt.datetime
    matters: list[Matter]
    total: int
    by_state: dict[str, int]
    by_department: dict[str, int]
    done_today: int
    reviews: list[DayReview] = field(default_factory=list)
    duties: list[DutyStatus] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return self.by_state.get(OVERDUE, 0)

    def as_json(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "generated_at": self.at.isoformat(sep=" ", timespec="seconds"),
            "open": self.total,
            "overdue": self.overdue,
            "done_today": self.done_today,
            "by_state": self.by_state,
            "by_department": self.by_department,
            "matters": [m.as_json() for m in self.matters],
            "duties": [d.as_json() for d in self.duties],
            "reviews": [{"department": r.department.name if r.department else "",
                         "reviewed_by": r.recorded_by.name if r.recorded_by else "",
                         "reviewed_at": r.recorded_at.isoformat(sep=" ", timespec="minutes")}
                        for r in self.reviews],
        }


#: The counts statement's row of matters done today (not a state of an open matter).
DONE_TODAY = "今日办结"
#: The counts statement's rows of the duties: met (1) or not (0), the duty's place in the second column.
DUTY = "定期事项"


def moment_of(day: dt.date, at: dt.datetime | None = None) -> dt.datetime:
    """The board of ``day`` is seen now when ``day`` is today, else at the end of that day."""
    at = at or now()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    return min(at, end)


def _open_parts(moment: dt.datetime, end_of_day: dt.datetime,
                scope: list[sa.ColumnElement[bool]]) -> list[sa.ColumnElement[bool]]:
    """The matters open at ``moment`` that the board of that day shows, as two conditions whose rows never
    overlap: not done (read from the partial index ``ix_due_items_open_board`` alone, in due order), and
    done after ``moment`` (a past day's board)."""
    due = sa.or_(DueItem.due_at <= end_of_day, DueItem.warn_from <= moment)
    return [sa.and_(DueItem.done_at.is_(None), due, *scope), sa.and_(DueItem.done_at > moment, due, *scope)]


def board(session: Session, day: dt.date, registers: Collection[str] | None = None,
          department_id: int | None = None, at: dt.datetime | None = None,
          limit: int = BOARD_LIMIT, user: User | None = None) -> Board:
    """The board of ``day`` over ``registers`` (model names; ``None`` = all), optionally one department;
    with ``user``, only the matters of records in that user's row scope, counts included."""
    moment = moment_of(day, at)
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    scope = []
    if registers is not None:
        scope.append(DueItem.register.in_(list(registers)))
    if department_id is not None:
        scope.append(DueItem.department_id == department_id)
    visible = (records_filter(DueItem.register, DueItem.record_id, user, registers) if user is not None
               else None)
    if visible is not None:
        scope.append(visible)
    parts = _open_parts(moment, end_of_day, scope)

    # the first ``limit`` of each part by due time, then the first ``limit`` of both
    firsts = [sa.select(DueItem.id).where(part).order_by(DueItem.due_at, DueItem.id).limit(limit).subquery()
              for part in parts]
    shown = sa.union_all(*(sa.select(first.c.id) for first in firsts)).subquery()
    owner, dept = aliased(User), aliased(Department)
    rows = session.execute(
        sa.select(DueItem, owner.name, dept.name)
        .join(shown, shown.c.id == DueItem.id)
        .outerjoin(owner, owner.id == DueItem.owner_id)
        .outerjoin(dept, dept.id == DueItem.department_id)
        .order_by(DueItem.due_at, DueItem.id).limit(limit)
        .options(lazyload("*"))  # the names come from the joins above, not from the links' own joins
    ).all()
    matters = [
        Matter(register=d.register, register_label=d.register_label, record_id=d.record_id,
               number=d.number, title=d.title, deadline=d.deadline, due_at=d.due_at,
               owner=owner_name or "", department=dept_name or "",
               state=state(d.due_at, None, moment, d.due_at - d.warn_from),
               late=describe_late(d.due_at, moment))
        for d, owner_name, dept_name in rows
    ]
    open_rows = sa.union_all(*(sa.select(DueItem.due_at, DueItem.warn_from, DueItem.department_id).where(part)
                               for part in parts)).subquery()
    of_state = sa.case((open_rows.c.due_at <= moment, OPEN_STATES[0]),
                       (open_rows.c.warn_from <= moment, OPEN_STATES[1]), else_=OPEN_STATES[2])
    by_state: Counter[str] = Counter()
    departments: Counter[str] = Counter()
    start_of_day = dt.datetime.combine(day, dt.time())
    asked = duty_questions(day, registers, user)
    # by state and by department, the matters done today and whether each duty is met, in one statement
    counts = sa.union_all(
        sa.select(of_state, Department.name, sa.func.count()).select_from(open_rows)
        .outerjoin(Department, Department.id == open_rows.c.department_id)
        .group_by(of_state, Department.name),
        sa.select(sa.literal(DONE_TODAY), sa.null(), sa.func.count()).select_from(DueItem)
        .where(DueItem.done_at >= start_of_day, DueItem.done_at <= moment, *scope),
        *(sa.select(sa.literal(DUTY), sa.literal(str(i)), sa.case((q.met, 1), else_=0))
          for i, q in enumerate(asked)),
    )
    done_today = 0
    met = [False] * len(asked)
    for name, department, count in session.execute(counts):
        if name == DONE_TODAY:
            done_today = count
            continue
        if name == DUTY:
            met[int(department)] = bool(count)
            continue
        by_state[name] += count
        departments[department or "未指定部门"] += count
    by_department = dict(departments.most_common())
    reviews = list(session.scalars(sa.select(DayReview).where(DayReview.day == day)
                                   .order_by(DayReview.recorded_at)))
    return Board(day=day, at=moment, matters=matters, total=sum(by_state.values()),
                 by_state={s: by_state.get(s, 0) for s in OPEN_STATES}, by_department=by_department,
                 done_today=done_today, reviews=reviews, duties=duty_statuses(asked, met, moment))


def summary_lines(view: Board) -> str:
    lines = [f"{m.state} | {m.register_label} {m.number or ''} {m.title} | {m.deadline} | "
             f"应办结 {m.due_at:%m-%d %H:%M} | 责任人 {m.owner or '未指定'}" for m in view.matters]
    lines += [f"{d.state} | 定期事项 {d.register_label}:{d.label}({d.period})"
              for d in view.duties if d.state != MET]
    return "\n".join(lines) or "无未办结事项"


def sign_off(session: Session, day: dt.date, user: User, registers: Collection[str] | None = None,
             remarks: str | None = None) -> DayReview:
    """Record that ``user`` reviewed ``day`` for their department, with what was still open."""
    if day > now().date():
        raise SignOffError("不能签核未来的日期。")
    existing = session.scalar(sa.select(DayReview).where(DayReview.day == day,
                                                         DayReview.department_id == user.department_id))
    if existing is not None:
        who = existing.recorded_by.name if existing.recorded_by else "他人"
        raise SignOffError(f"{day:%Y-%m-%d} 的日清日审已由 {who} 于 {existing.recorded_at:%H:%M} 签核,"
                           "不能重复签核。")
    view = board(session, day, registers, department_id=user.department_id, limit=10_000, user=user)
    review = DayReview(day=day, open_count=view.total, overdue_count=view.overdue, done_count=view.done_today,
                       summary=summary_lines(view), remarks=remarks or None,
                       recorded_by_id=user.id, department_id=user.department_id)
    session.add(review)
    try:
        session.flush()
    except sa.exc.IntegrityError:  # a colleague signed the same day a moment earlier
        session.rollback()
        raise SignOffError(f"{day:%Y-%m-%d} 的日清日审刚刚已由他人签核,不能重复签核。") from None
    return review
