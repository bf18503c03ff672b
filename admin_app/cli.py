"""Commands: ``flask --app admin_app db|seed|registers``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

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
        "copies": list(decl.copies),
        "trail": {"log": decl.trail.log, "kind": decl.trail.kind} if decl.trail else None,
        "deadlines": [{"label": d.label, "start": d.start, "done": d.done, "offset_minutes":
                       int(d.offset.total_seconds() // 60), "day_end": d.day_end, "owner": d.owner}
                      for d in decl.deadlines],
        "scope": ({"department": decl.scope.department or None, "building": decl.scope.building or None}
                  if decl.scope and not decl.scope.follows else None),
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
    from admin_app import approvals

    session = current_app.extensions["db_session"]
    with current_app.test_request_context():
        catalogue = [describe(m) for m in models]
    for entry in catalogue:
        chain = approvals.chain_for(session, entry["name"])
        entry["chain"] = [{"label": s.label, "roles": approvals.split_roles(s.roles),
                           "mode": approvals.MODES.get(s.mode, s.mode), "scope": approvals.scope_of(s.scope),
                           "condition": s.condition} for s in chain.steps] if chain else None
    if as_json:
        click.echo(json.dumps(catalogue, ensure_ascii=False, indent=2))
        return
    for entry in catalogue:
        click.echo(f"{entry['group']}  {entry['label']:<24} {entry['code'] or '':<14} {entry['url']}")


chains_cli = AppGroup("chains", help="审批链。")


def find_register(word: str) -> type[Base] | None:
    for model in declared_models():
        if word in (model.__name__, model.__register__.label):
            return model
    return None


def parse_assignments(pairs: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"「{pair}」应写成 字段=值")
        name, value = pair.split("=", 1)
        values[name.strip()] = {"true": True, "false": False}.get(value.strip().lower(), value.strip())
    return values


@chains_cli.command("explain")
@click.argument("register")
@click.argument("assignments", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@with_appcontext
def chains_explain(register: str, assignments: tuple[str, ...], as_json: bool) -> None:
    """列出这样一条记录要经过的审批步骤(不含申请人),如 chains explain 请假单 days=3 --json。"""
    from admin_app import approvals

    model = find_register(register)
    if model is None:
        raise click.ClickException(f"没有登记表「{register}」")
    session = current_app.extensions["db_session"]
    chain = approvals.chain_for(session, model.__name__)
    steps = approvals.applicable_steps(session, chain, parse_assignments(assignments)) if chain else []
    out = [{"mode": s["mode"], "roles": s["roles"], "scope": s["scope"], "label": s["label"]} for s in steps]
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for number, step in enumerate(out, 1):
        click.echo(f"{number}. {step['label']}:{'、'.join(step['roles'])}({step['mode']},{step['scope']})")


@chains_cli.command("check")
@with_appcontext
def chains_check() -> None:
    """检查每条审批链:登记表存在、角色存在且有人担任、条件能读懂、部门存在。有错时退出码非零。"""
    from admin_app import approvals, conditions
    from models.approval import Chain
    from models.reference import Department

    session = current_app.extensions["db_session"]
    problems = []
    names = approvals.role_names(session)
    departments = set(session.scalars(select(Department.name)))
    for chain in session.scalars(select(Chain).order_by(Chain.register)):
        model = find_register(chain.register)
        where = f"{chain.register}({chain.label})"
        if model is None:
            problems.append(f"{where}:没有这张登记表")
        for step in chain.steps:
            at = f"{where} 第 {step.position} 步「{step.label}」"
            for role in approvals.split_roles(step.roles):
                if role not in names:
                    problems.append(f"{at}:没有角色「{role}」")
                elif not approvals.candidates(session, {"roles": [names[role]]}, None):
                    problems.append(f"{at}:没有人担任「{role}」")
            scope = approvals.scope_of(step.scope)
            if scope.startswith("department:") and scope.split(":", 1)[1] not in departments:
                problems.append(f"{at}:没有部门「{scope.split(':', 1)[1]}」")
            if scope.startswith("field:") and model is not None \
                    and scope.split(":", 1)[1] not in sa_inspect(model).relationships:
                problems.append(f"{at}:{model.__name__} 没有关联字段「{scope.split(':', 1)[1]}」")
            if step.condition:
                try:
                    tree = conditions.parse(step.condition)
                except conditions.ConditionError as exc:
                    problems.append(f"{at}:{exc}")
                    continue
                if model is not None:
                    unknown = conditions.names(tree) - set(sa_inspect(model).column_attrs.keys())
                    if unknown:
                        problems.append(f"{at}:条件用到不存在的字段 {'、'.join(sorted(unknown))}")
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("所有审批链检查通过。")


@click.command("board")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="日期,默认今天")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出(供每日报表的定时任务使用)")
@with_appcontext
def board_command(day: Any, as_json: bool) -> None:
    """日清日审看板:当天所有未办结事项(登记表、编号、责任人、时限、状态),已超时的在前。"""
    from admin_app import board
    from admin_app.clock import today

    session = current_app.extensions["db_session"]
    view = board.board(session, day.date() if day else today(), limit=1_000_000)
    if as_json:
        click.echo(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
        return
    states = ",".join(f"{k} {v}" for k, v in view.by_state.items())
    click.echo(f"日清日审 {view.day:%Y-%m-%d}:未办结 {view.total} 项({states}),"
               f"当天已办结 {view.done_today} 项")
    for m in view.matters:
        click.echo(f"{m.state:<4} {m.register_label} {m.number or ''} {m.title} | {m.deadline} | "
                   f"应办结 {m.due_at:%Y-%m-%d %H:%M} | {m.late} | 责任人 {m.owner or '未指定'}")


@click.command("deadlines")
@with_appcontext
def deadlines_command() -> None:
    """按登记表声明的时限重新计算全部「办理时限」(迁移或改了声明之后执行一次)。"""
    from models.deadlines import rebuild

    session = current_app.extensions["db_session"]
    count = rebuild(session)
    session.commit()
    click.echo(f"已重新计算 {count} 条记录的办理时限。")


def init_app(app: Flask) -> None:
    from admin_app.audit import audit_cli
    from admin_app.backup import backup_command

    app.cli.add_command(audit_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(board_command)
    app.cli.add_command(deadlines_command)
    app.cli.add_command(chains_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(registers_command)
