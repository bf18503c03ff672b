"""Bad input gets a clear Chinese message on the form, never a 500, and loses nothing typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from models.front_desk import CallRecord
from models.keys import Key

CALL = {
    "received_at": "2026-11-23 09:30:00",
    "channel": "来电",
    "caller": "王阿姨",
    "phone": "13800001111",
    "matter_type": "报修",
    "content": "卫生间水龙头漏水",
}


def field_errors(html: str) -> dict[str, list[str]]:
    """Field name → its error messages, as the form shows them."""
    errors: dict[str, list[str]] = {}
    pattern = (r'name="([^"]+)"[^>]*>(?:<option[^>]*>[^<]*</option>)*\s*(?:</select>|</textarea>)?\s*'
               r'<div class="invalid-feedback">(.*?)</div>')
    for name, block in re.findall(pattern, html, re.S):
        errors[name] = [m.strip() for m in re.findall(r"<li>(.*?)</li>", block, re.S)]
    return errors


def has_cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def call_count(session: Any) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count(CallRecord.id)))


def post_call(head: Any, session: Any, **changes: str) -> tuple[str, int]:
    before = call_count(session)
    response = head.post("/admin/call_records/new/", {**CALL, **changes})
    assert response.status_code == 200, "a refused form is shown again, not redirected or failed"
    assert call_count(session) == before, "nothing is saved"
    html = response.get_data(as_text=True)
    assert "创建记录失败" in html
    return html, response.status_code


@pytest.mark.parametrize(("field", "value"), [
    ("caller", ""),
    ("content", ""),
    ("received_at", ""),
])
def test_missing_required_field(head: Any, session: Any, field: str, value: str) -> None:
    html, _ = post_call(head, session, **{field: value})
    errors = field_errors(html)
    assert field in errors and all(has_cjk(e) for e in errors[field]), errors


def test_too_long(head: Any, session: Any) -> None:
    html, _ = post_call(head, session, caller="张" * 51)
    assert any("50" in e and has_cjk(e) for e in field_errors(html)["caller"])


def test_unknown_choice(head: Any, session: Any) -> None:
    html, _ = post_call(head, session, matter_type="闲聊")
    assert all(has_cjk(e) for e in field_errors(html)["matter_type"])


def test_wrong_date(head: Any, session: Any) -> None:
    html, _ = post_call(head, session, received_at="昨天下午")
    assert all(has_cjk(e) for e in field_errors(html)["received_at"])


def test_typed_values_are_kept_after_a_refusal(head: Any, session: Any) -> None:
    html, _ = post_call(head, session, caller="")
    assert "卫生间水龙头漏水" in html
    assert "13800001111" in html


def test_wrong_integer(head: Any, session: Any) -> None:
    response = head.post("/admin/key_cut_requests/new/",
                         {"key": "1", "reason": "丢失", "action": "增配", "quantity": "两把"})
    assert response.status_code == 200
    assert all(has_cjk(e) for e in field_errors(response.get_data(as_text=True))["quantity"])


def test_wrong_number(as_user: Any) -> None:
    accountant = as_user("accountant")
    response = accountant.post("/admin/electricity_readings/new/",
                               {"room": "1", "month": "2026-11", "start_reading": "一千"})
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert all(has_cjk(e) for e in errors["start_reading"])


def test_duplicate_key(head: Any, session: Any) -> None:
    label = session.scalar(sa.select(Key.label).limit(1))
    before = session.scalar(sa.select(sa.func.count(Key.id)))
    data = {"label": label, "kind": "托管", "state": "在柜", "quantity": "1"}
    response = head.post("/admin/keys/new/", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert all(has_cjk(e) for e in field_errors(html)["label"])
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count(Key.id))) == before


def test_link_to_a_missing_row(head: Any, session: Any) -> None:
    html, _ = post_call(head, session, room="999999")
    assert all(has_cjk(e) for e in field_errors(html)["room"])


def test_unknown_record_is_a_chinese_message_not_an_error(head: Any) -> None:
    response = head.get("/admin/call_records/edit/?id=999999", follow_redirects=True)
    assert response.status_code == 404  # the same answer as a record outside the user's row scope
    assert "不存在" in response.get_data(as_text=True)
