"""审计日志: an append-only, hash-chained log of who changed what, from where.

Each :class:`AuditEntry` stores ``prev_hash`` (the hash of the entry before it) and ``hash`` (sha256
over its own content and ``prev_hash``), so a row changed or removed behind the application's back
breaks the chain, and ``flask --app admin_app audit verify`` names it. The one-row ``audit_head``
table holds the last number and hash: appends lock it (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
already runs one writer at a time), so two transactions appending at once still make one chain.

The rows are written by ``admin_app/audit.py`` in the commit that makes the change. Nobody updates or
deletes them: the ORM refuses here, the database by triggers (migration 0011; a SQLite batch
migration that rebuilds ``audit_log`` must create them again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, Index, Integer, String, Table, Text, event
from sqlalchemy.orm import Mapped, Mapper, ORMExecuteState, Session

from admin_app.clock import now
from models.base import Base, Register, field

#: What happened, as the log says it.
ACTIONS = ("新建", "编辑", "删除", "提交审批", "同意", "退回", "撤回", "登录", "退出", "登录失败")
#: The ``prev_hash`` of the first entry.
GENESIS = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __versioned__ = False  # append-only: never saved twice, and its hash chain covers what it holds
    __register__ = Register(
        label="审计日志",
        group="S",
        source="系统:操作留痕(新建、修改、删除、审批、登录)",
        readonly=True,
        help="每一次新建、修改、删除、提交审批、签字、退回、撤回、登录、退出和登录失败都记在这里:谁、何时、从哪里、"
             "哪张单据、每个字段的旧值和新值。只能追加,任何人不能修改或删除;每条带有前一条的哈希,"
             "用 flask --app admin_app audit verify 校验。",
        list_columns=("id", "at", "username", "action", "register_label", "number", "remote_addr"),
        search=("username", "number", "register_label", "remote_addr"),
        filters=("at", "action", "register_label", "username"),
    )
    __table_args__ = (Index("ix_audit_log_record", "register", "record_id"),)

    id: Mapped[int] = field("序号", primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = field("时间", default=now, index=True)
    user_id: Mapped[int | None] = field("用户编号", help="操作人的用户编号(登录失败时为空)")
    username: Mapped[str] = field("操作人", String(50), help="操作时的登录名")
    action: Mapped[str] = field("操作", String(10), choices=ACTIONS)
    register: Mapped[str | None] = field("登记表代号", String(60))
    register_label: Mapped[str | None] = field("登记表", String(60))
    record_id: Mapped[int | None] = field("记录编号")
    number: Mapped[str | None] = field("单据编号/名称", String(200))
    line_register: Mapped[str | None] = field("明细表", String(60), help="改的是单据的明细行时:明细表代号")
    line_id: Mapped[int | None] = field("明细行编号")
    changes: Mapped[str] = field("变更内容", Text, default="{}", help="字段 → [旧值, 新值](JSON)")
    remote_addr: Mapped[str | None] = field("来源地址", String(45))
    user_agent: Mapped[str | None] = field("浏览器", String(200))
    prev_hash: Mapped[str] = field("前一条哈希", String(64), auto=True)
    hash: Mapped[str] = field("哈希", String(64), auto=True, unique=True)


#: The chain's head: the last entry's number and hash (one row, id 1).
audit_head = Table(
    "audit_head",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

LOG = AuditEntry.__table__
#: Columns an entry's hash covers (every column but the hash itself).
HASHED = tuple(c.name for c in LOG.columns if c.name != "hash")
#: Longest text each column holds; longer values are cut before hashing, so what is stored is what was hashed.
LENGTHS = {c.name: c.type.length for c in LOG.columns
           if c.name in HASHED and isinstance(c.type, String) and c.type.length}


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is taken over: its hashed columns as sorted, compact JSON."""
    values = {name: entry.get(name) for name in HASHED}
    if isinstance(values["at"], dt.datetime):
        values["at"] = values["at"].isoformat(sep=" ")
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def complete(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Every column of a row, texts cut to their column, the time and changes filled in."""
    row = {name: entry.get(name) for name in HASHED}
    row["at"] = row["at"] or now()
    row["changes"] = row["changes"] or "{}"
    row["username"] = row["username"] or "系统"
    for name, length in LENGTHS.items():
        if isinstance(row[name], str):
            row[name] = row[name][:length]
    return row


def link(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Number ``rows`` after the chain's head and hash each onto the one before; move the head.

    The head stays locked until the transaction ends, so the next appender waits and then reads the
    head this one leaves."""
    head = connection.execute(
        sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
    ).first()
    if head is None:  # a database built without the migration's first row
        connection.execute(audit_head.insert().values(id=1, seq=0, hash=GENESIS))
        seq, last = 0, GENESIS
    else:
        seq, last = head
    for row in rows:
        seq += 1
        row.update(id=seq, prev_hash=last)
        row["hash"] = last = digest(row)
    connection.execute(audit_head.update().where(audit_head.c.id == 1).values(seq=seq, hash=last))


def append(connection: sa.Connection, entries: Iterable[Mapping[str, Any]]) -> int:
    """Write entries at the end of the chain, in one INSERT; returns how many."""
    rows = [complete(e) for e in entries]
    if rows:
        link(connection, rows)
        connection.execute(LOG.insert(), rows)
    return len(rows)


# -- append-only --------------------------------------------------------------------------------------


class AppendOnlyError(Exception):
    """Someone tried to change or remove an audit entry."""


REFUSAL = "审计日志只能追加,不能修改或删除。"


@event.listens_for(AuditEntry, "before_insert")
def _chain_orm_insert(_mapper: Mapper[Any], connection: sa.Connection, target: AuditEntry) -> None:
    # The application appends with append(); an entry added through a session joins the chain as well.
    row = complete({name: getattr(target, name) for name in HASHED})
    link(connection, [row])
    for name, value in row.items():
        setattr(target, name, value)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper: Mapper[Any], _connection: sa.Connection, _target: AuditEntry) -> None:
    raise AppendOnlyError(REFUSAL)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AuditEntry:
        raise AppendOnlyError(REFUSAL)


