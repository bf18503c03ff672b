"""Deadlines on lists, the 日清日审 board, its sign-off and `flask board --json`, through HTTP."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import sqlalchemy as sa

from admin_app import board as engine
from admin_app.clock import now, today
from models.complaints import Complaint
from models.deadlines import DayReview, DueItem
from models.keys import Key, KeyLoan
from models.reference import User
from models.repairs import RepairOrder

FMT = "%Y-%m-%d %H:%M:%S"


def user_id(session: Any, username: str) -> int:
    return session.scalar(sa.select(User.id).where(User.username == username))


def post_repair(clerk: Any, called_at: dt.datetime, resident: str, **extra: str) -> Any:
    data = {"called_at": called_at.strftime(FMT), "resident": resident, "phone": "13800000000",
            "content": "卫生间漏水", **extra}
    return clerk.post("/admin/repair_orders/new/", data)


def items(session: Any, model: type, record_id: int) -> list[DueItem]:
    session.expire_all()
    return list(session.scalars(sa.select(DueItem).where(DueItem.register == model.__name__,
                                                         DueItem.record_id == record_id)))


def repair_id(session: Any, resident: str) -> int:
    return session.scalar(sa.select(RepairOrder.id).where(RepairOrder.resident == resident))


def test_a_repair_saved_from_the_form_gets_its_five_minute_deadline(clerk: Any, session: Any) -> None:
    called = now() - dt.timedelta(minutes=20)
    assert post_repair(clerk, called, "超时测试户").status_code == 302
    (item,) = items(session, RepairOrder, repair_id(session, "超时测试户"))
    assert item.deadline == "接报5分钟内通知工程部"
    assert item.due_at == called + dt.timedelta(minutes=5)
    assert item.done_at is None
    assert item.owner_id == user_id(session, "clerk")


def test_repairs_saved_in_one_flush_each_get_their_own_deadline(session: Any) -> None:
    called = now() - dt.timedelta(hours=1)
    orders = [RepairOrder(called_at=called + dt.timedelta(minutes=i), resident=f"同批户{i}",
                          phone="13800000000", content="灯不亮") for i in range(3)]
    session.add_all(orders)
    session.flush()
    for i, order in enumerate(orders):
        (item,) = session.scalars(sa.select(DueItem).where(DueItem.register == "RepairOrder",
                                                          DueItem.record_id == order.id)).all()
        assert (item.number, item.due_at) == (order.number, called + dt.timedelta(minutes=i + 5))
    session.rollback()


def test_dispatching_the_engineer_closes_the_matter(clerk: Any, session: Any) -> None:
    called = now() - dt.timedelta(minutes=3)
    post_repair(clerk, called, "派单测试户")
    rid = repair_id(session, "派单测试户")
    dispatched = called + dt.timedelta(minutes=4)
    form = {"called_at": called.strftime(FMT), "resident": "派单测试户", "phone": "13800000000",
            "content": "卫生间漏水", "dispatched_at": dispatched.strftime(FMT)}
    assert clerk.post(f"/admin/repair_orders/edit/?id={rid}", form).status_code == 302
    (item,) = items(session, RepairOrder, rid)
    assert item.done_at == dispatched


def test_list_shows_overdue_badge_and_filters_by_state(clerk: Any, session: Any) -> None:
    post_repair(clerk, now() - dt.timedelta(hours=1), "列表超时户")
    post_repair(clerk, now() - dt.timedelta(hours=1), "列表已派户",
                dispatched_at=(now() - dt.timedelta(minutes=58)).strftime(FMT))
    page = clerk.get("/admin/repair_orders/").get_data(as_text=True)
    assert "办理时限" in page and "已超时" in page
    overdue = clerk.get("/admin/repair_orders/?flt0_0=已超时").get_data(as_text=True)
    assert "列表超时户" in overdue and "列表已派户" not in overdue
    on_time = clerk.get("/admin/repair_orders/?flt0_0=按时完成").get_data(as_text=True)
    assert "列表已派户" in on_time and "列表超时户" not in on_time


def test_each_deadline_state_filter_shows_the_records_in_that_state(clerk: Any) -> None:
    """Open states are read from the index of open items, done states looked up per record: the
    same rule as the badge either way."""
    at = now()
    minutes = lambda n: (at - dt.timedelta(minutes=n)).strftime(FMT)  # noqa: E731
    wanted = {"已超时": ("状态超时户", 60, None), "即将到期": ("状态将到期户", 3.5, None),
              "正常": ("状态正常户", 1, None), "按时完成": ("状态按时户", 60, 58),
              "超时完成": ("状态迟办户", 60, 30)}
    for name, called, dispatched in wanted.values():
        extra = {} if dispatched is None else {"dispatched_at": minutes(dispatched)}
        assert post_repair(clerk, at - dt.timedelta(minutes=called), name, **extra).status_code == 302
    for state, (name, _, _) in wanted.items():
        page = clerk.get(f"/admin/repair_orders/?flt0_0={state}").get_data(as_text=True)
        shown = {n for n, _, _ in wanted.values() if n in page}
        assert shown == {name}, state


def test_a_made_up_filter_value_shows_nothing_not_an_error(clerk: Any) -> None:
    response = clerk.get("/admin/repair_orders/?flt0_0=<script>")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_home_page_board_lists_overdue_first_with_the_owner(clerk: Any, session: Any) -> None:
    post_repair(clerk, now() - dt.timedelta(minutes=30), "看板超时户")
    page = clerk.get("/admin/").get_data(as_text=True)
    assert "日清日审" in page
    board_html = page[page.index('id="board"'):]
    rows = re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", board_html, re.S)
    assert rows, "the board lists matters"
    assert "已超时" in rows[0]
    mine = next(r for r in rows if "看板超时户" in r)
    clerk_name = session.scalar(sa.select(User.name).where(User.username == "clerk"))
    assert clerk_name in mine and "接报5分钟内通知工程部" in mine


def test_key_lent_yesterday_and_not_returned_is_overdue_on_the_board(session: Any, clerk: Any) -> None:
    key = session.scalar(sa.select(Key).where(Key.state == "在柜").limit(1))
    lent = now() - dt.timedelta(days=1)
    session.add(KeyLoan(key_id=key.id, borrower="昨天借钥匙的人", purpose="验房", lent_at=lent,
                        due_back_at=lent + dt.timedelta(hours=2)))
    session.commit()
    view = engine.board(session, today())
    matter = next(m for m in view.matters if m.title == "昨天借钥匙的人")
    assert matter.state == "已超时" and matter.deadline == "借用钥匙当日归还"
    assert matter.due_at == dt.datetime.combine(lent.date() + dt.timedelta(days=1), dt.time())


def test_complaint_owner_is_the_first_responder_and_stays_until_closed(session: Any) -> None:
    first, other = user_id(session, "clerk"), user_id(session, "head")
    complaint = Complaint(received_at=now(), complainant="首问测试", content="噪音", first_responder_id=first)
    session.add(complaint)
    session.commit()
    complaint.first_responder_id = other
    session.commit()
    (item,) = items(session, Complaint, complaint.id)
    assert item.owner_id == first and item.done_at is None
    complaint.verification = "已核实:楼上装修"
    session.commit()
    (item,) = items(session, Complaint, complaint.id)
    assert item.done_at is not None


def test_deleting_a_record_removes_its_matters(session: Any, clerk: Any) -> None:
    post_repair(clerk, now(), "删除测试户")
    rid = repair_id(session, "删除测试户")
    session.delete(session.get(RepairOrder, rid))
    session.commit()
    assert items(session, RepairOrder, rid) == []


def test_head_signs_off_the_day_with_what_was_open(head: Any, clerk: Any, session: Any) -> None:
    post_repair(clerk, now() - dt.timedelta(minutes=30), "签核未办户")
    response = head.post("/admin/board/signoff", {"date": today().isoformat(), "remarks": "明日跟进"})
    assert response.status_code == 302
    session.expire_all()
    review = session.scalar(sa.select(DayReview).where(DayReview.day == today()))
    assert review.recorded_by_id == user_id(session, "head")
    assert review.open_count >= 1 and review.overdue_count >= 1
    assert "签核未办户" in review.summary and review.remarks == "明日跟进"
    page = head.get("/admin/board/").get_data(as_text=True)
    assert "已由" in page and "签核" in page


def test_a_day_is_signed_off_only_once(head: Any, session: Any) -> None:
    head.post("/admin/board/signoff", {"date": today().isoformat()})
    again = head.post("/admin/board/signoff", {"date": today().isoformat()}, follow_redirects=True)
    assert "不能重复签核" in again.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(DayReview)) == 1


def test_a_clerk_cannot_sign_off(clerk: Any, session: Any) -> None:
    assert clerk.post("/admin/board/signoff", {"date": today().isoformat()}).status_code == 403
    assert "签核" not in clerk.get("/admin/board/").get_data(as_text=True).split('id="board"')[1].split(
        "card-footer")[1].replace("签核未", "")
    assert session.scalar(sa.select(sa.func.count()).select_from(DayReview)) == 0


def test_a_future_day_cannot_be_signed(head: Any, session: Any) -> None:
    tomorrow = today() + dt.timedelta(days=1)
    page = head.post("/admin/board/signoff", {"date": tomorrow.isoformat()}, follow_redirects=True)
    assert "不能签核未来的日期" in page.get_data(as_text=True)


def test_day_review_register_is_read_only(head: Any) -> None:
    assert head.get("/admin/day_reviews/").status_code == 200
    assert head.get("/admin/day_reviews/new/").status_code == 403


def test_board_with_a_bad_date_says_so_in_chinese(clerk: Any) -> None:
    response = clerk.get("/admin/board/?date=2026-13-45", follow_redirects=True)
    assert response.status_code == 200
    assert "日期格式不正确" in response.get_data(as_text=True)


def test_board_of_a_past_day_is_seen_at_its_end(clerk: Any, session: Any) -> None:
    yesterday = today() - dt.timedelta(days=1)
    called = dt.datetime.combine(yesterday, dt.time(15, 0))
    post_repair(clerk, called, "昨日报修户", dispatched_at=now().strftime(FMT))  # dispatched only today
    view = engine.board(session, yesterday)
    matter = next(m for m in view.matters if "昨日报修户" in m.title)
    assert matter.state == "已超时"  # still open at the end of yesterday
    assert view.total == len(view.matters) and view.by_state["已超时"] >= 1  # counted as it is listed
    assert all("昨日报修户" not in m.title for m in engine.board(session, today()).matters)


def test_users_without_deadline_registers_get_no_board(as_user: Any) -> None:
    accountant = as_user("accountant")
    assert 'id="board"' not in accountant.get("/admin/").get_data(as_text=True)
    assert accountant.get("/admin/board/").status_code == 403


def test_board_command_prints_every_open_matter_as_json(app: Any, clerk: Any) -> None:
    post_repair(clerk, now() - dt.timedelta(minutes=30), "命令行报修户")
    result = app.test_cli_runner().invoke(args=["board", "--date", today().isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["date"] == today().isoformat()
    matter = next(m for m in data["matters"] if "命令行报修户" in m["title"])
    assert matter["register_label"] == "客服报修记录"
    assert matter["state"] == "已超时" and matter["owner"]
    assert set(matter) >= {"register", "number", "owner", "deadline", "due_at", "state"}
    assert data["open"] == sum(data["by_state"].values())


def test_board_command_rejects_a_bad_date(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["board", "--date", "昨天"])
    assert result.exit_code != 0


def test_registers_json_declares_the_deadlines(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["registers", "--json"])
    repairs = next(r for r in json.loads(result.output) if r["name"] == "RepairOrder")
    assert repairs["deadlines"] == [{"label": "接报5分钟内通知工程部", "start": "called_at",
                                     "done": "dispatched_at", "offset_minutes": 5, "day_end": False,
                                     "owner": "recorded_by"}]


def test_board_shows_a_missing_weekly_key_check_as_a_duty(clerk: Any, session: Any) -> None:
    from models.keys import KeyCheck

    session.execute(sa.delete(KeyCheck))
    session.commit()
    page = clerk.get("/admin/").get_data(as_text=True)
    duties = page[page.index('id="duties"'):]
    line = next(li for li in duties.split("<li>") if "每周至少对照台账查验一次钥匙" in li)
    assert "已完成" not in line
    view = engine.board(session, today())
    duty = next(d for d in view.duties if d.register == "KeyCheck")
    assert duty.state in ("正常", "即将到期") and duty.due_at.weekday() == 0  # due by Sunday midnight


def test_filing_last_weeks_income_report_meets_the_monday_duty(clerk: Any, session: Any) -> None:
    from admin_app.rules.deadlines import period_start
    from models.front_desk import ReportFiling

    session.execute(sa.delete(ReportFiling))
    session.commit()
    duty = "每周一报上周收入明细表"
    assert next(d for d in engine.board(session, today()).duties if d.label == duty).state != "已完成"
    last_monday = period_start(today(), "week", back=1)
    response = clerk.post("/admin/report_filings/new/", {
        "report": "收入明细表(周报)", "period_start": last_monday.isoformat(),
        "filed_on": today().isoformat(), "filed_to": "财务会计"})
    assert response.status_code == 302
    assert next(d for d in engine.board(session, today()).duties if d.label == duty).state == "已完成"
