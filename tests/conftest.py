"""Fixtures: a migrated, seeded database per backend, copied fresh for every test; a client per role.

SQLite always runs. PostgreSQL runs when ``TEST_DATABASE_URL`` is set or a server answers on
127.0.0.1:5432 (database ``test``); with ``CI=true`` it is required.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from admin_app import create_app, migrate
from admin_app.database import make_engine, rebind
from admin_app.sessions import open_session
from models.reference import User
from seed.loader import load

PG_DEFAULT = "postgresql://127.0.0.1:5432/test"
PASSWORD = "demo12345"


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
    except OSError:
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI=true 时必须有 PostgreSQL(127.0.0.1:5432 或 TEST_DATABASE_URL)") from None
        return None
    return PG_DEFAULT


BACKENDS = ["sqlite"] + (["postgresql"] if postgres_url() else [])
_counter = itertools.count()


def _with_database(url: str, name: str) -> str:
    return str(sa.engine.make_url(url).set(database=name))


def _admin_execute(url: str, statement: str) -> None:
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def _drop_orphans(base: str) -> None:
    """Databases left by an interrupted run (their process is gone) would pile up on the server."""
    engine = make_engine(base)
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE 'kefu_%'")).scalars()
        orphans = [n for n in names if (m := re.match(r"kefu_(?:tpl|t)_(\d+)", n)) and not _alive(int(m[1]))]
    engine.dispose()
    for name in orphans:
        _admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build(url: str) -> None:
    """Migrate and seed a database the way `make run` does."""
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    migrate.upgrade(app.extensions["engine"])
    with app.app_context():
        load(app.extensions["db_session"])
    engine = app.extensions["engine"]
    if engine.dialect.name == "sqlite":  # fold the WAL into the file that tests copy
        raw = engine.raw_connection()
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def template_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        build(f"sqlite:///{path}")
        yield str(path)
        return
    base = postgres_url()
    assert base
    name = f"kefu_tpl_{os.getpid()}"
    _drop_orphans(base)
    _admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_execute(base, f'CREATE DATABASE "{name}"')
    build(_with_database(base, name))
    yield name
    _admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(template_db: str, tmp_path: Path) -> Iterator[str]:
    if template_db.endswith(".db"):
        copy = tmp_path / "kefu.db"
        shutil.copyfile(template_db, copy)
        yield f"sqlite:///{copy}"
        return
    base = postgres_url()
    assert base
    name = f"kefu_t_{os.getpid()}_{next(_counter)}"
    _admin_execute(base, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield _with_database(base, name)
    _admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def shared_app(template_db: str) -> Iterator[Flask]:
    """One app per backend: building ~100 generated views costs seconds, a database copy does not."""
    app = create_app({"DATABASE_URL": "sqlite://", "TESTING": True, "SECRET_KEY": "test-secret"})
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def app(shared_app: Flask, db_url: str) -> Iterator[Flask]:
    rebind(shared_app, db_url)
    yield shared_app
    shared_app.extensions["db_session"].remove()
    shared_app.extensions["engine"].dispose()


@pytest.fixture
def session(app: Flask) -> Any:
    """The app's scoped session, used from the test between requests.

    No app context is held open: requests must get their own, or ``g`` (permissions,
    CSRF token) would leak from one request to the next.
    """
    return app.extensions["db_session"]


class Browser:
    """A test client that knows its CSRF token, as a real browser's page would."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            response = self.client.get("/login")
            if response.status_code == 302:  # signed in: the navbar's logout form carries it
                response = self.client.get("/admin/")
            page = response.get_data(as_text=True)
            match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
            assert match, "page carries no CSRF token"
            self._token = match.group(1)
        return self._token

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Any:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        response = self.client.post(url, data=data, **kwargs)
        if url.split("?")[0] in ("/login", "/logout") and response.status_code == 302:
            self._token = None  # signing in or out starts a new session, with a new CSRF token
        return response

    def login(self, username: str, password: str = PASSWORD) -> Any:
        return self.post("/login", {"username": username, "password": password})


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def as_user(app: Flask) -> Any:
    """``as_user("clerk")``: a browser signed in as that demo user, without the login form.

    Flask-Login's session contract, holding a server-side session's token as the login page does.
    """

    def sign_in(username: str) -> Browser:
        client = app.test_client()
        with app.app_context():
            db = app.extensions["db_session"]
            user = db.scalar(sa.select(User).where(User.username == username))
            assert user is not None, f"no demo user {username}"
            token = open_session(db, user, "127.0.0.1", app.permanent_session_lifetime)
            db.commit()
        with client.session_transaction() as s:
            s["_user_id"] = token
            s["_fresh"] = True
        return Browser(client)

    return sign_in


# One fixture per role, for tests that read better with names.
@pytest.fixture
def clerk(as_user: Any) -> Browser:
    return as_user("clerk")


@pytest.fixture
def head(as_user: Any) -> Browser:
    return as_user("head")


@pytest.fixture
def it_admin(as_user: Any) -> Browser:
    return as_user("it")


@pytest.fixture
def accountant(as_user: Any) -> Browser:
    return as_user("accountant")


@pytest.fixture
def dietitian(as_user: Any) -> Browser:
    return as_user("dietitian")


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    base = postgres_url()
    assert base
    name = f"kefu_t_{os.getpid()}_migration"
    _admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_execute(base, f'CREATE DATABASE "{name}"')
    yield _with_database(base, name)
    _admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
