"""``python -m bench.traffic [--seconds 60] [--users 8] [--database-url URL] [--json]``: mixed traffic.

Issue #7's load test: gunicorn (2 workers, production configuration) on the loopback against a
PostgreSQL database, and N simulated users, each a thread signed in through the login form, who
keep asking with no pause for what the service desk does all day:

- list pages of the big registers (来电、报修、钥匙借用, the first page or one a little further);
- searches of calls and repairs by a caller's name;
- saves: a call record's edit form, then the form posted back with a new remark;
- approvals: a clerk's leave request created and submitted, and the head approving one from 待我审批.

Each kind is reported with its requests, throughput, median and p95 latency and errors (an
exception, a timeout or an unexpected status: every kind has the one it must answer). The default
database is fresh: migrated and seeded as ``make run`` does, filled by :mod:`bench.load` with N calls,
repairs and key loans and a backlog of approvals for the head, dropped at the end (``--keep``).
The client threads run on the same machine as the servers and the database: on a small machine
they take their share of the CPU, which the report's numbers include.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from admin_app import create_app, migrate
from admin_app.database import make_engine
from bench import database, load
from bench.client import Browser, Page, form_fields, replace
from bench.fake import LEAVE_REASONS, Fake
from bench.servers import Server, new_secret_key
from models.approval import Signature
from models.front_desk import CallRecord
from models.reference import User
from models.staff import LeaveRequest
from seed.loader import load as seed

#: What the simulated users do, with the weight of each action (an action is one or two requests).
ACTIONS = {"list": 35, "search": 20, "save": 20, "submit": 12, "approve": 13}
#: The report's rows: each request kind, in the order of a working day.
KINDS = {"list": "列表页", "search": "搜索", "edit": "编辑页", "save": "保存", "create": "新建请假单",
         "submit": "提交审批", "inbox": "待我审批", "approve": "同意"}
LISTS = ("/admin/call_records/", "/admin/repair_orders/", "/admin/key_loans/")
SEARCHED = ("/admin/call_records/", "/admin/repair_orders/")
APPROVAL_ID = re.compile(r'name="approval"[^>]*value="(\d+)"')
REQUEST_TIMEOUT = 60


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.traffic", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="how long the traffic runs (default 60)")
    parser.add_argument("--users", type=int, default=8, help="concurrent simulated users (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--database-url", help="a PostgreSQL database already migrated and seeded with the "
                                               "demo accounts; the run writes into it (default: a fresh one)")
    parser.add_argument("--rows", type=int, default=10_000,
                        help="calls, repairs and key loans in the fresh database (default 10000)")
    parser.add_argument("--pending", type=int, default=1_000,
                        help="approvals waiting for the head in the fresh database (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the users' choices")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database (kefu_load_<pid>)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.users < 1 or args.workers < 1:
        parser.error("--seconds, --users and --workers must be positive")
    return args


# ---------------------------------------------------------------- the database


def _admin(statement: str) -> None:
    engine = make_engine(database.server_url())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def fresh_database(rows: int, pending: int) -> str:
    """``kefu_load_<pid>`` on the benchmark's server: migrated, seeded, bulk-loaded."""
    url = str(sa.engine.make_url(database.server_url()).set(database=f"kefu_load_{os.getpid()}"))
    database.drop(url)
    _admin(f'CREATE DATABASE "{sa.engine.make_url(url).database}"')
    try:
        app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "load"})
        migrate.upgrade(app.extensions["engine"])
        with app.app_context():
            seed(app.extensions["db_session"])
            app.extensions["db_session"].remove()
        app.extensions["engine"].dispose()
        engine = make_engine(url)
        load.populate(engine, rows, log=log)
        if pending:
            load.add_backlog(engine, pending, log=log)
        engine.dispose()
    except BaseException:
        database.drop(url)
        raise
    return url


@dataclass
class Facts:
    """What the users need to know of the database, and what the report says of it."""

    call_ids: tuple[int, int]
    employee_id: int
    calls: int
    server_version: str


def facts(url: str) -> Facts:
    engine = make_engine(url)
    with engine.connect() as conn:
        low, high, count = conn.execute(sa.select(sa.func.min(CallRecord.id), sa.func.max(CallRecord.id),
                                                  sa.func.count(CallRecord.id))).one()
        employee = conn.scalar(sa.select(User.id).where(User.username == "employee"))
        if conn.dialect.name == "postgresql":
            version = "PostgreSQL " + str(conn.exec_driver_sql("SHOW server_version").scalar())
        else:
            version = f"{conn.dialect.name} {conn.dialect.server_version_info}"
    engine.dispose()
    if not count or employee is None:
        raise SystemExit(f"{url}:没有来电记录或演示账号 employee。请先迁移并导入演示数据(flask seed)。")
    return Facts((low, high), employee, count, str(version))


