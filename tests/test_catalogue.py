"""The catalogue: `registers --json` lists the handbook registers of sections A, C, E and G (and no
reports), every field has a Chinese label, choices are closed in the database, the migrations build
exactly the models, and the menu groups registers by section."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError

from admin_app import migrate
from models.base import Base, declared_models, registers
from models.reference import FormCode, Permission, User
from tests.factories import make_row, python_value
from views import fields

CJK = re.compile(r"[\u4e00-\u9fff]")

#: Handbook name (REGISTERS.md) → catalogue section, for every register this issue declares.
EXPECTED: dict[str, str] = {
    "来电、来访咨询记录": "A",
    "日清日审记录": "A",
    "报表报送登记": "A",
    "客人来访登记表": "A",
    "交接班记录": "A",
    "值班周检查记录表": "A",
    "客服排班表": "A",
    "文件资料收发登记": "A",
    "工作日记": "A",
    "存包登记": "A",
    "顾客遗留物品记录": "A",
    "客服报修记录": "C",
    "报修回访记录": "C",
    "钥匙台账": "E",
    "钥匙借用记录表": "E",
    "钥匙周检记录": "E",
    "配制更换钥匙申请单": "E",
    "智能卡发放情况表": "E",
    "车位办理登记表": "E",
    "车辆出入证、装修出入证": "E",
    "采购单": "G",
    "支付证明单": "G",
    "退医疗备用金": "G",
    "借据单": "G",
    "茶艺室收入明细表": "G",
    "茶艺室现金交款": "G",
    "参观用餐报账": "G",
    "红头文件": "G",
    "电费度数记录": "G",
    "仓库物资台账": "G",
    "物资领用表": "G",
    "出入库单": "G",
    "赠品物资登记": "G",
}
#: Reports over registers, not registers of their own.
REPORTS = ["投诉汇总表", "钥匙管理情况报告", "办证情况统计表", "收入明细表"]

OUTSIDE = "错"
CHOICE_COLUMNS = [(m, c.key) for m in declared_models() for c in m.__table__.columns if c.info.get("choices")]
CHOICE_MODELS = list(dict.fromkeys(m for m, _ in CHOICE_COLUMNS))


def catalogue(app: Flask) -> list[dict[str, Any]]:
    result = app.test_cli_runner().invoke(args=["registers", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_name(app: Flask) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in catalogue(app)}


def viewer_of(session: Any, resource: str) -> str:
    """The first demo user some role of whom may view ``resource``."""
    for user in session.scalars(sa.select(User).order_by(User.id)):
        if session.scalar(sa.select(Permission.id).where(
                Permission.resource == resource, Permission.action == "view",
                Permission.role_id.in_([r.id for r in user.roles]))):
            return user.username
    raise AssertionError(f"no demo user may view {resource}")


def unlabelled(model: type[Base]) -> list[str]:
    """Columns and relationships without a Chinese label, less the allowed exceptions."""
    mapper = fields.mapper_of(model)
    labelled = {rel.key for rel in mapper.relationships if CJK.search(rel.info.get("label", ""))}
    covered = {c.key for name, rel in fields.many_to_one(model).items() if name in labelled
               for c in rel.local_columns}
    parent_links = {rel.key for rel in mapper.relationships if model.__register__.kind == "line"
                    and rel.back_populates in rel.mapper.class_.__register__.inline}
    parent_keys = {c.key for rel in mapper.relationships if rel.key in parent_links
                   for c in rel.local_columns}
    missing = []
    for prop in mapper.column_attrs:
        col = prop.columns[0]
        if col.primary_key or prop.key in covered | parent_keys:
            continue
        if (model.__tablename__, col.name) == ("users", "password_hash"):
            continue
        if not CJK.search(col.info.get("label", "")):
            missing.append(prop.key)
    missing += [rel.key for rel in mapper.relationships if rel.key not in labelled | parent_links]
    return missing


def unsaved_row(session: Any, model: type[Base]) -> Base:
    """A new row with valid values in every required column; required links get fresh rows, so no
    unique constraint (one handling per complaint, one line per staff and sheet…) can refuse it."""
    obj = model()
    links = fields.many_to_one(model)
    fk_columns = {c.key for rel in links.values() for c in rel.local_columns}
    for rel in links.values():
        if any(not c.nullable for c in rel.local_columns):
            target_id = make_row(session, rel.mapper.class_).id
            for col in rel.local_columns:
                setattr(obj, col.key, target_id)
    for col in model.__table__.columns:
        if col.primary_key or col.nullable or col.default is not None or col.key in fk_columns:
            continue
        setattr(obj, col.key, python_value(session, model, col.key, 900))
    return obj


def menu(page: str) -> dict[str, str]:
    """Navbar section name → the HTML of its drop-down."""
    found = re.findall(r'class="dropdown-toggle[^"]*"[^>]*>(.*?)</a>\s*<ul class="dropdown-menu">(.*?)</ul>',
                       page, re.S)
    return {re.sub(r"<[^>]+>|<!--.*?-->", "", name, flags=re.S).strip(): items for name, items in found}


# -- registers --json ---------------------------------------------------------------------------------


def test_catalogue_lists_every_declared_register_of_sections_a_c_e_g(app: Flask) -> None:
    listed = {entry["label"]: entry["group"] for entry in catalogue(app) if entry["group"] in "ACEG"}
    assert listed == EXPECTED


def test_catalogue_lists_no_reports(app: Flask) -> None:
    labels = {entry["label"] for entry in catalogue(app)}
    for report in REPORTS:
        assert report not in labels


def test_catalogue_lists_registers_not_reference_tables(app: Flask) -> None:
    assert {entry["kind"] for entry in catalogue(app)} == {"register"}
    assert [entry["name"] for entry in catalogue(app)] == [m.__name__ for m in registers()]


def test_every_entry_describes_the_register(app: Flask) -> None:
    for entry in catalogue(app):
        assert {"name", "label", "code", "source", "group", "url", "fields"} <= set(entry), entry["name"]
        assert CJK.search(entry["label"]) and entry["source"], entry["name"]
        assert entry["url"].startswith("/admin/") and entry["url"].endswith("/"), entry["name"]
        assert entry["fields"], entry["name"]


def test_every_field_has_name_chinese_label_type_and_required(app: Flask) -> None:
    for entry in catalogue(app):
        for field in entry["fields"]:
            assert {"name", "label", "type", "required"} <= set(field), (entry["name"], field)
            assert CJK.search(field["label"]), (entry["name"], field)
            assert isinstance(field["type"], str) and field["type"], (entry["name"], field)
            assert isinstance(field["required"], bool), (entry["name"], field)


def test_choice_fields_list_their_choices(app: Flask) -> None:
    call = by_name(app)["CallRecord"]
    matter = next(f for f in call["fields"] if f["name"] == "matter_type")
    assert {k: matter[k] for k in ("label", "type", "required", "choices")} == {
        "label": "类型", "type": "choice", "required": True,
        "choices": ["咨询", "报修", "投诉", "建议", "求助"]}


@pytest.mark.parametrize(("name", "code"), [
    ("CallRecord", "XST-HD-KF-002"),
    ("ShiftHandover", "XST-HD-KF-004"),
    ("Roster", "XST-HD-KF-005"),
    ("KeyLoan", "XST-HD-KF-006"),
    ("RepairCallback", "XST-HD-KF-009"),
    ("RepairOrder", "XST-HD-KF-011"),
    ("PurchaseOrder", None),
])
def test_form_codes(app: Flask, name: str, code: str | None) -> None:
    assert by_name(app)[name]["code"] == code


def test_form_codes_are_numbered_forms_of_the_handbook(app: Flask, session: Any) -> None:
    """Each code is one of 001 七's numbered forms (seed/data/10_form_codes.yaml)."""
    numbered = set(session.scalars(sa.select(FormCode.code)))
    for entry in catalogue(app):
        if entry["code"]:
            assert entry["code"] in numbered, entry["name"]


