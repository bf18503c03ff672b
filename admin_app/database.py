"""One engine and one request-scoped session per app."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session, sessionmaker


def make_engine(url: str) -> Engine:
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 15}
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgresql"):
        # Short queries only: JIT's compile time (300 ms for the board's scoped counts, whose cost
        # estimate crosses jit_above_cost) would dwarf the query it speeds up.
        options["connect_args"] = {"options": "-c jit=off"}
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


#: Execution option of a connection that only reads (a streamed export): its transaction takes no lock,
#: and WAL lets writers go on beside it.
READ_ONLY = "kefu_read_only"


def _sqlite_begin(connection: Any) -> None:
    # Take the write lock up front: a deferred transaction that reads and then writes fails at
    # once with "database is locked" when another writer holds it, busy_timeout or not.
    connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY)
                               else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, marks where transactions begin: otherwise a SAVEPOINT
    # opened outside a transaction commits on RELEASE (SQLAlchemy docs, "pysqlite savepoints").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def init_app(app: Flask) -> scoped_session:
    engine = make_engine(app.config["DATABASE_URL"])
    session = scoped_session(sessionmaker(bind=engine, expire_on_commit=False))
    app.extensions["engine"] = engine
    app.extensions["db_session"] = session

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        session.remove()

    return session


def rebind(app: Flask, url: str) -> None:
    """Point the app at another database (tests give each test its own copy)."""
    session: scoped_session = app.extensions["db_session"]
    session.remove()
    app.extensions["engine"].dispose()
    engine = make_engine(url)
    session.configure(bind=engine)
    app.extensions["engine"] = engine
    app.config["DATABASE_URL"] = url


def db_session(app: Flask) -> scoped_session:
    return app.extensions["db_session"]
