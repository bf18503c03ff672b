"""Key rules of 000 (四)1–2 and 004 4.2.4–4.2.5: a key's state follows its loans, a lent or lost key is
not lent, a sealed key is lent only with the service supervisor's consent, and the weekly check compares
every key with the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Who may allow a sealed key out (000 (四)1(1)): the 部门主管 of 客服部, or the 客服中心经理.
SUPERVISOR_ROLE = "部门主管"
SUPERVISOR_DEPARTMENT = "客服部"
MANAGER_ROLE = "客服中心经理"

#: Found states that are an anomaly even when the ledger already says so.
ANOMALIES = frozenset({"遗失", "短缺", "损坏"})

WEEK = 7


def key_state(*, loan_open: bool, lost: bool, others_open: bool) -> str:
    """The key's state once a loan is saved: lent while the loan is open, lost if the borrower lost it
    (and it has not come back), back in the cabinet when returned, unless another loan of it is still open.

    A deleted loan, or the key a loan was moved away from, is passed as ``loan_open=False, lost=False``.
    """
    if lost:
        return "遗失"
    if loan_open or others_open:
        return "借出"
    return "在柜"


def is_open(returned_at: dt.datetime | None, lost: bool) -> bool:
    """A loan is open until the key comes back or is reported lost; a lost key found and returned is
    closed by its return time."""
    return returned_at is None and not lost


def may_allow_sealed(role_names: Iterable[str], department: str | None) -> bool:
    """Only the 客服部 supervisor (or the centre's manager) may allow a sealed key out."""
    roles = set(role_names)
    return MANAGER_ROLE in roles or (SUPERVISOR_ROLE in roles and department == SUPERVISOR_DEPARTMENT)


def loan_problems(*, loan_open: bool, lending: bool, key_state_now: str | None, sealed: bool,
                  lent_elsewhere: str | None, returned_at: dt.datetime | None,
                  return_condition: str | None, lent_at: dt.datetime | None,
                  due_back_at: dt.datetime | None, emergency: bool, emergency_type: str | None,
                  allowed_by: str | None, allower_may_unseal: bool) -> dict[str, str]:
    """Why a 钥匙借用记录 is refused, field → message.

    ``lending``: the record lends a key it did not lend before (new, or the key changed);
    ``lent_elsewhere``: who holds the key on another open loan, if anyone;
    ``allowed_by``: the name of the user who allowed it, ``allower_may_unseal`` whether they may.
    """
    problems: dict[str, str] = {}
    if loan_open and lent_elsewhere:
        problems["key"] = f"该钥匙已借出({lent_elsewhere}),尚未归还,不能重复借出;请先在原借用记录登记归还"
    elif lending and key_state_now == "遗失":
        problems["key"] = "该钥匙已登记遗失,不能借出;请按《配制更换钥匙申请单》办理更换或增配"
    if lent_at and due_back_at and due_back_at < lent_at:
        problems["due_back_at"] = "应还时间不能早于借出时间"
    if returned_at is not None:
        if lent_at and returned_at < lent_at:
            problems["returned_at"] = "归还时间不能早于借出时间"
        if not return_condition:
            problems["return_condition"] = "归还时请检查钥匙有无短缺、损坏、改变,并选择检查结果"
    elif return_condition:
        problems["returned_at"] = "已填写归还检查,请同时填写归还时间"
    if emergency:
        if not emergency_type:
            problems["emergency_type"] = "紧急先用须选择紧急事件(跑水、漏电、室内报警等)"
        if not allowed_by:
            problems["allowed_by"] = "紧急先用须报客服部门主管同意,请选择同意的主管"
    if sealed and not allower_may_unseal:
        who = f"「{allowed_by}」不是客服部门主管" if allowed_by else "未选择同意的主管"
        problems["allowed_by"] = (f"封存钥匙没有特殊情况不允许启封,须经客服部门主管同意:{who},"
                                  "请选择客服部主管或客服中心经理")
    return problems


# -- the weekly check (000 (四)1(3)) ------------------------------------------------------------------


def in_custody(received_on: dt.date | None, handed_over_on: dt.date | None, day: dt.date) -> bool:
    """A key is checked from the day it is received until it is handed over to the owner or tenant."""
    return (received_on is None or received_on <= day) and (handed_over_on is None or handed_over_on > day)


def week_of(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The 7 days up to and including the check day, as [start, end) moments for 本周借用次数."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    return end - dt.timedelta(days=WEEK), end


@dataclass(frozen=True)
class Finding:
    """One line of a weekly check: a key, what the ledger says, what the clerk found."""

    label: str
    quantity: int
    ledger: str | None
    found: str
    note: str | None = None


def differences(findings: Sequence[Finding]) -> str | None:
    """差异及异常情况: every key found other than the ledger says, lost, short or damaged, or noted;
    ``None`` when all agree (the handbook's 无则留空)."""
    parts = []
    for f in findings:
        note = f"({f.note})" if f.note else ""
        if f.ledger and f.found != f.ledger:
            parts.append(f"{f.label}:台账{f.ledger},实查{f.found}{note}")
        elif f.found in ANOMALIES or f.note:
            parts.append(f"{f.label}:{f.found}{note}")
    return ";".join(parts) or None


def keys_checked(findings: Iterable[Finding]) -> int:
    """查验钥匙数(把): the pieces of every key group checked, less groups found lost."""
    return sum(f.quantity for f in findings if f.found != "遗失")