def test_every_register_url_answers_a_viewer(app: Flask, session: Any, as_user: Any) -> None:
    for entry in catalogue(app):
        user = as_user(viewer_of(session, entry["name"]))
        response = user.get(entry["url"])
        assert response.status_code == 200, (entry["name"], entry["url"], response.status_code)
        assert entry["label"] in response.get_data(as_text=True)


# -- labels ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(declared_models()), ids=lambda m: m.__name__)
def test_every_column_and_relationship_has_a_chinese_label(model: type[Base]) -> None:
    assert unlabelled(model) == []


# -- choices are closed lists ---------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "column"), CHOICE_COLUMNS,
                         ids=[f"{m.__name__}.{c}" for m, c in CHOICE_COLUMNS])
def test_database_refuses_a_value_outside_the_choices(session: Any, model: type[Base], column: str) -> None:
    assert OUTSIDE not in model.__table__.c[column].info["choices"]
    row = unsaved_row(session, model)
    setattr(row, column, OUTSIDE)  # short enough for every choice column's length
    session.add(row)
    with pytest.raises(IntegrityError) as refused:
        session.flush()
    session.rollback()
    assert f"{model.__table__.c[column].name}_choice" in str(refused.value)


@pytest.mark.parametrize("model", CHOICE_MODELS, ids=lambda m: m.__name__)
def test_database_accepts_listed_choices(session: Any, model: type[Base]) -> None:
    row = unsaved_row(session, model)
    for column in (c for m, c in CHOICE_COLUMNS if m is model):
        setattr(row, column, model.__table__.c[column].info["choices"][-1])
    session.add(row)
    session.commit()
    assert row.id is not None


# -- migrations ---------------------------------------------------------------------------------------


def test_migrations_build_exactly_the_models(app: Flask) -> None:
    migrate.check(app.extensions["engine"])


def test_cli_db_check_agrees(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "模型与迁移一致" in result.output


# -- the menu -------------------------------------------------------------------------------------------


def test_menu_groups_registers_by_chinese_section(head: Any) -> None:
    sections = menu(head.get("/admin/").get_data(as_text=True))
    assert "/admin/call_records/" in sections["前台与咨询"]
    assert "/admin/repair_orders/" in sections["报修"]
    assert "/admin/key_loans/" in sections["钥匙与卡证"]
    assert "/admin/key_loans/" not in sections["前台与咨询"]


def test_menu_sections_are_in_catalogue_order(head: Any) -> None:
    names = list(menu(head.get("/admin/").get_data(as_text=True)))
    wanted = ["前台与咨询", "报修", "钥匙与卡证", "采购、财务与仓库"]
    assert [n for n in names if n in wanted] == wanted