# -- verification -------------------------------------------------------------------------------------


def _span(first: int, last: int) -> str:
    return f"第 {first} 条" if first == last else f"第 {first}–{last} 条"


def _describe(row: Any) -> str:
    what = " ".join(str(v) for v in (row.register_label, row.number) if v)
    return f"{row.at:%Y-%m-%d %H:%M:%S} {row.username} {row.action}{(' ' + what) if what else ''}"


def verify(connection: sa.Connection) -> tuple[int, list[str]]:
    """Walk the chain: (entries read, problems). A problem names each entry whose content no longer
    matches its hash, and each place where entries are missing or the link to the one before is broken."""
    problems: list[str] = []
    expected, last = 1, GENESIS
    count = 0
    rows = connection.execute(sa.select(LOG).order_by(LOG.c.id).execution_options(yield_per=2000))
    for row in rows:
        count += 1
        if row.id != expected:
            problems.append(f"{_span(expected, row.id - 1)}缺失:记录被删除(第 {row.id} 条的前一条不在链上)")
        elif row.prev_hash != last:
            problems.append(f"第 {row.id} 条:与前一条的哈希不相连,前一条被改动或替换")
        if digest(row._mapping) != row.hash:
            problems.append(f"第 {row.id} 条:内容与哈希不符,记录被改动({_describe(row)})")
        expected, last = row.id + 1, row.hash
    head = connection.execute(sa.select(audit_head).where(audit_head.c.id == 1)).first()
    if head is None:
        problems.append("链头(audit_head)缺失")
    elif head.seq >= expected:
        problems.append(f"{_span(expected, head.seq)}缺失:链尾的记录被删除")
    elif head.seq != expected - 1 or head.hash != last:
        problems.append(f"链头(第 {head.seq} 条)与最后一条记录(第 {expected - 1} 条)不符")
    return count, problems

