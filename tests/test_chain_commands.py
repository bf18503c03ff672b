"""`chains check`, `chains explain` and the chain in `registers --json`; the condition language."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from admin_app import conditions
from models.approval import Chain, ChainStep
from models.reference import User


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def test_check_passes_on_the_seeded_chains(app: Flask) -> None:
    result = run(app, "chains", "check")
    assert result.exit_code == 0, result.output
    assert "通过" in result.output


@pytest.mark.parametrize(("change", "message"), [
    ({"roles": "不存在的角色"}, "没有角色「不存在的角色」"),
    ({"condition": "days >>= 2"}, "后面应是数字"),
    ({"condition": "nights >= 2"}, "不存在的字段 nights"),
    ({"scope": "部门:不存在的部门"}, "没有部门「不存在的部门」"),
])
def test_check_reports_a_faulty_step_and_exits_non_zero(app: Flask, session: Any, change: dict[str, str],
                                                        message: str) -> None:
    chain = session.scalars(sa.select(Chain).where(Chain.register == "LeaveRequest")).one()
    chain.steps.append(ChainStep(**{"position": 9, "label": "坏的一步", "roles": "总经理", **change}))
    session.commit()
    result = run(app, "chains", "check")
    assert result.exit_code != 0
    assert "坏的一步" in result.output and message in result.output


def test_check_reports_a_role_nobody_holds(app: Flask, session: Any) -> None:
    for user in session.scalars(sa.select(User).where(User.username == "group_finance")):
        user.active = False
    session.commit()
    result = run(app, "chains", "check")
    assert result.exit_code != 0 and "没有人担任「集团财务」" in result.output


@pytest.mark.parametrize(("register", "values", "roles"), [
    ("请假单", ["days=1"], [["部门主管"]]),
    ("LeaveRequest", ["days=2"], [["部门主管"], ["综合办领导"]]),
    ("请假单", ["days=3"], [["部门主管"], ["综合办领导"], ["总经理"]]),
    ("采购单", [], [["部门主管"], ["采购中心专员"], ["采购中心主任"], ["总经理"], ["财务会计"]]),
    ("入所通知单", [], [["店长", "护理部", "护士部", "产后修复部", "营养师", "餐厨部"], ["护士部"]]),
    ("KeyLoan", ["emergency=false"], []),
    ("KeyLoan", ["emergency=true"], [["部门主管"]]),
])
def test_explain_prints_the_steps_that_apply(app: Flask, register: str, values: list[str],
                                             roles: list[list[str]]) -> None:
    result = run(app, "chains", "explain", register, *values, "--json")
    assert result.exit_code == 0, result.output
    steps = json.loads(result.output)
    assert [s["roles"] for s in steps] == roles
    assert all(s["mode"] in ("sequential", "all", "any") for s in steps)


def test_explain_names_scopes(app: Flask) -> None:
    steps = json.loads(run(app, "chains", "explain", "参观用餐报账", "--json").output)
    assert steps[0]["scope"] == "department:市场营销部"
    steps = json.loads(run(app, "chains", "explain", "请假单", "days=1", "--json").output)
    assert steps[0]["scope"] == "department"
    countersign = json.loads(run(app, "chains", "explain", "入所通知单", "--json").output)
    assert countersign[0]["mode"] == "all"


def test_explain_refuses_an_unknown_register(app: Flask) -> None:
    result = run(app, "chains", "explain", "没有这张表")
    assert result.exit_code != 0 and "没有登记表" in result.output


def test_registers_json_carries_each_chain(app: Flask) -> None:
    catalogue = {e["name"]: e for e in json.loads(run(app, "registers", "--json").output)}
    assert [s["roles"] for s in catalogue["LoanSlip"]["chain"]] == [
        ["部门主管"], ["主管领导"], ["财务会计"], ["财务审核"], ["财务出纳"]]
    assert catalogue["CallRecord"]["chain"] is None


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("days >= 2", {"days": Decimal("2")}, True),
    ("days >= 2", {"days": Decimal("1.5")}, False),
    ("amount >= 500 and not paid", {"amount": 600, "paid": False}, True),
    ("amount >= 500 and not paid", {"amount": 600, "paid": True}, False),
    ("kind == '事假' or days > 3", {"kind": "病假", "days": 4}, True),
    ("(a == 1 or b == 2) and c", {"a": 0, "b": 2, "c": True}, True),
    ("resolved == false", {"resolved": False}, True),
    ("missing > 1", {}, False),
])
def test_conditions(text: str, values: dict[str, Any], expected: bool) -> None:
    assert conditions.holds(text, values) is expected


@pytest.mark.parametrize("text", ["__import__('os')", "days >= ", "days >= 2 and", "(days > 1",
                                  "days.real > 1", "1 > days", "days >= os.system"])
def test_conditions_refuse_anything_but_the_small_language(text: str) -> None:
    with pytest.raises(conditions.ConditionError):
        conditions.parse(text)
