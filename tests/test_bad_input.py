"""Bad input gets a clear Chinese message on the form, never a 500, and loses nothing typed."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from admin_app.clock import today
from models.deadlines import DayReview
from models.front_desk import CallRecord
from models.keys import Key
from tests.factories import form_data, make_row, model_named
from tests.test_chains import approval, create, decide, submit
from tests.test_registers_walk import catalogue, user_with

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



# -- values no form should let through (found by tests/test_hostile_input.py) ---------------------


def refused(app: Any, session: Any, as_user: Any, name: str, **changes: str) -> dict[str, list[str]]:
    """A valid form of register ``name`` with ``changes``, posted by a role that may create it: it is
    shown again, nothing is stored. Returns the field errors."""
    model = model_named(name)
    entry = catalogue(app)[name]
    user = as_user(user_with(session, name, {"create"}))
    before = session.scalar(sa.select(sa.func.count()).select_from(model))
    response = user.post(entry["url"] + "new/", {**form_data(session, entry), **changes})
    assert response.status_code == 200
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(model)) == before
    return field_errors(response.get_data(as_text=True))


@pytest.mark.parametrize("text", ["王\x00阿姨", "\x1b[2J王阿姨", "王\x07阿姨"])
def test_control_characters(app: Any, session: Any, as_user: Any, text: str) -> None:
    errors = refused(app, session, as_user, "CallRecord", caller=text)
    assert any("控制字符" in e for e in errors["caller"]), errors


def test_control_characters_in_a_unique_field(head: Any) -> None:
    # Flask-Admin's uniqueness check would otherwise query PostgreSQL with the NUL byte, and fail.
    key = {"label": "前\x00后", "kind": "托管", "state": "在柜", "quantity": "1"}
    response = head.post("/admin/keys/new/", key)
    assert response.status_code == 200
    assert any("控制字符" in e for e in field_errors(response.get_data(as_text=True))["label"])


def test_line_breaks_and_tabs_are_kept(head: Any, session: Any) -> None:
    response = head.post("/admin/call_records/new/", {**CALL, "content": "漏水\r\n\t已报修"})
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(sa.select(CallRecord.content).order_by(CallRecord.id.desc()).limit(1)) == \
        "漏水\r\n\t已报修"


def test_integer_out_of_range(app: Any, session: Any, as_user: Any) -> None:
    errors = refused(app, session, as_user, "KeyCutRequest", quantity=str(2**70))
    assert any("数值超出范围" in e for e in errors["quantity"]), errors


@pytest.mark.parametrize(("value", "message"), [
    ("1e30", "数值超出范围"),
    ("10000000000", "数值超出范围"),
    ("NaN", "请输入数字"),
    ("Infinity", "请输入数字"),
    ("12.345678", "最多 2 位小数"),
])
def test_amount_must_fit_the_column(app: Any, session: Any, as_user: Any, value: str, message: str) -> None:
    errors = refused(app, session, as_user, "ShiftHandover", cash=value)
    assert any(message in e for e in errors["cash"]), errors


def test_half_days_but_not_quarter_days(app: Any, session: Any, as_user: Any) -> None:
    errors = refused(app, session, as_user, "LeaveRequest", days="0.25")
    assert any("最多 1 位小数" in e for e in errors["days"]), errors


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2100-01-01"])
def test_date_out_of_range(app: Any, session: Any, as_user: Any, value: str) -> None:
    errors = refused(app, session, as_user, "KeyCutRequest", done_on=value)
    assert any("日期超出范围" in e for e in errors["done_on"]), errors


def test_datetime_out_of_range(head: Any, session: Any) -> None:
    html, _ = post_call(head, session, received_at="9999-12-31 23:59:00")
    assert any("日期超出范围" in e for e in field_errors(html)["received_at"])


@pytest.mark.parametrize("value", ["abc", "-1", str(2**70)])
def test_impossible_link_is_a_chinese_message(head: Any, session: Any, value: str) -> None:
    html, _ = post_call(head, session, room=value)
    assert field_errors(html)["room"] and all(has_cjk(e) for e in field_errors(html)["room"])
    assert "Not a valid choice" not in html


def test_export_leaves_out_characters_a_spreadsheet_cannot_hold(head: Any, session: Any) -> None:
    row = make_row(session, CallRecord)  # imported data may hold what the form refuses
    row.caller = "王\x1b阿姨\x07"
    session.commit()
    response = head.get("/admin/call_records/export/xlsx/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert "王阿姨" in [c.value for r in sheet.iter_rows() for c in r]


@pytest.mark.parametrize("query", [
    "page=-1", f"page={2**70}", "search=%00", "search=%FF%FE", "flt0_0=%00", "sort=99&desc=x",
])
def test_hand_made_list_url_shows_a_page(head: Any, query: str) -> None:
    assert head.get(f"/admin/room_holds/?{query}").status_code == 200


@pytest.mark.parametrize("query", ["offset=-5", f"limit={2**70}", f"offset={2**70}", "query=%00"])
def test_hand_made_picker_lookup_answers(head: Any, query: str) -> None:
    response = head.get(f"/admin/room_holds/ajax/lookup/?name=room&query=1&{query}")
    assert response.status_code == 200
    assert isinstance(response.json, list)


@pytest.mark.parametrize("row_id", ["abc", "-1", str(2**70), "²"])
def test_impossible_record_id_is_a_chinese_message(head: Any, row_id: str) -> None:
    for page in ("details", "edit"):
        response = head.get(f"/admin/call_records/{page}/?id={row_id}", follow_redirects=True)
        assert response.status_code == 404  # as for a record that does not exist, or is out of scope
        assert "不存在" in response.get_data(as_text=True)


def test_delete_of_impossible_ids_deletes_nothing(head: Any, session: Any) -> None:
    before = call_count(session)
    make_row(session, CallRecord)
    response = head.post("/admin/call_records/action/",
                         {"action": "delete", "rowid": ["abc", "²", str(2**70)]})
    assert response.status_code == 302
    assert call_count(session) == before + 1


# -- dates no page can compute with, ids and text in the small forms --------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_board_of_an_impossible_day_says_so(head: Any, day: str) -> None:
    response = head.get(f"/admin/board/?date={day}")
    assert response.status_code == 200
    assert "日期格式不正确" in response.get_data(as_text=True)


def test_callback_rates_of_an_impossible_day_says_so(head: Any) -> None:
    response = head.get("/admin/callback-rates/?start=0001-01-01&end=9999-12-31")
    assert response.status_code == 200
    assert "日期超出范围" in response.get_data(as_text=True)


@pytest.mark.parametrize("period", ["9999-12", "0001-01", "9999-W52", "0001-W01", "0001-Q1",
                                    "1899-12-01~1900-01-05"])
def test_report_of_an_impossible_period_says_so(as_user: Any, period: str) -> None:
    response = as_user("gm").get(f"/admin/reports/complaints?period={period}")
    assert response.status_code == 400
    assert "超出范围" in response.get_data(as_text=True)


def test_inbox_ignores_ids_no_approval_can_have(head: Any) -> None:
    response = head.post("/admin/inbox/", {"approval": ["²", str(2**70), "abc"]}, follow_redirects=True)
    assert response.status_code == 200
    assert "请先勾选要处理的单据" in response.get_data(as_text=True)


def test_control_characters_are_left_out_of_a_return_reason(app: Any, session: Any, as_user: Any) -> None:
    record_id = create(app, session, as_user("employee"), "LeaveRequest", days="1")
    submit(app, as_user("employee"), "LeaveRequest", record_id)
    assert decide(app, as_user("head"), "LeaveRequest", record_id, "退回", "天数\x00不对").status_code == 302
    assert approval(session, "LeaveRequest", record_id).return_reason == "天数不对"


def test_control_characters_are_left_out_of_a_sign_off_remark(head: Any, session: Any) -> None:
    response = head.post("/admin/board/signoff", {"date": today().isoformat(), "remarks": "明日\x00跟进"})
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(sa.select(DayReview.remarks).order_by(DayReview.id.desc()).limit(1)) == "明日跟进"
