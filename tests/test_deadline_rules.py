"""Deadline arithmetic and states with the handbooks' own limits (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from admin_app.rules.deadlines import (
    DONE,
    DONE_LATE,
    DUE_SOON,
    NORMAL,
    OVERDUE,
    describe_late,
    due_at,
    duty_due,
    period_end,
    period_start,
    state,
    worst,
)

T = dt.datetime


def test_repair_dispatch_is_due_five_minutes_after_the_call() -> None:
    assert due_at(T(2026, 12, 2, 9, 58), dt.timedelta(minutes=5)) == T(2026, 12, 2, 10, 3)


def test_five_minutes_across_midnight_of_a_leap_day() -> None:
    assert due_at(T(2028, 2, 29, 23, 57), dt.timedelta(minutes=5)) == T(2028, 3, 1, 0, 2)


def test_same_day_return_is_due_at_midnight() -> None:
    assert due_at(T(2026, 12, 2, 9, 10), day_end=True) == T(2026, 12, 3)


def test_same_day_on_the_last_day_of_the_year() -> None:
    assert due_at(T(2026, 12, 31, 23, 59), day_end=True) == T(2027, 1, 1)


def test_apply_one_week_ahead_of_a_move_in_on_march_first_of_a_leap_year() -> None:
    # moving in 2028-03-01: the application is due by the end of 2028-02-23 (Feb has 29 days)
    assert due_at(T(2028, 3, 1, 10), dt.timedelta(days=-7), day_end=True) == T(2028, 2, 24)


def test_re_evaluation_fifteen_days_after_move_in_on_a_date() -> None:
    assert due_at(dt.date(2026, 2, 20), dt.timedelta(days=15), day_end=True) == T(2026, 3, 8)


@pytest.mark.parametrize(("at", "expected"), [
    (T(2026, 12, 2, 10, 0), NORMAL),
    (T(2026, 12, 2, 10, 1), DUE_SOON),     # warning window starts 2 minutes before
    (T(2026, 12, 2, 10, 2, 59), DUE_SOON),
    (T(2026, 12, 2, 10, 3), OVERDUE),      # at the due minute the limit is gone
    (T(2026, 12, 3, 10, 3), OVERDUE),
])
def test_open_matter_state_at_the_boundaries(at: dt.datetime, expected: str) -> None:
    assert state(T(2026, 12, 2, 10, 3), None, at, dt.timedelta(minutes=2)) == expected


def test_done_at_the_due_minute_is_on_time() -> None:
    due = T(2026, 12, 2, 10, 3)
    assert state(due, due, T(2026, 12, 9)) == DONE


def test_done_one_second_late_is_late_forever() -> None:
    due = T(2026, 12, 2, 10, 3)
    assert state(due, due + dt.timedelta(seconds=1), T(2027, 1, 1)) == DONE_LATE


def test_worst_state_of_a_record_with_several_deadlines() -> None:
    assert worst([DONE, NORMAL, DONE_LATE]) == DONE_LATE
    assert worst([DUE_SOON, OVERDUE]) == OVERDUE
    assert worst([]) is None


def test_how_late_reads_in_chinese() -> None:
    due = T(2026, 12, 2, 10, 0)
    assert describe_late(due, T(2026, 12, 3, 12, 15)) == "超时1天2小时15分"
    assert describe_late(due, T(2026, 12, 2, 9, 57)) == "剩余3分"
    assert describe_late(due, due) == "超时0分"


def test_attendance_of_january_is_due_by_the_fourth_of_february() -> None:
    assert due_at(dt.date(2026, 1, 1), dt.timedelta(days=3), day_end=True, months=1) == T(2026, 2, 5)


def test_periods_start_on_monday_the_first_and_the_quarter() -> None:
    sunday = dt.date(2026, 12, 6)
    assert period_start(sunday, "week") == dt.date(2026, 11, 30)
    assert period_start(sunday, "week", back=1) == dt.date(2026, 11, 23)
    assert period_start(dt.date(2028, 3, 31), "month", back=1) == dt.date(2028, 2, 1)
    assert period_start(dt.date(2026, 1, 2), "quarter", back=1) == dt.date(2025, 10, 1)
    assert period_end(dt.date(2025, 10, 1), "quarter") == dt.date(2026, 1, 1)


def test_smart_card_summary_is_due_by_the_fifth_of_the_quarters_first_month() -> None:
    assert duty_due(dt.date(2026, 11, 20), "quarter", 5) == T(2026, 10, 6)


def test_weekly_income_report_is_due_by_monday_night_and_the_key_check_by_sunday_night() -> None:
    assert duty_due(dt.date(2026, 12, 3), "week", 1) == T(2026, 12, 1)
    assert duty_due(dt.date(2026, 12, 3), "week", None) == T(2026, 12, 7)