def written(url: str) -> dict[str, int]:
    """Rows the users' posts add: counted before and after the run, to tell posts from effects."""
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {"signatures": conn.scalar(sa.select(sa.func.count(Signature.id))) or 0,
               "leave_requests": conn.scalar(sa.select(sa.func.count(LeaveRequest.id))) or 0}
    engine.dispose()
    return out


# ---------------------------------------------------------------- the users


@dataclass
class Sample:
    kind: str
    seconds: float
    error: str | None = None
    conflict: bool = False


@dataclass
class Samples:
    items: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.items.append(sample)


class Desk:
    """One simulated user: signed in as a clerk (lists, searches, saves), as an employee (leave
    requests) and as the head of 客服部 (approvals), as the desk's people would be at once."""

    def __init__(self, base: str, number: int, facts: Facts, samples: Samples, rng_seed: int) -> None:
        self.number, self.facts, self.samples = number, facts, samples
        self.rng = random.Random(rng_seed)
        self.fake = Fake(rng_seed)
        self.clerk, self.employee, self.head = (Browser(base, timeout=REQUEST_TIMEOUT) for _ in range(3))

    def sign_in(self) -> None:
        self.clerk.login("clerk")
        self.employee.login("employee")
        self.head.login("head")
        for browser in (self.clerk, self.employee, self.head):
            browser.token()  # the CSRF token of the new session, fetched outside the measured time

    def run(self, start: threading.Barrier, stop: threading.Event) -> None:
        actions = {"list": self.list, "search": self.search, "save": self.save, "submit": self.submit,
                   "approve": self.approve}
        names, weights = list(ACTIONS), list(ACTIONS.values())
        start.wait()
        while not stop.is_set():
            actions[self.rng.choices(names, weights)[0]]()

    def request(self, kind: str, send: Callable[[], Page], expected: int) -> Page | None:
        """One timed request; an exception or another status than ``expected`` is an error."""
        started = time.perf_counter()
        try:
            page = send()
        except Exception as exc:
            self.samples.add(Sample(kind, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"))
            return None
        conflict = kind == "save" and page.status == 200 and "这条记录在您打开之后已被" in page.text
        error = None if page.status == expected or conflict else f"HTTP {page.status} {_title(page.text)}"
        self.samples.add(Sample(kind, page.seconds, error, conflict))
        return None if error else page

    def list(self) -> None:
        path = self.rng.choice(LISTS)
        if self.rng.random() < 0.3:
            path += f"?page={self.rng.randint(1, 20)}"
        self.request("list", lambda: self.clerk.get(path), 200)

    def search(self) -> None:
        path = f"{self.rng.choice(SEARCHED)}?search={quote(self.fake.name()[:1 + self.rng.randint(0, 1)])}"
        self.request("search", lambda: self.clerk.get(path), 200)

    def save(self) -> None:
        url = f"/admin/call_records/edit/?id={self.rng.randint(*self.facts.call_ids)}"
        page = self.request("edit", lambda: self.clerk.get(url), 200)
        if page is None:
            return
        fields = replace(form_fields(page.text), remarks=f"负载测试 {self.number}-{time.time():.0f}")
        self.request("save", lambda: self.clerk.post(url, fields), 302)

    def submit(self) -> None:
        start = f"2027-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        form = {"employee": str(self.facts.employee_id), "kind": "事假",
                "days": self.rng.choice(("0.5", "1")), "start_on": start, "end_on": start,
                "reason": self.fake.pick(LEAVE_REASONS),
                "_continue_editing": "1"}  # the answer then names the new record's id
        page = self.request("create", lambda: self.employee.post("/admin/leave_requests/new/", form), 302)
        found = re.search(r"[?&]id=(\d+)", page.location) if page else None
        if found:
            url = f"/admin/leave_requests/approval/submit/?id={found.group(1)}"
            self.request("submit", lambda: self.employee.post(url), 302)

    def approve(self) -> None:
        page = self.request("inbox", lambda: self.head.get("/admin/inbox/"), 200)
        waiting = APPROVAL_ID.findall(page.text) if page else []
        if waiting:  # one of the first rows, as a head works down the list
            form = [("approval", self.rng.choice(waiting[:20])), ("decision", "同意")]
            self.request("approve", lambda: self.head.post("/admin/inbox/", form), 302)


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    return " ".join(found.group(1).split())[:80] if found else ""


# ---------------------------------------------------------------- the report


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(samples: list[Sample], seconds: float) -> dict[str, Any]:
    times = [s.seconds * 1000 for s in samples]
    return {"requests": len(samples), "rps": round(len(samples) / seconds, 2) if seconds else 0.0,
            "median_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(percentile(times, 0.95), 1) if times else None,
            "errors": sum(s.error is not None for s in samples),
            "conflicts": sum(s.conflict for s in samples)}


def report(samples: list[Sample], seconds: float) -> dict[str, Any]:
    kinds = {kind: summary([s for s in samples if s.kind == kind], seconds) for kind in KINDS}
    return {"kinds": kinds, "overall": summary(samples, seconds)}


def table(result: dict[str, Any]) -> list[str]:
    def row(label: str, r: dict[str, Any]) -> str:
        median = f"{r['median_ms']:.1f}" if r["median_ms"] is not None else "—"
        p95 = f"{r['p95_ms']:.1f}" if r["p95_ms"] is not None else "—"
        return f"| {label} | {r['requests']} | {r['rps']:.1f} | {median} | {p95} | {r['errors']} |"

    lines = ["| 请求 | 次数 | 吞吐(次/秒) | 中位数 ms | p95 ms | 错误 |", "|---|---:|---:|---:|---:|---:|"]
    lines += [row(f"{label}({kind})", result["kinds"][kind]) for kind, label in KINDS.items()]
    lines.append(row("**合计**", result["overall"]))
    return lines


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for package in ("gunicorn", "flask", "sqlalchemy", "psycopg"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "?"
    return out


# ---------------------------------------------------------------- the run


def drive(server: Server, facts: Facts, args: argparse.Namespace) -> tuple[list[Sample], float]:
    samples = Samples()
    users = [Desk(server.base, i, facts, samples, args.seed * 1000 + i) for i in range(args.users)]
    log(f"signing {len(users)} users in (clerk, employee, head each) …")
    for user in users:
        user.sign_in()
    for user in users:  # every worker past its first request before the clock starts
        user.clerk.get(LISTS[0])
    start, stop = threading.Barrier(len(users) + 1, timeout=120), threading.Event()
    threads = [threading.Thread(target=u.run, args=(start, stop), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.monotonic()
    log(f"traffic for {args.seconds:.0f} s …")
    stop.wait(args.seconds)
    stop.set()
    for thread in threads:  # a request in flight at the deadline still finishes, within its timeouts
        thread.join(REQUEST_TIMEOUT * 2 + 5)
    stuck = sum(t.is_alive() for t in threads)
    if stuck:
        log(f"{stuck} users still waiting for an answer; left behind")
    return list(samples.items), time.monotonic() - started


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    url = args.database_url
    made = None
    if url is None:
        log(f"a fresh database: migrate, seed, {args.rows:,} rows per register, {args.pending:,} pending …")
        url = made = fresh_database(args.rows, args.pending)
    workdir = Path(tempfile.mkdtemp(prefix="kefu_load_"))
    server = Server(url, secret_key=new_secret_key(), workers=args.workers, log=workdir / "gunicorn.log",
                    instance=workdir / "instance")
    try:
        known = facts(url)
        log(f"gunicorn, {args.workers} workers, on {server.base} …")
        before = written(url)
        with server:
            samples, seconds = drive(server, known, args)
            server_errors = server.log_tail(10**7).count("Traceback")
        after = written(url)
    finally:
        if made and not args.keep:
            database.drop(made)
    load1, load5, _ = os.getloadavg()
    result = report(samples, seconds)
    result["info"] = {
        "date": time.strftime("%Y-%m-%d %H:%M"), "machine": platform.node(), "cpus": os.cpu_count(),
        "users": args.users, "workers": args.workers, "seconds": round(seconds, 1),
        "database": sa.engine.make_url(url).render_as_string(hide_password=True),
        "database_server": known.server_version, "call_records": known.calls, "versions": versions(),
        "load_average": [round(load1, 2), round(load5, 2)], "server_tracebacks": server_errors,
        "server_log": str(server.log), "written": {k: after[k] - before[k] for k in after}}
    errors = [s.error for s in samples if s.error]
    for error in sorted(set(errors))[:10]:
        log(f"  error ×{errors.count(error)}: {error}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    info = result["info"]
    v = info["versions"]
    print(f"# python -m bench.traffic — {info['date']}, {info['machine']}: {info['cpus']} CPUs, load average "
          f"{load1:.1f} / {load5:.1f} at the end")
    print(f"\n{args.users} 个并发用户,gunicorn {v['gunicorn']} {args.workers} 个工作进程,"
          f"{info['seconds']} 秒;{known.server_version},来电记录 {known.calls:,} 条;Python {v['python']}、"
          f"Flask {v['flask']}、SQLAlchemy {v['sqlalchemy']}、psycopg {v['psycopg']}\n")
    print("\n".join(table(result)))
    conflicts = result["kinds"]["save"]["conflicts"]
    added = info["written"]
    print(f"\n新建请假单 {added['leave_requests']} 张;「同意」{result['kinds']['approve']['requests']} 次,"
          f"记下签字 {added['signatures']} 个(少了的是几位用户同时同意了同一张,按设计只签一次)。")
    print(f"保存时记录已被他人改过(按设计拒绝,不算错误):{conflicts} 次;"
          f"服务器日志中的 Traceback:{server_errors} 个")


if __name__ == "__main__":
    main()
