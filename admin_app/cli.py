"""Commands: ``flask --app admin_app db|seed|registers``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup, with_appcontext

from admin_app import migrate
from models.base import Base, declared_models, registers
from views import fields
from views.register_view import line_fields

db_cli = AppGroup("db", help="数据库结构(Alembic 迁移)。")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """升级数据库结构到最新版本。"""
    migrate.upgrade(current_app.extensions["engine"], revision)
    click.echo("数据库结构已是最新。")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="这次变更的说明")
@click.option("--rev-id", help="版本号,如 0002(默认随机)")
def db_revision(message: str, rev_id: str | None) -> None:
    """根据模型的变化生成新的迁移脚本(先 db upgrade 到最新)。"""
    migrate.revision(current_app.extensions["engine"], message, rev_id)


@db_cli.command("check")
def db_check() -> None:
    """检查模型与迁移脚本是否一致。"""
    migrate.check(current_app.extensions["engine"])
    click.echo("模型与迁移一致。")


@click.command("seed")
@click.option("--dir", "directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="种子数据目录(默认 seed/data)")
@click.option("--demo/--no-demo", default=True, help="是否导入演示账号等演示数据")
@with_appcontext
def seed_command(directory: Path | None, demo: bool) -> None:
    """导入基础资料(部门、角色、权限矩阵、用户、房间、钥匙、收费标准……)。可重复执行。"""
    from seed.loader import DATA_DIR, SeedError, load

    session = current_app.extensions["db_session"]
    try:
        report = load(session, directory or DATA_DIR, demo=demo)
    except SeedError as exc:
        click.echo("种子数据有错误,未写入任何数据:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    click.echo(f"完成:共变更 {report.changed} 行。")


def field_info(model: type[Base], name: str) -> dict[str, Any]:
    mapper = fields.mapper_of(model)
    labels = fields.labels(model)
    if name in mapper.relationships:
        rel = mapper.relationships[name]
        required = any(not c.nullable for c in rel.local_columns) if not rel.uselist else False
        info = {"name": name, "label": labels.get(name, name), "type": "links" if rel.uselist else "link",
                "required": required, "target": rel.mapper.class_.__name__,
                "unique": any(c.unique for c in rel.local_columns)}
        if rel.info.get("checklist"):
            info.update(type="checklist", checklist=rel.info["checklist"])
        return info
    col = fields.column_of(model, name)
    assert col is not None
    info: dict[str, Any] = {"name": name, "label": labels.get(name, name), "type": column_type(col),
                            "required": not col.nullable and col.default is None, "unique": bool(col.unique)}
    if col.info.get("choices"):
        info["choices"] = list(col.info["choices"])
    if getattr(col.type, "length", None):
        info["max_length"] = col.type.length
    return info


def column_type(col: Any) -> str:
    if col.info.get("choices"):
        return "choice"
    import sqlalchemy as sa

    for sa_type, name in ((sa.Boolean, "boolean"), (sa.DateTime, "datetime"), (sa.Date, "date"),
                          (sa.Numeric, "decimal"), (sa.Integer, "integer"), (sa.Text, "text"),
                          (sa.String, "string")):
        if isinstance(col.type, sa_type):
            return name
    return str(col.type).lower()


def describe(model: type[Base]) -> dict[str, Any]:
    decl = model.__register__
    names = fields.form_fields(model)
    entry: dict[str, Any] = {
        "name": model.__name__,
        "label": decl.label,
        "code": decl.code or None,
        "source": decl.source,
        "group": decl.group,
        "group_label": decl.group_label,
        "kind": decl.kind,
        "url": url_for(f"{model.__tablename__}.index_view"),
        "readonly": decl.readonly,
        "trail": {"log": decl.trail.log, "kind": decl.trail.kind} if decl.trail else None,
        "fields": [field_info(model, n) for n in names],
    }
    for relation in decl.inline:
        child, names = line_fields(model, relation)
        entry.setdefault("lines", {})[relation] = {
            "label": child.__register__.label,
            "fields": [field_info(child, n) for n in names],
        }
    return entry


@click.command("registers")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--all", "include_reference", is_flag=True, help="同时列出基础资料表")
@with_appcontext
def registers_command(as_json: bool, include_reference: bool) -> None:
    """列出手册中的全部登记表。"""
    models = ([m for m in declared_models() if m.__register__.kind != "line"]
              if include_reference else registers())
    with current_app.test_request_context():
        catalogue = [describe(m) for m in models]
    if as_json:
        click.echo(json.dumps(catalogue, ensure_ascii=False, indent=2))
        return
    for entry in catalogue:
        click.echo(f"{entry['group']}  {entry['label']:<24} {entry['code'] or '':<14} {entry['url']}")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(registers_command)
