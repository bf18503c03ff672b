"""Login throttling: too many failures lock the account name, and the address they came from.

Every attempt is a row of ``login_attempts`` (shared by all workers and servers). The rule, a plain
function of those rows: ``limit`` failures within ``window`` lock for ``lock`` after the last of
them; attempts refused while locked are not counted, so a lock ends on time; for an account, a
successful login starts the count afresh. An unknown name is counted like a known one, so the lock
tells nobody which names exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from admin_app.clock import now
from models.security import LoginAttempt

SUCCESS, FAILURE, REFUSED = "成功", "失败", "拒绝"
#: Rows older than this are deleted when a new failure is written.
KEEP = dt.timedelta(days=90)


@dataclass(frozen=True)
class Rule:
    limit: int
    window: dt.timedelta
    lock: dt.timedelta
    reset_on_success: bool


ACCOUNT = Rule(limit=5, window=dt.timedelta(minutes=15), lock=dt.timedelta(minutes=15), reset_on_success=True)
ADDRESS = Rule(limit=20, window=dt.timedelta(minutes=15), lock=dt.timedelta(minutes=15),
               reset_on_success=False)


def locked_until(attempts: Iterable[tuple[dt.datetime, str]], rule: Rule,
                 at: dt.datetime) -> dt.datetime | None:
    """When a lock from these (time, outcome) attempts ends, if it still holds at ``at``."""
    recent: list[dt.datetime] = []
    until = None
    # A stable sort by time: attempts of the same instant keep the order they were made in.
    for when, outcome in sorted(attempts, key=lambda attempt: attempt[0]):
        if outcome == SUCCESS and rule.reset_on_success:
            recent = []
        elif outcome == FAILURE and (until is None or when >= until):
            recent = [t for t in recent if when - t < rule.window] + [when]
            if len(recent) >= rule.limit:
                until, recent = when + rule.lock, []
    return until if until is not None and until > at else None


def _history(session: Session, column: object, value: str, rule: Rule, at: dt.datetime) -> list[tuple]:
    since = at - rule.window - rule.lock
    rows = session.execute(select(LoginAttempt.attempted_at, LoginAttempt.outcome)
                           .where(column == value, LoginAttempt.attempted_at >= since)
                           .order_by(LoginAttempt.id))
    return [tuple(r) for r in rows]


def refusal(session: Session, username: str, remote_addr: str, at: dt.datetime | None = None) -> str | None:
    """The Chinese reason a login from here for this name is refused now, or ``None``."""
    at = at or now()
    address = locked_until(_history(session, LoginAttempt.remote_addr, remote_addr, ADDRESS, at), ADDRESS, at)
    if address is not None:
        return (f"这台电脑(网络地址 {remote_addr})登录失败次数过多,已暂停登录,"
                f"请于 {_clock(address, at)} 后再试。如有疑问请联系 IT 管理员。")
    account = locked_until(_history(session, LoginAttempt.username, username, ACCOUNT, at), ACCOUNT, at)
    if account is not None:
        return (f"该账号密码错误次数过多,已暂时锁定,请于 {_clock(account, at)} 后再试。"
                "如忘记密码请联系 IT 管理员重设。")
    return None


def record(session: Session, username: str, remote_addr: str, outcome: str) -> None:
    """Write one attempt (the caller commits). A failure also clears rows past keeping."""
    at = now()
    session.add(LoginAttempt(username=username[:50], remote_addr=remote_addr[:64], attempted_at=at,
                             outcome=outcome))
    if outcome == FAILURE:
        session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < at - KEEP))


def _clock(until: dt.datetime, at: dt.datetime) -> str:
    # Round up to the next minute: "09:31" must not come before the lock ends at 09:30:40.
    shown = (until + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)
    return f"{shown:%H:%M}" if shown.date() == at.date() else f"{shown:%Y-%m-%d %H:%M}"
