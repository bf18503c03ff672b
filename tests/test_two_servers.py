"""Two app servers behind one (imagined) load balancer share nothing but the database.

Two gunicorn instances (2 workers each, production configuration, one SECRET_KEY) serve one fresh
PostgreSQL database; users sign in through the login form and post at both at once. A session and
the login throttle's counts hold on both servers, numbers stay unique and consecutive, and a step
signed from both servers at once gets one signature. PostgreSQL only: SQLite is one file on one
machine, never shared by servers.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from admin_app.database import make_engine
from bench.client import Browser, Page
from bench.servers import Server, new_secret_key
from models.approval import Approval, Signature
from models.front_desk import CallRecord
from models.reference import User
from tests.conftest import _admin_execute, _with_database, build, postgres_url

#: Every wait is bounded: a request, a server's start, the threads of a burst.
REQUEST_TIMEOUT = 60
BURST_TIMEOUT = 180
CLERKS_PER_SERVER = 4
SAVES_PER_CLERK = 5


def reachable(url: str) -> bool:
    try:
        engine = make_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    base = postgres_url()
    if base is None or not reachable(base):
        pytest.skip("PostgreSQL 不可用(127.0.0.1:5432 或 TEST_DATABASE_URL):"
                    "两台服务器共用的数据库只能是 PostgreSQL")
    name = f"kefu_two_servers_{secrets.token_hex(4)}"
    _admin_execute(base, f'CREATE DATABASE "{name}"')
    try:
        url = _with_database(base, name)
        build(url)  # migrated and seeded as the fixtures and `make run` do, demo users included
        yield url
    finally:
        _admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def servers(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    folder = tmp_path_factory.mktemp("two_servers")
    key = new_secret_key()  # one key for both: either server must read the other's cookies
    pair = [Server(database, secret_key=key, workers=2, log=folder / f"gunicorn-{i}.log",
                   instance=folder / "instance") for i in range(2)]
    try:
        for server in pair:
            server.start()
        for server in pair:
            server.wait_ready(timeout=120)
        yield pair
    finally:
        for server in pair:
            server.stop()


@pytest.fixture
def db(database: str) -> Iterator[Any]:
    engine = make_engine(database)
    with sa.orm.Session(engine) as session:
        yield session
    engine.dispose()


def signed_in(server: Server, username: str) -> Browser:
    browser = Browser(server.base, timeout=REQUEST_TIMEOUT)
    browser.login(username)  # the real form: CSRF token from the page, throttle, server-side session
    return browser


def at_once(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run the tasks in threads released together; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(tasks), timeout=BURST_TIMEOUT)
    results: list[Any] = [None] * len(tasks)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = tasks[i]()
        except Exception as exc:  # reported by the assertion below, with the others
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BURST_TIMEOUT)
    assert not any(t.is_alive() for t in threads), f"requests still running after {BURST_TIMEOUT} s"
    failures = [r for r in results if isinstance(r, Exception)]
    assert not failures, failures
    return results


def logs(servers: list[Server]) -> str:
    return "\n".join(f"--- {s.base}\n{s.log_tail(1500)}" for s in servers)


def assert_no_errors_logged(servers: list[Server]) -> None:
    for server in servers:
        text = server.log_tail(10**7)
        assert "Traceback" not in text and "ERROR" not in text, text[-3000:]


def test_both_servers_answer_a_signed_in_user_of_either(servers: list[Server]) -> None:
    # Signed in on one server, the same cookie is a signed-in session on the other.
    browser = signed_in(servers[0], "clerk")
    other = Browser(servers[1].base, timeout=REQUEST_TIMEOUT)
    other.cookies = dict(browser.cookies)
    page = other.get("/admin/call_records/")
    assert page.status == 200 and "龚小聪" in page.text, logs(servers)


def test_failed_logins_on_either_server_count_together(servers: list[Server]) -> None:
    # Five wrong passwords, alternating between the servers, lock the account on both.
    for i in range(5):
        page = Browser(servers[i % 2].base, timeout=REQUEST_TIMEOUT).post(
            "/login", {"username": "nurse", "password": "wrong-password"})
        assert page.status == 200 and "登录名或密码不正确" in page.text
    for server in servers:
        page = Browser(server.base, timeout=REQUEST_TIMEOUT).post("/login", {"username": "nurse",
                                                                             "password": "demo12345"})
        assert page.status == 429 and "已暂时锁定" in page.text


def test_clerks_on_both_servers_saving_at_once_get_unique_consecutive_numbers(
        servers: list[Server], db: Any) -> None:
    clerks = [signed_in(server, "clerk") for server in servers for _ in range(CLERKS_PER_SERVER)]
    marker = f"并发{secrets.token_hex(3)}"

    def saves(i: int, clerk: Browser) -> list[int]:
        codes = []
        for n in range(SAVES_PER_CLERK):
            page = clerk.post("/admin/call_records/new/", {
                "received_at": "2026-11-23 09:30:00", "channel": "来电", "caller": f"{marker}-{i}-{n}",
                "phone": "13800001111", "matter_type": "咨询", "content": "问本月餐费"})
            codes.append(page.status)
        return codes

    codes = at_once([lambda i=i, c=c: saves(i, c) for i, c in enumerate(clerks)])
    assert all(code == 302 for batch in codes for code in batch), (codes, logs(servers))
    numbers = db.scalars(sa.select(CallRecord.number).where(CallRecord.caller.like(f"{marker}-%"))).all()
    assert len(numbers) == len(clerks) * SAVES_PER_CLERK  # every save is a record
    assert len(set(numbers)) == len(numbers)  # no number given twice
    days: dict[str, list[int]] = {}
    for number in numbers:
        prefix, sequence = re.fullmatch(r"(XST-HD-KF-002-\d{8})-(\d{3,})", number).groups()
        days.setdefault(prefix, []).append(int(sequence))
    for sequences in days.values():  # one day, unless the run crosses midnight
        assert sorted(sequences) == list(range(min(sequences), min(sequences) + len(sequences))), sequences
    assert_no_errors_logged(servers)


def leave_request(employee: Browser, db: Any) -> int:
    """A one-day leave of ``employee``, submitted: its first (and only) step waits for 客服部's head."""
    me = db.scalar(sa.select(User.id).where(User.username == "employee"))
    page = employee.post("/admin/leave_requests/new/", {
        "employee": str(me), "kind": "事假", "days": "1", "start_on": "2026-12-01", "end_on": "2026-12-01",
        "reason": "家中有事", "_continue_editing": "1"})
    assert page.status == 302, page.text[-1500:]
    record_id = int(re.search(r"[?&]id=(\d+)", page.location).group(1))
    submitted = employee.post(f"/admin/leave_requests/approval/submit/?id={record_id}", follow=True)
    assert submitted.status == 200 and "已提交审批" in submitted.text, submitted.text[-1500:]
    return record_id


