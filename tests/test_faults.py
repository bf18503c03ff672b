"""Faults: PostgreSQL dropping the app's connections costs no later request; a database that is gone gives
a clear Chinese 503 page; several processes writing one SQLite file at once all succeed."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from admin_app.database import make_engine, rebind
from admin_app.sessions import open_session
from models.front_desk import CallRecord
from models.reference import User

CALL = {"received_at": "2026-11-23 09:30:00", "channel": "来电", "caller": "欧阳伯伯", "phone": "13800001111",
        "matter_type": "咨询", "content": "问本月餐费"}


def test_requests_after_postgresql_dropped_the_connections_succeed(app: Flask, clerk: Any) -> None:
    url = app.config["DATABASE_URL"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    assert clerk.get("/admin/call_records/").status_code == 200  # the pool now holds a connection
    killer = make_engine(url)
    with killer.connect() as conn:
        killed = conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalars().all()
    killer.dispose()
    assert killed and all(killed)

    assert clerk.get("/admin/call_records/").status_code == 200
    assert clerk.post("/admin/call_records/new/", CALL).status_code == 302


def unreachable(url: str, tmp: Any) -> str:
    if url.startswith("postgresql"):
        return str(sa.engine.make_url(url).set(port=1))  # nothing listens there
    return f"sqlite:///{tmp}/no-such-directory/kefu.db"


def test_a_database_that_is_gone_gives_a_clear_503(app: Flask, clerk: Any, tmp_path: Any) -> None:
    rebind(app, unreachable(app.config["DATABASE_URL"], tmp_path))
    response = clerk.get("/admin/call_records/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "数据库暂时无法使用" in page and "请稍候片刻" in page
    assert "Traceback" not in page and "sqlalchemy" not in page.lower()


def _clerk_process(app: Flask, url: str, token: str, index: int, start: Any, results: Any) -> None:
    """One worker process (as under gunicorn): its own engine, its own client, five saves."""
    app.extensions["engine"].dispose(close=False)  # the parent's connections stay the parent's
    rebind(app, url)
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = token  # each worker its own signed-in session, as tests.conftest.as_user opens
        s["_fresh"] = True
    from tests.conftest import Browser

    browser = Browser(client)
    browser.token()
    start.wait()
    codes = [browser.post("/admin/call_records/new/", {**CALL, "caller": f"进程{index}-{n}"}).status_code
             for n in range(5)]
    results.put((index, codes))


def test_several_processes_writing_one_sqlite_file_all_succeed(app: Flask, session: Any) -> None:
    url = app.config["DATABASE_URL"]
    if not url.startswith("sqlite"):
        pytest.skip("SQLite only")
    clerk = session.scalar(sa.select(User).where(User.username == "clerk"))
    tokens = [open_session(session, clerk, "127.0.0.1", app.permanent_session_lifetime) for _ in range(4)]
    session.commit()
    before = session.scalar(sa.select(sa.func.count(CallRecord.id)))
    session.remove()
    app.extensions["engine"].dispose()  # nothing open is carried into the children
    context = multiprocessing.get_context("fork")
    workers = 4
    start = context.Barrier(workers)
    results = context.Queue()
    processes = [context.Process(target=_clerk_process, args=(app, url, tokens[i], i, start, results))
                 for i in range(workers)]
    for process in processes:
        process.start()
    outcome = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    assert outcome == {i: [302] * 5 for i in range(workers)}
    assert [p.exitcode for p in processes] == [0] * workers
    numbers = session.scalars(sa.select(CallRecord.number).where(CallRecord.caller.like("进程%"))).all()
    assert len(set(numbers)) == workers * 5
    assert session.scalar(sa.select(sa.func.count(CallRecord.id))) == before + workers * 5
