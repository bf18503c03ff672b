"""`flask backup`: a checked, consistent copy of SQLite (even while a clerk is saving), pg_dump for
PostgreSQL, never overwriting a file."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask


def sqlite_only(app: Flask) -> str:
    url = app.config["DATABASE_URL"]
    if not url.startswith("sqlite"):
        pytest.skip("SQLite only")
    return url.removeprefix("sqlite:///")


def backup(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["backup", *args])


def rows(path: Path, sql: str) -> list[Any]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_sqlite_backup_is_a_checked_copy_with_the_rows(app: Flask, tmp_path: Path) -> None:
    source = sqlite_only(app)
    target = tmp_path / "copy.db"
    result = backup(app, str(target))
    assert result.exit_code == 0, result.output
    assert f"已备份到 {target}(完整性检查通过)" in result.output
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert rows(target, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert rows(target, "SELECT username FROM users ORDER BY id") == rows(
        Path(source), "SELECT username FROM users ORDER BY id")
    assert ("clerk",) in rows(target, "SELECT username FROM users")


def test_sqlite_backup_goes_to_instance_backups_by_default(app: Flask, tmp_path: Path,
                                                           monkeypatch: Any) -> None:
    sqlite_only(app)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = backup(app)
    assert result.exit_code == 0, result.output
    [copy] = (tmp_path / "backups").iterdir()
    assert re.fullmatch(r"kefu-\d{8}-\d{6}\.db", copy.name)
    assert str(copy) in result.output


def test_sqlite_backup_taken_during_a_write_transaction_is_consistent(app: Flask, tmp_path: Path) -> None:
    source = sqlite_only(app)
    writer = sqlite3.connect(source, isolation_level=None, timeout=15)
    writer.execute("BEGIN IMMEDIATE")  # a clerk's save in progress holds the write lock
    writer.execute("INSERT INTO departments (name) VALUES ('备份时还没提交的部门')")
    try:
        result = backup(app, str(tmp_path / "copy.db"))
        assert result.exit_code == 0, result.output
    finally:
        writer.execute("COMMIT")  # the save was not held up by the backup
        writer.close()
    copy = tmp_path / "copy.db"
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    pending = "SELECT count(*) FROM departments WHERE name = '备份时还没提交的部门'"
    assert rows(copy, pending) == [(0,)]
    assert rows(copy, "SELECT count(*) FROM departments")[0][0] > 0
    assert rows(Path(source), pending) == [(1,)]


def test_backup_never_overwrites_a_file(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "kept.db"
    target.write_bytes(b"an earlier backup")
    result = backup(app, str(target))
    assert result.exit_code != 0
    assert "已存在,不会覆盖" in result.output
    assert target.read_bytes() == b"an earlier backup"


def test_postgresql_backup_runs_pg_dump(app: Flask, tmp_path: Path) -> None:
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump / pg_restore are not installed")
    target = tmp_path / "kefu.dump"
    result = backup(app, str(target))
    assert result.exit_code == 0, result.output
    listed = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True)
    assert "TABLE public call_records" in listed.stdout
    assert "TABLE DATA public users" in listed.stdout
