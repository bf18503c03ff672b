"""Bulk data for the benchmark: N rows in each big register, their 办理时限 rows, pending approvals.

Rows bypass the ORM (PostgreSQL ``COPY``, SQLite ``executemany`` in one transaction with
``synchronous=OFF``) but are written the way the application writes them: numbers
``<code>-<YYYYMMDD>-<NNN>`` counted per day (and ``number_sequences`` left at the last one given),
one 办理时限 row per record and declared deadline, the approval's steps computed by the engine from
the chain as a submission would. Values go through SQLAlchemy's own bind processors, so SQLite
stores dates exactly as the ORM does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin_app import approvals as engine_approvals
from admin_app.clock import now
from admin_app.numbering import SEQUENCES, document_number, prefix_of
from admin_app.rules.deadlines import as_datetime, due_at
from bench.fake import BORROWER_DEPTS, LEAVE_REASONS, PURPOSES, REPAIR_ITEMS, RESULTS, Fake
from models.approval import IN_PROGRESS, Approval, ApprovalWait
from models.base import Base, search_columns
from models.deadlines import DueItem
from models.front_desk import CallRecord
from models.keys import EMERGENCIES, Key, KeyCutRequest, KeyLoan
from models.reference import Department, RepairPrice, Room, User
from models.repairs import RepairOrder
from models.search import SEARCH_COLUMN, row_search_text
from models.staff import LeaveRequest

#: Records per day in each big register: N rows span N / 500 days up to now.
ROWS_PER_DAY = 500
#: Repair orders are left undispatched (2%) only within the last OPEN_DAYS: the daily review (日清日审) closes
#: older ones, so the open backlog is the same at 10k and 1M rows. ``reopen_overdue`` adds the backlog of a
#: centre that let them pile up, for the cases that measure it.
OPEN_DAYS = 14
OPEN_SHARE = 0.02
BATCH = 20_000
ADDRESSES = ("东门", "南区", "商业街")


def pending_for_rows(rows: int) -> int:
    """Pending approvals in the head's inbox: 100,000 from 10,000 rows up, 10 per row below."""
    return min(100_000, 10 * rows)


@dataclass
class Loaded:
    rows: int
    pending: int
    seconds: float
    written: dict[str, int] = field(default_factory=dict)


