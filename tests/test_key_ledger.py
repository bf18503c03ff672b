"""The key ledger (000 (四)1–3; 001 七.8; 004 4.2.4–4.2.5): a key's state follows its loans, a lent, lost
or sealed key is not lent without what the handbook asks, and the weekly check compares every key with
the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from admin_app.rules import keys as rules
from models.keys import Key, KeyCheck, KeyCheckLine, KeyCutRequest, KeyLoan
from models.reference import User
from tests.test_bad_input import field_errors

LOANS = "/admin/key_loans/"
CHECKS = "/admin/key_checks/"

# -- rules ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("loan_open", "lost", "others_open", "state"), [
    (True, False, False, "借出"),
    (False, False, False, "在柜"),
    (False, False, True, "借出"),
    (False, True, False, "遗失"),
])
def test_key_state_follows_the_loan(loan_open: bool, lost: bool, others_open: bool, state: str) -> None:
    assert rules.key_state(loan_open=loan_open, lost=lost, others_open=others_open) == state


def test_a_loan_is_open_until_returned_or_lost() -> None:
    moment = dt.datetime(2026, 11, 23, 11, 30)
    assert rules.is_open(None, False)
    assert not rules.is_open(moment, False)
    assert not rules.is_open(None, True)


@pytest.mark.parametrize(("roles", "department", "allowed"), [
    (["部门主管"], "客服部", True),
    (["客服中心经理"], "客服部", True),
    (["部门主管"], "工程部", False),
    (["客服员"], "客服部", False),
])
def test_who_may_allow_a_sealed_key(roles: list[str], department: str, allowed: bool) -> None:
    assert rules.may_allow_sealed(roles, department) is allowed


def loan_problems(**changes: Any) -> dict[str, str]:
    values: dict[str, Any] = {
        "loan_open": True, "lending": True, "key_state_now": "在柜", "sealed": False, "lent_elsewhere": None,
        "returned_at": None, "return_condition": None, "lent_at": dt.datetime(2026, 11, 23, 9, 0),
        "due_back_at": dt.datetime(2026, 11, 23, 17, 30), "emergency": False, "emergency_type": None,
        "allowed_by": None, "allower_may_unseal": False,
    }
    return rules.loan_problems(**{**values, **changes})


def test_an_ordinary_loan_has_no_problems() -> None:
    assert loan_problems() == {}


def test_a_key_lent_on_another_open_loan_is_refused() -> None:
    problems = loan_problems(key_state_now="借出", lent_elsewhere="借用人 韩师傅,11-23 09:10 借出")
    assert "韩师傅" in problems["key"] and "不能重复借出" in problems["key"]


def test_recording_a_returned_loan_of_a_lent_key_is_allowed() -> None:
    returned = dt.datetime(2026, 11, 23, 11, 0)
    assert loan_problems(loan_open=False, lent_elsewhere="借用人 韩师傅", returned_at=returned,
                         return_condition="完好") == {}


def test_a_lost_key_is_not_lent() -> None:
    assert "遗失" in loan_problems(key_state_now="遗失")["key"]
    assert loan_problems(key_state_now="遗失", lending=False) == {}  # the loss itself, edited


def test_a_sealed_key_needs_the_service_supervisor() -> None:
    assert "封存" in loan_problems(sealed=True)["allowed_by"]
    assert "「龚小聪」不是客服部门主管" in loan_problems(sealed=True, allowed_by="龚小聪")["allowed_by"]
    assert loan_problems(sealed=True, allowed_by="黎主管", allower_may_unseal=True) == {}


def test_emergency_use_needs_the_event_and_who_allowed_it() -> None:
    problems = loan_problems(emergency=True)
    assert set(problems) == {"emergency_type", "allowed_by"}
    assert loan_problems(emergency=True, emergency_type="跑水", allowed_by="黎主管") == {}


def test_a_return_needs_its_check_and_a_sane_time() -> None:
    lent = dt.datetime(2026, 11, 23, 9, 0)
    assert "短缺" in loan_problems(returned_at=lent, loan_open=False)["return_condition"]
    early = loan_problems(returned_at=lent - dt.timedelta(hours=1), return_condition="完好", loan_open=False)
    assert early == {"returned_at": "归还时间不能早于借出时间"}
    assert "归还时间" in loan_problems(return_condition="完好")["returned_at"]


def test_in_custody_from_receipt_until_handed_over() -> None:
    day = dt.date(2026, 11, 23)
    assert rules.in_custody(None, None, day)
    assert rules.in_custody(day, None, day)
    assert not rules.in_custody(day + dt.timedelta(days=1), None, day)
    assert not rules.in_custody(None, day, day)
    assert rules.in_custody(None, day + dt.timedelta(days=1), day)


def test_the_week_of_a_check_is_the_check_day_and_the_six_before() -> None:
    assert rules.week_of(dt.date(2026, 11, 23)) == (dt.datetime(2026, 11, 17), dt.datetime(2026, 11, 24))


def test_differences_list_what_disagrees_or_is_wrong() -> None:
    findings = [
        rules.Finding("A栋-101", 2, "在柜", "在柜"),
        rules.Finding("A栋-501", 2, "借出", "在柜"),
        rules.Finding("A栋-702", 3, "在柜", "短缺", "少 1 把"),
        rules.Finding("公共-消防通道", 1, "遗失", "遗失"),
        rules.Finding("公共-天台", 1, "在柜", "在柜", "封条脱落"),
    ]
    assert rules.differences(findings) == ("A栋-501:台账借出,实查在柜;A栋-702:台账在柜,实查短缺(少 1 把);"
                                           "公共-消防通道:遗失;公共-天台:在柜(封条脱落)")
    assert rules.differences(findings[:1]) is None
    assert rules.keys_checked(findings) == 8


# -- HTTP, as the front-desk clerk ----------------------------------------------------------------------


def key(session: Any, label: str) -> Key:
    session.expire_all()
    found = session.scalar(sa.select(Key).where(Key.label == label))
    assert found is not None, label
    return found


def user_id(session: Any, username: str) -> str:
    return str(session.scalar(sa.select(User.id).where(User.username == username)))


def loan_count(session: Any) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count(KeyLoan.id)))


def newest_loan(session: Any) -> KeyLoan:
    session.expire_all()
    return session.scalar(sa.select(KeyLoan).order_by(KeyLoan.id.desc()).limit(1))


def loan_form(session: Any, label: str, **extra: str) -> dict[str, str]:
    return {"key": str(key(session, label).id), "borrower": "韩师傅", "purpose": "公共区域维修",
            "lent_at": "2026-11-23 09:10:00", "due_back_at": "2026-11-23 17:30:00", **extra}


def lend(browser: Any, session: Any, label: str, **extra: str) -> Any:
    return browser.post(LOANS + "new/", loan_form(session, label, **extra))


def test_lending_a_key_makes_it_lent(clerk: Any, session: Any) -> None:
    response = lend(clerk, session, "公共-天台")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert key(session, "公共-天台").state == "借出"


def test_returning_a_key_puts_it_back_in_the_cabinet(clerk: Any, session: Any) -> None:
    lend(clerk, session, "公共-天台")
    loan_id = newest_loan(session).id
    returned = loan_form(session, "公共-天台", returned_at="2026-11-23 11:30:00", return_condition="完好")
    assert clerk.post(LOANS + f"edit/?id={loan_id}", returned).status_code == 302
    assert key(session, "公共-天台").state == "在柜"
    assert newest_loan(session).return_condition == "完好"


def test_lending_a_lent_key_is_refused(clerk: Any, session: Any) -> None:
    assert key(session, "A栋-501").state == "借出"  # lent to 韩师傅 this morning in the samples
    before = loan_count(session)
    response = lend(clerk, session, "A栋-501", borrower="何顾问")
    assert response.status_code == 200
    (message,) = field_errors(response.get_data(as_text=True))["key"]
    assert "已借出" in message and "韩师傅" in message
    assert loan_count(session) == before


def test_a_lost_key_is_lost_and_not_lent_again(clerk: Any, session: Any) -> None:
    lend(clerk, session, "公共-天台")
    loan_id = newest_loan(session).id
    lost = loan_form(session, "公共-天台", lost="y")
    assert clerk.post(LOANS + f"edit/?id={loan_id}", lost).status_code == 302
    assert key(session, "公共-天台").state == "遗失"
    response = lend(clerk, session, "公共-天台", borrower="何顾问")
    assert response.status_code == 200
    assert "遗失" in field_errors(response.get_data(as_text=True))["key"][0]


def test_a_lost_key_found_and_returned_is_back(clerk: Any, session: Any) -> None:
    lend(clerk, session, "公共-天台", lost="y")
    loan_id = newest_loan(session).id
    found = loan_form(session, "公共-天台", lost="y", returned_at="2026-11-24 10:00:00",
                      return_condition="完好")
    assert clerk.post(LOANS + f"edit/?id={loan_id}", found).status_code == 302
    assert key(session, "公共-天台").state == "在柜"


def test_moving_a_loan_to_another_key_puts_the_first_back(clerk: Any, session: Any) -> None:
    lend(clerk, session, "公共-天台")
    loan_id = newest_loan(session).id
    assert clerk.post(LOANS + f"edit/?id={loan_id}", loan_form(session, "公共-配电房")).status_code == 302
    assert (key(session, "公共-天台").state, key(session, "公共-配电房").state) == ("在柜", "借出")


def test_deleting_an_open_loan_puts_the_key_back(head: Any, session: Any) -> None:
    loan = session.scalar(sa.select(KeyLoan).join(KeyLoan.key).where(Key.label == "A栋-501"))
    assert head.post(LOANS + "delete/", {"id": loan.id}).status_code == 302
    assert key(session, "A栋-501").state == "在柜"


def test_a_sealed_key_without_the_supervisor_is_refused(clerk: Any, session: Any) -> None:
    before = loan_count(session)
    for allowed_by in ("", user_id(session, "clerk"), user_id(session, "head_eng")):
        response = lend(clerk, session, "A栋-101", purpose="陪同顾客验房", allowed_by=allowed_by)
        assert response.status_code == 200
        (message,) = field_errors(response.get_data(as_text=True))["allowed_by"]
        assert "封存钥匙" in message and "客服部门主管" in message
    assert loan_count(session) == before
    assert key(session, "A栋-101").state == "在柜"


@pytest.mark.parametrize("supervisor", ["head", "manager"])
def test_a_sealed_key_allowed_by_the_supervisor_is_lent(clerk: Any, session: Any, supervisor: str) -> None:
    response = lend(clerk, session, "A栋-101", purpose="陪同顾客验房",
                    allowed_by=user_id(session, supervisor))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert key(session, "A栋-101").state == "借出"


def test_emergency_use_without_event_or_supervisor_is_refused(clerk: Any, session: Any) -> None:
    response = lend(clerk, session, "A栋-402", emergency="y")
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert "紧急事件" in errors["emergency_type"][0] and "主管" in errors["allowed_by"][0]
    ok = lend(clerk, session, "A栋-402", emergency="y", emergency_type="跑水",
              allowed_by=user_id(session, "head"))
    assert ok.status_code == 302
    assert key(session, "A栋-402").state == "借出"


def test_a_replaced_lost_key_is_back_in_the_cabinet(clerk: Any, session: Any) -> None:
    assert key(session, "公共-消防通道").state == "遗失"  # lost on a sample loan
    response = clerk.post("/admin/key_cut_requests/new/", {
        "key": str(key(session, "公共-消防通道").id), "reason": "丢失", "action": "更换", "quantity": "2",
        "applicant": "龚小聪", "done_on": "2026-11-25"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert key(session, "公共-消防通道").state == "在柜"
    assert session.scalar(sa.select(sa.func.count(KeyCutRequest.id))
                          .where(KeyCutRequest.done_on == dt.date(2026, 11, 25))) == 1


# -- the weekly check -----------------------------------------------------------------------------------


def lines_of(session: Any, check_id: int) -> dict[str, KeyCheckLine]:
    session.expire_all()
    check = session.get(KeyCheck, check_id)
    return {line.key.label: line for line in check.lines}


def newest_check(session: Any) -> KeyCheck:
    session.expire_all()
    return session.scalar(sa.select(KeyCheck).order_by(KeyCheck.id.desc()).limit(1))


def check_form(session: Any, **extra: str) -> dict[str, str]:
    return {"checked_on": "2025-06-10", "checker": user_id(session, "clerk"), **extra}


def test_a_new_check_lists_every_key_in_custody_with_its_ledger_state(clerk: Any, session: Any) -> None:
    response = clerk.post(CHECKS + "new/", check_form(session))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    check = newest_check(session)
    lines = lines_of(session, check.id)
    assert len(lines) == 15  # every key of the seeded ledger
    assert (lines["A栋-501"].ledger_state, lines["A栋-501"].found_state) == ("借出", "借出")
    assert (lines["公共-消防通道"].ledger_state, lines["公共-消防通道"].found_state) == ("遗失", "遗失")
    assert check.keys_checked == 28  # 29 keys in 15 groups, less the lost one
    assert check.differences == "公共-消防通道:遗失"


def test_the_check_lists_the_differences_the_clerk_found(clerk: Any, session: Any) -> None:
    data = check_form(session, **{
        "lines-0-key": str(key(session, "A栋-702").id), "lines-0-found_state": "短缺",
        "lines-0-note": "少 1 把",
        "lines-1-key": str(key(session, "A栋-501").id), "lines-1-found_state": "在柜"})
    assert clerk.post(CHECKS + "new/", data).status_code == 302
    check = newest_check(session)
    assert len(lines_of(session, check.id)) == 15  # the two listed, the 13 others added from the ledger
    assert check.differences == ("A栋-702:台账在柜,实查短缺(少 1 把);A栋-501:台账借出,实查在柜;"
                                 "公共-消防通道:遗失")
    page = clerk.get(CHECKS + f"details/?id={check.id}").get_data(as_text=True)
    assert "台账状态" in page and "少 1 把" in page


def test_editing_a_line_updates_the_differences(clerk: Any, session: Any) -> None:
    clerk.post(CHECKS + "new/", check_form(session))
    check = newest_check(session)
    data = check_form(session)
    for index, line in enumerate(check.lines):
        data[f"lines-{index}-id"] = str(line.id)
        data[f"lines-{index}-key"] = str(line.key_id)
        data[f"lines-{index}-found_state"] = "损坏" if line.key.label == "公共-天台" else line.found_state
    assert clerk.post(CHECKS + f"edit/?id={check.id}", data).status_code == 302
    check = newest_check(session)
    assert check.differences == "公共-天台:台账在柜,实查损坏;公共-消防通道:遗失"
    assert lines_of(session, check.id)["公共-天台"].ledger_state == "在柜"


def test_loans_in_week_counts_the_check_day_and_the_six_before(clerk: Any, session: Any) -> None:
    sky = key(session, "公共-天台")
    for lent_at in ("2025-06-03 23:59", "2025-06-04 00:00", "2025-06-10 23:00", "2025-06-11 00:00"):
        moment = dt.datetime.fromisoformat(lent_at)
        session.add(KeyLoan(key=sky, borrower="韩师傅", purpose="天台水箱巡查", lent_at=moment,
                            due_back_at=moment, returned_at=moment, return_condition="完好"))
    session.commit()
    assert clerk.post(CHECKS + "new/", check_form(session)).status_code == 302
    assert newest_check(session).loans_in_week == 2


def test_the_seeded_checks_are_summarised_from_their_lines(session: Any) -> None:
    session.expire_all()
    checks = session.scalars(sa.select(KeyCheck).order_by(KeyCheck.checked_on)).all()
    assert [c.differences for c in checks] == ["公共-消防通道:遗失(工程部借用后未找到)",
                                               "A栋-702:在柜(封条脱落);公共-消防通道:遗失"]
    assert [c.keys_checked for c in checks] == [28, 28]
    assert [c.loans_in_week for c in checks] == [1, 3]
