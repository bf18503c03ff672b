"""A fresh database per backend and size: migrated and seeded as ``make run`` does, then bulk-loaded."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from admin_app import create_app, migrate
from admin_app.database import make_engine
from seed.loader import load

PG_DEFAULT = "postgresql://127.0.0.1:5432/test"
#: Marks a database whose bulk load finished (``--reuse`` takes it as it is).
READY_TABLE = "bench_ready"


def server_url() -> str:
    """The PostgreSQL server to create the benchmark databases on (its database is only the way in)."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT


def database_url(backend: str, rows: int, workdir: Path | None = None) -> str:
    name = f"kefu_bench_{rows}"
    if backend == "sqlite":
        folder = workdir or Path(tempfile.gettempdir())
        return f"sqlite:///{folder / (name + '.db')}"
    return str(sa.engine.make_url(server_url()).set(database=name))


def _admin(statement: str) -> None:
    engine = make_engine(server_url())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def drop(url: str) -> None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        _admin(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def is_ready(url: str) -> bool:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database).exists():
        return False
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            ready = sa.inspect(conn).has_table(READY_TABLE)
        engine.dispose()
        return ready
    except sa.exc.OperationalError:  # no such database
        return False


def template(backend: str, workdir: Path | None = None) -> str:
    """A database migrated and seeded like ``tests/conftest.py`` ``build()``, copied for each size."""
    url = database_url(backend, 0, workdir).replace("kefu_bench_0", "kefu_bench_template")
    drop(url)
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        _admin(f'CREATE DATABASE "{parsed.database}"')
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench"})
    engine = app.extensions["engine"]
    migrate.upgrade(engine)
    with app.app_context():
        load(app.extensions["db_session"])
        app.extensions["db_session"].remove()
    _checkpoint(engine)
    return url


def create(url: str, template_url: str, fill: Callable[[sa.engine.Engine], object]) -> None:
    """A fresh copy of the template at ``url``, filled by ``fill`` and marked ready."""
    drop(url)
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        shutil.copyfile(sa.engine.make_url(template_url).database, parsed.database)
    else:
        source = sa.engine.make_url(template_url).database
        _admin(f'CREATE DATABASE "{parsed.database}" TEMPLATE "{source}"')
    engine = make_engine(url)
    fill(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {READY_TABLE} (id INTEGER PRIMARY KEY)")
    _checkpoint(engine)


def _checkpoint(engine: sa.engine.Engine) -> None:
    """SQLite: fold the WAL into the database file (which may be copied), then let go of the engine."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
    engine.dispose()