def approval_of(db: Any, record_id: int) -> Approval:
    db.expire_all()
    return db.scalars(sa.select(Approval).where(Approval.register == "LeaveRequest",
                                                Approval.record_id == record_id)).one()


@pytest.mark.parametrize("way", ["details", "inbox"])
def test_heads_signing_one_step_from_both_servers_at_once_yield_one_signature(
        servers: list[Server], db: Any, way: str) -> None:
    # A second head of 客服部 (head_eng moved there), so two people as well as two sessions race.
    head = db.scalars(sa.select(User).where(User.username == "head")).one()
    db.execute(sa.update(User).where(User.username == "head_eng").values(department_id=head.department_id))
    db.commit()
    employee = signed_in(servers[0], "employee")
    heads = [signed_in(server, name) for server in servers for name in ("head", "head_eng")]
    for _ in range(3):
        record_id = leave_request(employee, db)
        approval_id = approval_of(db, record_id).id

        def sign(browser: Browser, record_id: int = record_id, approval_id: int = approval_id) -> Page:
            if way == "details":  # the details page's form: no version, the engine's compare-and-set decides
                return browser.post(f"/admin/leave_requests/approval/decide/?id={record_id}",
                                    {"decision": "同意"}, follow=True)
            return browser.post("/admin/inbox/", [("approval", approval_id), ("decision", "同意")],
                                follow=True)

        pages = at_once([lambda b=b: sign(b) for b in heads])
        assert all(p.status in (200, 403) for p in pages), ([p.status for p in pages], logs(servers))
        success = "已签字。" if way == "details" else "已同意 1 张单据"
        assert sum(success in p.text for p in pages) == 1, [p.text[-800:] for p in pages]
        approval = approval_of(db, record_id)
        count = db.scalar(sa.select(sa.func.count(Signature.id)).where(Signature.approval_id == approval.id))
        assert (approval.status, count) == ("已批准", 1)
    assert_no_errors_logged(servers)