class Writer:
    """Appends rows to tables through the driver's fastest path, inside one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        self.sqlite = self.dialect.name == "sqlite"
        if self.sqlite:
            self.cursor.execute("PRAGMA synchronous=OFF")
            self.cursor.execute("BEGIN")
        self.written: dict[str, int] = {}
        self.serial: set[str] = set()  # tables with an id sequence to move on (PostgreSQL)

    def write(self, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        names = list(first)
        for col in table.columns:  # scalar Python-side defaults the ORM would have filled
            if col.key not in first and col.default is not None and col.default.is_scalar:
                names.append(col.key)
        defaults = {c.key: c.default.arg for c in table.columns if c.key in names and c.key not in first}
        processors = [table.c[n].type.dialect_impl(self.dialect).bind_processor(self.dialect) for n in names]
        count = 0

        def tuples() -> Iterator[tuple[Any, ...]]:
            nonlocal count
            for row in itertools.chain([first], rows):
                count += 1
                values = [row[n] if n in row else defaults[n] for n in names]
                if self.sqlite:
                    values = [p(v) if p and v is not None else v for p, v in zip(processors, values,
                                                                                   strict=True)]
                yield tuple(values)

        columns = ", ".join(f'"{n}"' for n in names)
        if self.sqlite:
            sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
            stream = tuples()
            while batch := list(itertools.islice(stream, BATCH)):
                self.cursor.executemany(sql, batch)
        else:
            with self.cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for values in tuples():
                    copy.write_row(values)
        self.written[table.name] = self.written.get(table.name, 0) + count
        if "id" in table.c:
            self.serial.add(table.name)
        return count

    def finish(self) -> None:
        if self.sqlite:
            self.cursor.execute("COMMIT")
            self.cursor.execute("PRAGMA synchronous=FULL")
        else:
            self.raw.commit()
            for name in self.serial:  # ids were given explicitly: move the serial sequences on
                self.cursor.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                    f'(SELECT max(id) FROM "{name}"))')
            self.raw.commit()
        self.cursor.close()
        self.raw.close()


class Numbers:
    """Document numbers as ``admin_app.numbering`` gives them, continuing the counters in the database."""

    def __init__(self, conn: sa.Connection) -> None:
        self.last = {(r.prefix, r.day): r.last for r in conn.execute(sa.select(SEQUENCES))}
        self.touched: set[tuple[str, dt.date]] = set()

    def next(self, model: type[Any], at: dt.datetime) -> str:
        key = (prefix_of(model), at.date())
        self.last[key] = self.last.get(key, 0) + 1
        self.touched.add(key)
        return document_number(key[0], key[1], self.last[key])

    def save(self, conn: sa.Connection) -> None:
        for prefix, day in self.touched:
            where = (SEQUENCES.c.prefix == prefix) & (SEQUENCES.c.day == day)
            conn.execute(SEQUENCES.delete().where(where))
        rows = [{"prefix": p, "day": d, "last": self.last[(p, d)]} for p, d in sorted(self.touched)]
        for start in range(0, len(rows), BATCH):
            conn.execute(SEQUENCES.insert(), rows[start:start + BATCH])


def moments(count: int, fake: Fake, end: dt.datetime) -> Iterator[dt.datetime]:
    """``count`` increasing moments spread evenly (with jitter) over count/ROWS_PER_DAY days up to ``end``."""
    span = dt.timedelta(days=max(1, math.ceil(count / ROWS_PER_DAY))).total_seconds()
    start = end - dt.timedelta(seconds=span)
    step = span / max(count, 1)
    for i in range(count):
        yield start + dt.timedelta(seconds=int((i + fake.rng.random()) * step))


def next_ids(conn: sa.Connection, tables: Iterable[sa.Table]) -> dict[str, Iterator[int]]:
    return {t.name: itertools.count((conn.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1) for t in tables}


class Reference:
    """Ids of the seeded rows the generated records point at."""

    def __init__(self, session: Session) -> None:
        users = {u.username: u for u in session.scalars(sa.select(User))}
        self.user = {name: u.id for name, u in users.items()}
        self.user_by_id = {u.id: u for u in users.values()}
        self.dept = {d.name: d.id for d in session.scalars(sa.select(Department))}
        self.rooms = list(session.scalars(sa.select(Room.id)))
        self.prices = [(p.id, p.price) for p in session.scalars(sa.select(RepairPrice))]
        self.keys = list(session.scalars(sa.select(Key.id).order_by(Key.id)))
        self.key_label = {key_id: label for key_id, label in session.execute(sa.select(Key.id, Key.label))}
        self.free_keys = list(session.scalars(sa.select(Key.id).where(Key.state == "在柜").order_by(Key.id)))
        self.sealed_keys = set(session.scalars(sa.select(Key.id).where(Key.sealed.is_(True))))


def add_search_text(model: type[Any], rows: list[dict[str, Any]],
                    linked: Callable[[dict[str, Any]], dict[str, Any]] = lambda row: {}) -> None:
    """The trigram-indexed text the application keeps for a large register (``models/search.py``);
    ``linked`` gives the linked rows' searched values (``key.label``)."""
    columns = search_columns(model)
    for row in rows:
        row[SEARCH_COLUMN] = row_search_text(row | linked(row), columns)


def due_rows(model: type[Any], rows: list[dict[str, Any]], title: Callable[[dict[str, Any]], str],
             ids: Iterator[int]) -> Iterator[dict[str, Any]]:
    """The 办理时限 rows ``models.deadlines.matters`` keeps for these records."""
    decl = model.__register__
    for row in rows:
        for d in decl.deadlines:
            start = row[d.start]
            due = due_at(start, d.offset, d.day_end, d.months)
            done = row[d.done]
            yield {"id": next(ids), "register": model.__name__, "register_label": decl.label,
                   "record_id": row["id"], "number": row["number"], "title": title(row)[:200],
                   "deadline": d.label, "starts_at": as_datetime(start), "due_at": due,
                   "warn_from": due - d.warn, "done_at": as_datetime(done) if done else None,
                   "owner_id": row[f"{d.owner}_id"], "department_id": row["department_id"]}


def check_title(model: type[Any], row: dict[str, Any], title: Callable[[dict[str, Any]], str],
                **links: Any) -> None:
    """The fast title function must say what the model's own ``__str__`` says."""
    columns = {c.key for c in model.__table__.columns}
    obj = model(**{k: v for k, v in row.items() if k in columns}, **links)
    if str(obj) != title(row):
        raise AssertionError(f"{model.__name__}: title {title(row)!r} differs from the model's {str(obj)!r}")


def repair_title(row: dict[str, Any]) -> str:
    return f"{row['called_at']:%Y-%m-%d %H:%M} {row['resident']}"


