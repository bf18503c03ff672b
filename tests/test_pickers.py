"""Every link picker of every register answers only with rows the user may see."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from admin_app.scope import scope_filter
from models.reference import Permission, User
from tests.factories import existing_row, model_named
from tests.test_registers_walk import REGISTER_NAMES, catalogue


def picker_fields(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in entry["fields"] if f["type"] in ("link", "links") and f["name"] != "department"]


def grants(session: Any, user: User, resource: str) -> set[str]:
    return set(session.scalars(sa.select(Permission.action).where(
        Permission.resource == resource, Permission.role_id.in_([r.id for r in user.roles]))))


def may_pick(session: Any, user: User, target: str) -> bool:
    model = model_named(target)
    return model.__register__.public_lookup or "view" in grants(session, user, target)


def rows_in_scope(app: Flask, session: Any, target: str, user: User) -> set[int]:
    """The rows of ``target`` a picker may offer ``user``: those in their row scope."""
    model = model_named(target)
    with app.app_context():
        condition = scope_filter(model, session.merge(user), changing=True)
        query = sa.select(model.id)
        return set(session.scalars(query if condition is None else query.where(condition)))


@pytest.mark.parametrize("name", REGISTER_NAMES)
def test_pickers_answer_only_with_rows_the_user_may_see(app: Flask, session: Any, as_user: Any,
                                                        name: str) -> None:
    entry = catalogue(app)[name]
    if entry["readonly"]:
        pytest.skip("written by the application: no form, no pickers")
    pickers = [f for f in picker_fields(entry) if not model_named(f["target"]).__register__.readonly]
    if not pickers:
        pytest.skip("no link fields")
    for field in pickers:
        existing_row(session, model_named(field["target"]))
    users = list(session.scalars(sa.select(User).order_by(User.id)))
    writers = [(u.username, u) for u in users if grants(session, u, name) & {"create", "edit"}]
    assert writers, f"nobody may write {name}"
    for field in pickers:
        for username, user in writers:
            response = as_user(username).get(f"{entry['url']}ajax/lookup/?name={field['name']}&query=")
            if may_pick(session, user, field["target"]):
                assert response.status_code == 200, (username, field["name"])
                offered = {row[0] for row in json.loads(response.get_data(as_text=True))}
                in_scope = rows_in_scope(app, session, field["target"], user)
                assert offered <= in_scope, (username, field["name"])  # row scope: own department's
                assert bool(offered) == bool(in_scope), (username, field["name"])
            else:
                assert response.status_code == 403, (username, field["name"])


def test_a_posted_id_of_a_row_the_user_may_not_see_is_refused(as_user: Any, session: Any) -> None:
    from models.finance import PaymentVoucher, StockSlip

    slip_id = existing_row(session, StockSlip)
    employee = as_user("employee")  # may write vouchers, may not see 出入库单
    before = session.scalar(sa.select(sa.func.count(PaymentVoucher.id)))
    response = employee.post("/admin/payment_vouchers/new/", {
        "reason": "打印纸", "amount": "120.00", "payee": "文具店", "stock_slip": str(slip_id)})
    assert response.status_code == 200
    assert "无权查看" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count(PaymentVoucher.id))) == before
