"""Callbacks: the 回访计划 of a postpartum contract (003 4.3.1, 4.8.2) with the handbook's dates, month ends
and leap years; plans kept without duplicates when dates change; a closed complaint called back within
three days and a departed guest the next day (002 回访要求); the callback rates with exact percentages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from admin_app.clock import now, today
from admin_app.rules import callbacks as rules
from models.archives import GuestProfile
from models.complaints import Complaint, ComplaintHandling, CustomerCallback
from models.postpartum import CALLBACK_OCCASIONS, ClientArchive, ClientCallback, SignedClientHandover
from models.reference import User

D = dt.date
DAY = dt.timedelta(days=1)


# -- the schedule as a plain function -------------------------------------------------------------------


def test_schedule_of_a_contract_signed_2026_03_02_due_2026_09_15() -> None:
    # Pregnancy began 2025-12-09 (due − 280 days); month 7 begins 2026-06-09.
    assert rules.pregnancy_schedule(D(2026, 3, 2), D(2026, 9, 15)) == [
        (D(2026, 3, 2), "签约当天"),
        (D(2026, 3, 9), "签约一周后"),
        (D(2026, 4, 2), "孕6个月前每月"),
        (D(2026, 5, 2), "孕6个月前每月"),
        (D(2026, 6, 2), "孕6个月前每月"),
        (D(2026, 6, 9), "孕7-9个月每周"),
        (D(2026, 6, 16), "孕7-9个月每周"),
        (D(2026, 6, 23), "孕7-9个月每周"),
        (D(2026, 6, 30), "孕7-9个月每周"),
        (D(2026, 7, 7), "孕7-9个月每周"),
        (D(2026, 7, 14), "孕7-9个月每周"),
        (D(2026, 7, 21), "孕7-9个月每周"),
        (D(2026, 7, 28), "孕7-9个月每周"),
        (D(2026, 8, 4), "孕7-9个月每周"),
        (D(2026, 8, 11), "孕7-9个月每周"),
        (D(2026, 8, 15), "预产期前1个月"),
        (D(2026, 8, 18), "孕7-9个月每周"),
        (D(2026, 8, 25), "孕7-9个月每周"),
        (D(2026, 9, 1), "孕7-9个月每周"),
        (D(2026, 9, 8), "预产期前1周"),
    ]


def test_schedule_due_on_29_february_2028_keeps_month_ends() -> None:
    # Began 2027-05-25, month 7 from 2027-11-25; signed on the 31st: monthly on the month's last day.
    assert rules.pregnancy_schedule(D(2027, 7, 31), D(2028, 2, 29)) == [
        (D(2027, 7, 31), "签约当天"),
        (D(2027, 8, 7), "签约一周后"),
        (D(2027, 8, 31), "孕6个月前每月"),
        (D(2027, 9, 30), "孕6个月前每月"),
        (D(2027, 10, 31), "孕6个月前每月"),
        (D(2027, 11, 30), "孕7-9个月每周"),
        (D(2027, 12, 7), "孕7-9个月每周"),
        (D(2027, 12, 14), "孕7-9个月每周"),
        (D(2027, 12, 21), "孕7-9个月每周"),
        (D(2027, 12, 28), "孕7-9个月每周"),
        (D(2028, 1, 4), "孕7-9个月每周"),
        (D(2028, 1, 11), "孕7-9个月每周"),
        (D(2028, 1, 18), "孕7-9个月每周"),
        (D(2028, 1, 25), "孕7-9个月每周"),
        (D(2028, 1, 29), "预产期前1个月"),
        (D(2028, 2, 1), "孕7-9个月每周"),
        (D(2028, 2, 8), "孕7-9个月每周"),
        (D(2028, 2, 15), "孕7-9个月每周"),
        (D(2028, 2, 22), "预产期前1周"),
    ]


@pytest.mark.parametrize(("due", "month_before"), [
    (D(2028, 3, 31), D(2028, 2, 29)),  # leap year
    (D(2027, 3, 31), D(2027, 2, 28)),
    (D(2027, 1, 15), D(2026, 12, 15)),  # across the year
])
def test_one_month_before_the_due_date_takes_the_months_last_day(due: dt.date, month_before: dt.date) -> None:
    planned = dict((kind, day) for day, kind in rules.pregnancy_schedule(due - 200 * DAY, due))
    assert planned["预产期前1个月"] == month_before


def test_pregnancy_months_count_back_40_weeks_from_the_due_date() -> None:
    assert rules.pregnancy_month_start(D(2028, 2, 29), 1) == D(2027, 5, 25)
    assert rules.pregnancy_month_start(D(2028, 2, 29), 7) == D(2027, 11, 25)
    assert rules.pregnancy_month_start(D(2026, 11, 1), 7) == D(2026, 7, 25)  # began 2026-01-25


def test_a_contract_signed_in_month_8_gets_no_monthly_calls_and_nothing_before_signing() -> None:
    planned = rules.pregnancy_schedule(D(2026, 8, 20), D(2026, 9, 15))
    assert planned == [
        (D(2026, 8, 20), "签约当天"),
        (D(2026, 8, 25), "孕7-9个月每周"),
        (D(2026, 8, 27), "签约一周后"),
        (D(2026, 9, 1), "孕7-9个月每周"),
        (D(2026, 9, 8), "预产期前1周"),
    ]


def test_a_due_date_beyond_40_weeks_brings_only_the_signing_calls() -> None:
    assert rules.pregnancy_schedule(D(2026, 1, 5), D(2026, 10, 13)) == [
        (D(2026, 1, 5), "签约当天"), (D(2026, 1, 12), "签约一周后")]


def test_discharge_brings_three_daily_calls_across_the_month_end() -> None:
    assert rules.discharge_schedule(D(2028, 2, 28)) == [
        (D(2028, 2, 29), "出所后3天"), (D(2028, 3, 1), "出所后3天"), (D(2028, 3, 2), "出所后3天")]


def test_complaint_and_departure_callbacks_fall_three_days_and_one_day_later() -> None:
    assert rules.complaint_callback_due(dt.datetime(2026, 12, 30, 17, 45)) == D(2027, 1, 2)
    assert rules.departure_callback_due(D(2028, 2, 28)) == D(2028, 2, 29)


def test_every_generated_occasion_is_a_choice_of_the_register() -> None:
    assert set(rules.CONTENT) <= set(CALLBACK_OCCASIONS)


# -- the 回访计划 rows of a client archive ---------------------------------------------------------------


def user_id(session: Any, username: str) -> int:
    return session.scalar(sa.select(User.id).where(User.username == username))


def new_handover(session: Any, signed_on: dt.date, due_date: dt.date) -> SignedClientHandover:
    handover = SignedClientHandover(
        contract_no=f"HT-T{signed_on:%m%d}{due_date:%m%d}", client_name="测试客户", phone="13900001111",
        package="尊享套餐", list_price=Decimal(46800), first_payment=Decimal(5000),
        balance_due=Decimal(41800), days=28, signed_on=signed_on, due_date=due_date,
        sales_id=user_id(session, "sales"))
    session.add(handover)
    session.commit()
    return handover


def new_archive(session: Any, signed_on: dt.date, due_date: dt.date) -> ClientArchive:
    handover = new_handover(session, signed_on, due_date)
    archive = ClientArchive(handover_id=handover.id, signed_on=signed_on, due_date=due_date,
                            client_name="测试客户", phone="13900001111",
                            service_staff_id=user_id(session, "clerk"))
    session.add(archive)
    session.commit()
    return archive


def plan(session: Any, archive_id: int) -> list[tuple[dt.date, str, bool]]:
    session.expire_all()
    rows = session.scalars(sa.select(ClientCallback).where(ClientCallback.client_id == archive_id)
                           .order_by(ClientCallback.due_on, ClientCallback.kind))
    return [(r.due_on, r.kind, r.done_at is not None) for r in rows]


def test_opening_an_archive_through_the_form_plans_its_callbacks(as_user: Any, session: Any) -> None:
    signed, due = today(), today() + 200 * DAY
    handover = new_handover(session, signed, due)
    response = as_user("clerk").post("/admin/client_archives/new/", {
        "handover": str(handover.id), "signed_on": signed.isoformat(), "client_name": "测试客户",
        "phone": "13900001111", "due_date": due.isoformat(), "baby_count": "1",
        "service_staff": str(user_id(session, "employee"))})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    archive_id = session.scalar(sa.select(ClientArchive.id).where(ClientArchive.handover_id == handover.id))
    schedule = rules.pregnancy_schedule(signed, due)
    assert plan(session, archive_id) == [(day, kind, False) for day, kind in schedule]
    first = session.scalars(sa.select(ClientCallback).where(ClientCallback.client_id == archive_id)
                            .order_by(ClientCallback.due_on)).first()
    assert (first.kind, first.content, first.staff.username) == ("签约当天", "签约当天温馨短信", "employee")


def test_a_due_date_beyond_40_weeks_is_refused_at_its_field(as_user: Any, session: Any) -> None:
    signed = today()
    handover = new_handover(session, signed, signed + 100 * DAY)
    response = as_user("clerk").post("/admin/client_archives/new/", {
        "handover": str(handover.id), "signed_on": signed.isoformat(), "client_name": "测试客户",
        "phone": "13900001111", "due_date": (signed + 281 * DAY).isoformat(), "baby_count": "1"})
    assert response.status_code == 200
    assert "预产期不能晚于签单日期 40 周以上" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(ClientArchive)
                          .where(ClientArchive.handover_id == handover.id)) == 0


def test_an_archive_entered_late_plans_only_from_a_week_ago(session: Any) -> None:
    signed, due = today() - 30 * DAY, today() + 200 * DAY
    archive = new_archive(session, signed, due)
    since = today() - 7 * DAY
    schedule = rules.pregnancy_schedule(signed, due)
    assert plan(session, archive.id) == [(day, kind, False) for day, kind in schedule if day >= since]


def test_changing_the_due_date_replans_open_future_calls_without_duplicates(session: Any) -> None:
    signed, due = today(), today() + 200 * DAY
    archive = new_archive(session, signed, due)
    done_row = session.scalars(sa.select(ClientCallback).where(
        ClientCallback.client_id == archive.id, ClientCallback.kind == "签约当天")).one()
    done_row.done_at = now()
    later = session.scalars(sa.select(ClientCallback).where(
        ClientCallback.client_id == archive.id, ClientCallback.kind == "孕6个月前每月")
        .order_by(ClientCallback.due_on)).first()
    later.done_at, later.notes = now(), "提前问候过"
    session.commit()
    kept = (later.id, later.due_on)

    archive.due_date = due + 17 * DAY
    session.commit()

    rows = plan(session, archive.id)
    assert len(rows) == len(set((day, kind) for day, kind, _ in rows))  # no duplicates
    done = [(day, kind) for day, kind, is_done in rows if is_done]
    assert done == sorted([(signed, "签约当天"), (kept[1], "孕6个月前每月")])
    wanted = [(day, kind) for day, kind in rules.pregnancy_schedule(signed, due + 17 * DAY)
              if day >= today() and (day, kind) not in done and kind != "签约当天"]
    assert [(day, kind) for day, kind, is_done in rows if not is_done] == wanted
    assert session.get(ClientCallback, kept[0]).notes == "提前问候过"


def test_saving_an_archive_again_leaves_its_plan_alone(session: Any) -> None:
    archive = new_archive(session, today(), today() + 150 * DAY)
    ids = sa.select(ClientCallback.id).where(ClientCallback.client_id == archive.id).order_by("id")
    before = session.scalars(ids).all()
    archive.follow_up, archive.due_date = "已电话沟通", archive.due_date  # same due date
    session.commit()
    assert session.scalars(ids).all() == before


def test_moving_out_plans_three_daily_calls_and_moving_the_date_moves_them(session: Any) -> None:
    archive = new_archive(session, today() - 250 * DAY, today() - 20 * DAY)
    assert plan(session, archive.id) == []  # the whole pregnancy schedule is history
    archive.moved_out_on = today()
    session.commit()
    assert plan(session, archive.id) == [(today() + n * DAY, "出所后3天", False) for n in (1, 2, 3)]

    archive.moved_out_on = today() + DAY  # the stay was extended by a day
    session.commit()
    assert plan(session, archive.id) == [(today() + n * DAY, "出所后3天", False) for n in (2, 3, 4)]


# -- planned callbacks of complaints and departures ------------------------------------------------------


def new_complaint(session: Any, received_at: dt.datetime, who: str = "测试业主") -> Complaint:
    complaint = Complaint(received_at=received_at, complainant=who, phone="13900002222", content="楼道灯不亮",
                          first_responder_id=user_id(session, "clerk"), valid=True)
    session.add(complaint)
    session.commit()
    return complaint


def complaint_callbacks(session: Any, complaint_id: int) -> list[CustomerCallback]:
    session.expire_all()
    query = sa.select(CustomerCallback).where(CustomerCallback.complaint_id == complaint_id)
    return list(session.scalars(query))


def test_closing_a_complaint_plans_its_callback_three_days_later(head: Any, session: Any) -> None:
    complaint = new_complaint(session, now() - DAY)
    handling = ComplaintHandling(complaint_id=complaint.id, level="一般投诉", method="当场处理")
    session.add(handling)
    session.commit()
    assert complaint_callbacks(session, complaint.id) == []

    closed = now().replace(hour=16, minute=30, second=0)
    response = head.post(f"/admin/complaint_handlings/edit/?id={handling.id}", {
        "complaint": str(complaint.id), "level": "一般投诉", "method": "当场处理",
        "result": "已更换灯管", "resolved": "y", "closed_at": f"{closed:%Y-%m-%d %H:%M:%S}"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]

    [planned] = complaint_callbacks(session, complaint.id)
    assert (planned.kind, planned.due_on, planned.callback_date, planned.called_back_by_id) == (
        "投诉回访", closed.date() + 3 * DAY, None, None)
    assert (planned.visitee, planned.phone) == ("测试业主", "13900002222")


def test_a_callback_recorded_as_a_new_row_fulfils_the_plan(as_user: Any, session: Any) -> None:
    complaint = new_complaint(session, now() - 2 * DAY)
    session.add(ComplaintHandling(complaint_id=complaint.id, level="一般投诉", method="当场处理",
                                  closed_at=now() - DAY))
    session.commit()
    due = (now() - DAY).date() + 3 * DAY
    response = as_user("clerk").post("/admin/customer_callbacks/new/", {
        "kind": "投诉回访", "complaint": str(complaint.id), "visitee": "测试业主",
        "callback_date": today().isoformat(), "method": "电话", "satisfaction": "满意",
        "called_back_by": str(user_id(session, "clerk"))})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    [row] = complaint_callbacks(session, complaint.id)
    assert (row.due_on, row.callback_date, row.satisfaction) == (due, today(), "满意")


def test_a_done_callback_needs_its_caller(as_user: Any, session: Any) -> None:
    response = as_user("clerk").post("/admin/customer_callbacks/new/", {
        "kind": "入户回访", "visitee": "测试业主", "callback_date": today().isoformat(), "method": "电话"})
    assert response.status_code == 200
    assert "已回访的请填写回访人" in response.get_data(as_text=True)


def test_a_departed_guest_is_planned_for_the_next_day(session: Any) -> None:
    guest = GuestProfile(archive_no="T-0001", guest_name="测试散客", kind="散客", phone="13900003333",
                         stay_on=today() - 2 * DAY)
    session.add(guest)
    session.commit()
    guest.left_on = today()
    session.commit()
    session.expire_all()
    rows = session.scalars(sa.select(CustomerCallback).where(CustomerCallback.guest_id == guest.id)).all()
    assert [(r.kind, r.due_on, r.visitee, r.callback_date) for r in rows] == [
        ("离店次日回访", today() + DAY, "测试散客", None)]


# -- callback rates ------------------------------------------------------------------------------------------


@pytest.fixture
def march_2025(session: Any) -> None:
    """Four complaints closed in March 2025 and one in April: called back by the manager the next day,
    by a clerk on day 3 (in time), by a clerk on day 4 (late), not at all."""
    clerk, manager = user_id(session, "clerk"), user_id(session, "manager")
    cases = [(D(2025, 3, 3), [(1, manager)]), (D(2025, 3, 10), [(3, clerk)]),
             (D(2025, 3, 31), [(4, clerk), (6, manager)]), (D(2025, 3, 20), []),
             (D(2025, 4, 1), [(1, clerk)])]
    for n, (closed, calls) in enumerate(cases):
        complaint = new_complaint(session, dt.datetime.combine(closed, dt.time(9)), f"业主{n}")
        session.add(ComplaintHandling(complaint_id=complaint.id, level="一般投诉", method="当场处理",
                                      closed_at=dt.datetime.combine(closed, dt.time(23, 50))))
        for days, caller in calls:
            session.add(CustomerCallback(kind="投诉回访", complaint_id=complaint.id, visitee=f"业主{n}",
                                         callback_date=closed + days * DAY, called_back_by_id=caller))
    session.commit()


def test_callback_rates_count_complaints_closed_in_the_period(session: Any, march_2025: None) -> None:
    rates = rules.complaint_callback_rates(session, D(2025, 3, 1), D(2025, 3, 31))
    assert (rates.closed, rates.in_time, rates.late, rates.called_back, rates.by_manager) == (4, 2, 2, 3, 2)
    assert rates.in_time_rate == Decimal("50.00")
    assert rates.manager_rate == Decimal("66.67")


def test_callback_rates_of_a_period_without_complaints_are_empty(session: Any) -> None:
    rates = rules.complaint_callback_rates(session, D(2020, 1, 1), D(2020, 1, 31))
    assert (rates.closed, rates.in_time_rate, rates.manager_rate) == (0, None, None)


def test_callback_rates_page_shows_the_percentages(head: Any, march_2025: None) -> None:
    page = head.get("/admin/callback-rates/?start=2025-03-10&end=2025-03-31").get_data(as_text=True)
    assert '<td id="closed">3</td>' in page
    assert "33.33%" in page  # in time: 1 of 3
    assert "50.00%" in page  # manager: 1 of 2 called back


def test_callback_rates_page_explains_a_bad_date(head: Any) -> None:
    response = head.get("/admin/callback-rates/?start=2025-13-01&end=2025-03-31")
    assert response.status_code == 200
    assert "「2025-13-01」不是日期" in response.get_data(as_text=True)


def test_callback_rates_page_needs_the_callback_register(as_user: Any) -> None:
    assert as_user("engineer").get("/admin/callback-rates/").status_code == 403


def test_deleting_an_archive_opened_by_mistake_takes_its_open_plan_along(session: Any) -> None:
    archive = new_archive(session, today(), today() + 200 * DAY)
    archive_id = archive.id
    session.delete(archive)
    session.commit()
    assert plan(session, archive_id) == []


def test_deleting_a_guest_takes_the_planned_callback_along(session: Any) -> None:
    guest = GuestProfile(archive_no="T-0002", guest_name="测试散客", kind="散客", stay_on=today() - DAY,
                         left_on=today())
    session.add(guest)
    session.commit()
    guest_id = guest.id
    session.delete(guest)
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(CustomerCallback)
                          .where(CustomerCallback.guest_id == guest_id)) == 0