def loan_title(row: dict[str, Any]) -> str:
    return row["borrower"]


class Load:
    """What one bulk load shares: the ids to continue from, the number counters, the driver's writer."""

    def __init__(self, engine: Engine, tables: list[sa.Table], seed: int) -> None:
        self.engine = engine
        self.fake = Fake(seed)
        self.end = now()
        self.session = Session(engine)
        self.ref = Reference(self.session)
        self.session.rollback()  # SQLite: a reading session holds the write lock (BEGIN IMMEDIATE)
        with engine.connect() as conn:
            self.numbers = Numbers(conn)
            self.ids = next_ids(conn, tables)
        self._writer: Writer | None = None
        self.service = self.ref.dept["客服部"]
        self.clerks = [self.ref.user[u] for u in ("clerk", "employee") if u in self.ref.user]

    @property
    def writer(self) -> Writer:
        """Opened on the first write, once the session has let go of the database."""
        if self._writer is None:
            self.session.rollback()
            self._writer = Writer(self.engine)
        return self._writer

    def finish(self, *statements: Any) -> dict[str, int]:
        self.writer.finish()
        with self.engine.begin() as conn:
            self.numbers.save(conn)
            for statement in statements:
                conn.execute(statement)
        self.session.close()
        settle(self.engine)
        return self.writer.written


def populate(engine: Engine, rows: int, *, seed: int = 20261202,
             log: Callable[[str], None] = print) -> Loaded:
    """Write ``rows`` records into each big register, with their 办理时限 rows."""
    started = time.perf_counter()
    job = Load(engine, [CallRecord.__table__, RepairOrder.__table__, KeyLoan.__table__, DueItem.__table__],
                seed)
    call_first = write_calls(job, rows)
    log(f"  来电记录 {rows} 行")
    write_repairs(job, rows, call_first)
    log(f"  报修记录 {rows} 行(及办理时限)")
    open_keys = write_loans(job, rows)
    log(f"  钥匙借用 {rows} 行(及办理时限),{len(open_keys)} 把借出未还")
    written = job.finish(sa.update(Key).where(Key.id.in_(open_keys)).values(state="借出"))
    return Loaded(rows=rows, pending=0, seconds=time.perf_counter() - started, written=written)


def write_calls(job: Load, rows: int) -> int:
    """来电、来访咨询记录; returns the first id."""
    fake, ref, end = job.fake, job.ref, job.end
    first = None
    for batch in chunks(moments(rows, fake, end), BATCH):
        out = []
        for at in batch:
            kind, content = fake.matter()
            who = fake.rng.choice(job.clerks)
            closed = at + dt.timedelta(minutes=fake.rng.randint(5, 600))
            closed = closed if closed <= end and fake.rng.random() < 0.97 else None
            in_room = fake.rng.random() < 0.8
            recorded = min(at + dt.timedelta(minutes=2), end)
            out.append({
                "id": next(job.ids["call_records"]), "number": job.numbers.next(CallRecord, recorded),
                "recorded_at": recorded, "recorded_by_id": who, "department_id": job.service,
                "received_at": at, "channel": "来电" if fake.rng.random() < 0.85 else "来访",
                "caller": fake.name(), "phone": fake.phone(),
                "room_id": fake.rng.choice(ref.rooms) if in_room else None,
                "address": None if in_room else f"{fake.pick(ADDRESSES)}{fake.rng.randint(1, 99)}号",
                "matter_type": kind, "content": content, "first_responder_id": who,
                "result": "已答复并跟进办结" if closed else None, "closed_at": closed, "remarks": None,
            })
        first = first or out[0]["id"]
        add_search_text(CallRecord, out)
        job.writer.write(CallRecord.__table__, out)
    return first or 0


