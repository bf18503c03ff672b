"""``flask --app admin_app backup [PATH]``: a consistent copy of the database, checked before it is kept.

SQLite: the sqlite3 backup API copies the file page by page inside one read transaction, so a clerk saving
at that moment neither waits nor lands half in the copy; the copy is then checked with
``PRAGMA integrity_check``. PostgreSQL: ``pg_dump -Fc`` when it is on PATH (checked with
``pg_restore --list``), otherwise the command says how to run it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from admin_app.clock import now


class BackupError(click.ClickException):
    """A backup that could not be written or did not check out; the message says why, in Chinese."""


def backup_sqlite(source: str, target: Path) -> None:
    """Copy the SQLite database ``source`` to ``target`` and check the copy; nothing is left on failure."""
    if not source or source == ":memory:" or not Path(source).is_file():
        raise BackupError(f"找不到 SQLite 数据库文件「{source}」。")
    partial = target.with_name(target.name + ".part")
    src = sqlite3.connect(source, timeout=15)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # every page in one step: one read transaction, a consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
            result = [row[0] for row in dst.execute("PRAGMA integrity_check")]
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"备份失败:{exc}") from exc
    finally:
        src.close()
    if result != ["ok"]:
        partial.unlink(missing_ok=True)
        raise BackupError("备份的副本没有通过完整性检查(PRAGMA integrity_check):" + ";".join(result[:5]))
    partial.replace(target)


def pg_dump_command(url: URL, target: Path) -> tuple[list[str], dict[str, str]]:
    """The ``pg_dump`` call for ``url``, the password passed in the environment (not visible in ``ps``)."""
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return ["pg_dump", "-Fc", "-f", str(target), "--dbname", plain], env


def backup_postgresql(url: URL, target: Path) -> bool:
    """Run ``pg_dump`` into ``target`` and check the archive lists; False when pg_dump is not installed."""
    if shutil.which("pg_dump") is None:
        return False
    partial = target.with_name(target.name + ".part")
    command, env = pg_dump_command(url, partial)
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump 失败:{done.stderr.strip()}")
    if shutil.which("pg_restore"):
        listed = subprocess.run(["pg_restore", "--list", str(partial)], capture_output=True, text=True)
        if listed.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"备份文件无法读取(pg_restore --list):{listed.stderr.strip()}")
    partial.replace(target)
    return True


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """备份数据库到 PATH(默认 instance/backups/kefu-年月日-时分秒.db 或 .dump),并校验副本。"""
    url = current_app.extensions["engine"].url
    sqlite = url.get_backend_name() == "sqlite"
    if path is None:
        suffix = ".db" if sqlite else ".dump"
        path = Path(current_app.instance_path) / "backups" / f"kefu-{now():%Y%m%d-%H%M%S}{suffix}"
    if path.exists():
        raise BackupError(f"{path} 已存在,不会覆盖。请换一个文件名。")
    path.parent.mkdir(parents=True, exist_ok=True)
    if sqlite:
        backup_sqlite(url.database or "", path)
        click.echo(f"已备份到 {path}(完整性检查通过)")
        return
    if url.get_backend_name() != "postgresql":
        raise BackupError(f"不支持备份 {url.get_backend_name()} 数据库。")
    if backup_postgresql(url, path):
        click.echo(f"已备份到 {path}(pg_dump -Fc,pg_restore --list 检查通过)")
        return
    command, _env = pg_dump_command(url, path)
    click.echo("本机没有 pg_dump(PostgreSQL 客户端)。请在装有它、能连到数据库的机器上执行:", err=True)
    password = "(密码用环境变量 PGPASSWORD 给出)" if url.password else ""
    click.echo("  " + " ".join(command) + password, err=True)
    click.echo("恢复:pg_restore --clean --if-exists --no-owner -d <数据库地址> " + str(path), err=True)
    raise SystemExit(1)