def write_repairs(job: Load, rows: int, call_first: int) -> None:
    """客服报修记录 and their 办理时限 (2% of the last OPEN_DAYS' never dispatched: open on the board)."""
    fake, ref, end = job.fake, job.ref, job.end
    engineers = [ref.user[u] for u in ("engineer", "head_eng") if u in ref.user]
    recent = end - dt.timedelta(days=OPEN_DAYS)
    for index, batch in enumerate(chunks(moments(rows, fake, end), BATCH)):
        out = []
        for at in batch:
            dispatched = at + dt.timedelta(minutes=fake.rng.choice((1, 2, 3, 3, 4, 4, 6, 9)))
            chance = fake.rng.random()
            open_ = (at > recent and chance < OPEN_SHARE) or dispatched > end
            done = dispatched + dt.timedelta(minutes=fake.rng.randint(30, 24 * 60))
            finished = not open_ and done <= end
            price = fake.rng.choice(ref.prices) if ref.prices and fake.rng.random() < 0.3 else (None, None)
            recorded = min(at + dt.timedelta(minutes=1), end)
            out.append({
                "id": next(job.ids["repair_orders"]), "number": job.numbers.next(RepairOrder, recorded),
                "recorded_at": recorded, "recorded_by_id": job.clerks[0], "department_id": job.service,
                "call_record_id": fake.rng.randrange(call_first, call_first + rows)
                if fake.rng.random() < 0.5 else None,
                "called_at": at, "resident": fake.name(), "room_id": fake.rng.choice(ref.rooms),
                "address": None, "phone": fake.phone(), "content": fake.pick(REPAIR_ITEMS),
                "appointment_at": None, "repair_price_id": price[0], "quoted_fee": price[1],
                "dispatched_at": None if open_ else dispatched,
                "engineer_id": None if open_ else fake.rng.choice(engineers),
                "done_at": done if finished else None, "result": fake.pick(RESULTS) if finished else None,
                "confirmed_by_id": job.clerks[0] if finished else None, "remarks": None,
            })
        if index == 0:
            check_title(RepairOrder, out[0], repair_title)
        add_search_text(RepairOrder, out)
        job.writer.write(RepairOrder.__table__, out)
        job.writer.write(DueItem.__table__, due_rows(RepairOrder, out, repair_title, job.ids["due_items"]))


def write_loans(job: Load, rows: int) -> list[int]:
    """钥匙借用记录表 and their 办理时限; the latest loans of a few keys are still out (returns those keys).
    2% are emergencies (跑水、漏电…) allowed by the head, as are loans of sealed keys."""
    fake, ref, end = job.fake, job.ref, job.end
    open_keys = ref.free_keys[: min(len(ref.free_keys) // 2, max(1, rows // 100))]
    depts = [ref.dept[d] for d in BORROWER_DEPTS if d in ref.dept]
    for index, batch in enumerate(chunks(enumerate(moments(rows, fake, end)), BATCH)):
        out = []
        for i, at in batch:
            tail = rows - i  # the most recent loans are the open ones, one per key
            still_out = tail <= len(open_keys)
            back = at + dt.timedelta(minutes=fake.rng.randint(20, 360))
            emergency = not still_out and fake.rng.random() < 0.02
            key = open_keys[tail - 1] if still_out else fake.rng.choice(ref.keys)
            out.append({
                "id": next(job.ids["key_loans"]), "number": job.numbers.next(KeyLoan, at), "recorded_at": at,
                "recorded_by_id": job.clerks[0], "department_id": job.service, "key_id": key,
                "borrower": fake.name(), "borrower_department_id": fake.rng.choice(depts),
                "borrower_phone": fake.phone(), "purpose": fake.pick(PURPOSES), "lent_at": at,
                "due_back_at": dt.datetime.combine(at.date(), dt.time(23, 59)),
                "returned_at": None if still_out else back,
                "return_condition": None if still_out else "完好",
                "received_back_by_id": None if still_out else job.clerks[0],
                "emergency": emergency, "emergency_type": fake.pick(EMERGENCIES) if emergency else None,
                "allowed_by_id": ref.user["head"] if emergency or key in ref.sealed_keys else None,
                "paperwork_done_at": back if emergency else None, "lost": False, "remarks": None,
            })
        if index == 0:
            check_title(KeyLoan, out[0], loan_title)
        add_search_text(KeyLoan, out, lambda row: {"key.label": ref.key_label[row["key_id"]]})
        job.writer.write(KeyLoan.__table__, out)
        job.writer.write(DueItem.__table__, due_rows(KeyLoan, out, loan_title, job.ids["due_items"]))
    return open_keys


def add_backlog(engine: Engine, pending: int, *, seed: int = 20261203,
                log: Callable[[str], None] = print) -> Loaded:
    """``pending`` approvals waiting for the head of 客服部 at the first step (待我审批): the emergency key
    loans, then leave requests and key-cut requests of the department's clerks, each submitted."""
    started = time.perf_counter()
    tables = [LeaveRequest.__table__, KeyCutRequest.__table__, Approval.__table__]
    with engine.begin() as conn:  # where the backlog starts, so that it can be taken away again
        BACKLOG.create(conn, checkfirst=True)
        firsts = [(t.name, (conn.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1) for t in tables]
        conn.execute(BACKLOG.insert(), [{"tbl": name, "first_id": first} for name, first in firsts])
    job = Load(engine, tables, seed)
    steps = StepCache(job.session, job.ref)
    fake, ref, end = job.fake, job.ref, job.end
    emergencies = job.session.execute(
        sa.select(KeyLoan.id, KeyLoan.borrower, KeyLoan.recorded_by_id, KeyLoan.department_id,
                  KeyLoan.recorded_at).where(KeyLoan.emergency.is_(True)).order_by(KeyLoan.id).limit(pending)
    ).mappings().all()
    approvals = [steps.approval("KeyLoan", row, row["borrower"], {"emergency": True}) for row in emergencies]
    leaves, cuts = [], []
    for i, at in enumerate(moments(pending - len(approvals), fake, end)):
        who = fake.rng.choice(job.clerks)
        base = {"recorded_at": at, "recorded_by_id": who, "department_id": job.service, "remarks": None}
        if i % 5 < 3:
            start = at.date() + dt.timedelta(days=fake.rng.randint(1, 14))
            days = fake.rng.choice((Decimal("0.5"), Decimal("1"), Decimal("1"), Decimal("2"), Decimal("3")))
            row = base | {"id": next(job.ids["leave_requests"]), "number": job.numbers.next(LeaveRequest, at),
                          "employee_id": who, "kind": fake.pick(("调休", "事假", "病假", "年假")),
                          "start_on": start, "end_on": start + dt.timedelta(days=max(0, int(days) - 1)),
                          "days": days, "reason": fake.pick(LEAVE_REASONS)}
            leaves.append(row)
            label = f"{ref.user_by_id[who].name} {start:%Y-%m-%d} {row['kind']}"
            if len(leaves) == 1:
                check_title(LeaveRequest, row, lambda _r, label=label: label, employee=ref.user_by_id[who])
            approvals.append(steps.approval("LeaveRequest", row, label, {"days": days}))
        else:
            row = base | {"id": next(job.ids["key_cut_requests"]),
                          "number": job.numbers.next(KeyCutRequest, at),
                          "key_id": fake.rng.choice(ref.keys), "reason": fake.pick(("丢失", "工作需要")),
                          "action": fake.pick(("增配", "更换")), "quantity": 1, "applicant": fake.name(),
                          "explanation": "钥匙磨损严重,开锁困难", "done_on": None}
            cuts.append(row)
            approvals.append(steps.approval("KeyCutRequest", row, row["applicant"], {}))
    job.writer.write(LeaveRequest.__table__, leaves)
    job.writer.write(KeyCutRequest.__table__, cuts)
    for approval in approvals:
        approval["id"] = next(job.ids["approvals"])
    job.writer.write(Approval.__table__, approvals)
    job.writer.write(ApprovalWait.__table__, waits_rows(approvals))
    log(f"  待审批 {len(approvals)} 张(钥匙紧急借用 {len(emergencies)}、请假单 {len(leaves)}、"
        f"配制钥匙 {len(cuts)})")
    written = job.finish()
    return Loaded(rows=0, pending=len(approvals), seconds=time.perf_counter() - started, written=written)


#: Where the backlog's rows start in each table (the first id it wrote).
BACKLOG = sa.Table("bench_backlog", sa.MetaData(), sa.Column("tbl", sa.String(60), primary_key=True),
                   sa.Column("first_id", sa.Integer))


def waits_rows(approvals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``approval_waits`` rows of these approvals, as ``approvals.sync_waits`` writes them."""
    return [{"approval_id": a["id"], "role": role, "register": a["register"], "record_id": a["record_id"],
             "department_id": a["waiting_department_id"], "applicant_id": a["applicant_id"]}
            for a in approvals for role in a["waiting_roles"].split("|") if role]


#: The due items ``reopen_overdue`` reopened and when they had been met, to put back.
REOPENED = sa.Table("bench_reopened", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("done_at", sa.DateTime))


def reopen_overdue(engine: Engine, *, seed: int = 20261204, share: float = OPEN_SHARE,
                   older_than: dt.timedelta = dt.timedelta(days=OPEN_DAYS)) -> int:
    """The overdue backlog of a centre whose daily review lapsed: 2% of the repair orders older than
    OPEN_DAYS get their dispatch deadline (接报5分钟内通知工程部) open again, so at 1M rows some 20,000 are
    已超时. Only the 办理时限 rows change (the pages measured with it read the deadline's state from them);
    ``restore_overdue`` puts them back. Returns how many were reopened."""
    items = DueItem.__table__
    rng = random.Random(seed)
    cutoff = now() - older_than
    with engine.begin() as conn:
        REOPENED.create(conn, checkfirst=True)
        done = conn.execute(sa.select(items.c.id, items.c.done_at).where(
            items.c.register == RepairOrder.__name__, items.c.done_at.is_not(None),
            items.c.starts_at < cutoff)).all()
        chosen = [{"id": i, "done_at": at} for i, at in done if rng.random() < share]
        for batch in chunks(chosen, BATCH):
            conn.execute(REOPENED.insert(), batch)
            conn.execute(items.update().where(items.c.id.in_([r["id"] for r in batch])).values(done_at=None))
    settle(engine)
    return len(chosen)


def restore_overdue(engine: Engine) -> None:
    """Close the due items ``reopen_overdue`` opened, as they were."""
    items = DueItem.__table__
    with engine.begin() as conn:
        REOPENED.create(conn, checkfirst=True)
        met = sa.select(REOPENED.c.done_at).where(REOPENED.c.id == items.c.id).scalar_subquery()
        conn.execute(items.update().where(items.c.id.in_(sa.select(REOPENED.c.id))).values(done_at=met))
        conn.execute(REOPENED.delete())


def remove_backlog(engine: Engine) -> None:
    """Take a previous run's backlogs away (``--reuse``); its numbers stay used."""
    restore_overdue(engine)
    with engine.begin() as conn:
        BACKLOG.create(conn, checkfirst=True)
        for name, first in conn.execute(sa.select(BACKLOG.c.tbl, BACKLOG.c.first_id)).all():
            table = Base.metadata.tables[name]
            if name == Approval.__tablename__:  # Core deletes do not cascade on SQLite
                conn.execute(ApprovalWait.__table__.delete().where(ApprovalWait.approval_id >= first))
            conn.execute(table.delete().where(table.c.id >= first))
        conn.execute(BACKLOG.delete())


def settle(engine: Engine) -> None:
    """PostgreSQL: what autovacuum does soon after a bulk load (statistics, visibility map).
    SQLite: nothing; the application never runs ANALYZE there."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")


class StepCache:
    """Approval rows as ``approvals.submit`` would write them, the chain's steps computed once per variant."""

    def __init__(self, session: Session, ref: Reference) -> None:
        self.session = session
        self.ref = ref
        self.cache: dict[tuple[str, tuple[Any, ...]], str] = {}
        self._prepare()

    def _prepare(self) -> None:
        models = {"KeyLoan": KeyLoan, "LeaveRequest": LeaveRequest, "KeyCutRequest": KeyCutRequest}
        variants = {"KeyLoan": [{"emergency": True}], "KeyCutRequest": [{}],
                    "LeaveRequest": [{"days": Decimal(d)} for d in ("0.5", "1", "2", "3")]}
        service = self.ref.dept["客服部"]
        for register, values_list in variants.items():
            chain = engine_approvals.chain_for(self.session, register)
            if chain is None:
                raise LookupError(f"审批链缺少 {register}:基础资料 20_chains.yaml 应有它")
            for values in values_list:
                record = models[register](department_id=service, **values)
                steps = engine_approvals.applicable_steps(self.session, chain,
                                                          engine_approvals.record_values(record))
                for step in steps:
                    step["department_id"] = engine_approvals.step_department(self.session, step, record,
                                                                             service)
                if not steps or "部门主管" not in steps[0]["roles"] or steps[0]["department_id"] != service:
                    raise AssertionError(f"{register} 的第一步不是客服部主管签字:{steps}")
                self.cache[(register, tuple(sorted(values.items())))] = json.dumps(steps, ensure_ascii=False)

    def approval(self, register: str, row: Any, label: str, values: dict[str, Any]) -> dict[str, Any]:
        steps_json = self.cache[(register, tuple(sorted(values.items())))]
        return {"register": register, "record_id": row["id"], "record_label": label[:200],
                "status": IN_PROGRESS, "round": 1, "step_index": 0, "steps_json": steps_json,
                **engine_approvals.waiting(json.loads(steps_json), 0, IN_PROGRESS, set()),
                "applicant_id": row["recorded_by_id"], "department_id": row["department_id"],
                "submitted_at": min(row["recorded_at"] + dt.timedelta(minutes=10), now()),
                "finished_at": None, "return_reason": None, "version": 1}


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
