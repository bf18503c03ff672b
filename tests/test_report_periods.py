"""The report period helper: weeks start on Monday, months end on their last day, quarters, parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from admin_app.reports.periods import (
    Period,
    PeriodError,
    current,
    last_finished,
    month_of,
    parse,
    quarter_of,
    week_of,
)

D = dt.date


def test_a_week_runs_monday_to_sunday() -> None:
    week = week_of(D(2024, 2, 29))  # a Thursday
    assert (week.start, week.end) == (D(2024, 2, 26), D(2024, 3, 3))
    assert week.start.weekday() == 0 and week.code == "2024-W09"


def test_sunday_belongs_to_the_week_of_the_monday_before() -> None:
    assert week_of(D(2024, 3, 3)).start == D(2024, 2, 26)
    assert week_of(D(2024, 3, 4)).start == D(2024, 3, 4)


def test_iso_week_crossing_the_new_year_is_named_by_its_monday_year() -> None:
    week = week_of(D(2025, 1, 1))
    assert (week.start, week.code) == (D(2024, 12, 30), "2025-W01")


def test_february_of_a_leap_year_ends_on_the_29th() -> None:
    assert month_of(D(2024, 2, 10)).end == D(2024, 2, 29)
    assert month_of(D(2023, 2, 10)).end == D(2023, 2, 28)


def test_month_end_days() -> None:
    assert month_of(D(2024, 4, 1)).end == D(2024, 4, 30)
    assert month_of(D(2024, 12, 31)) == Period("month", D(2024, 12, 1), D(2024, 12, 31))


def test_quarter_and_the_one_before_crossing_the_year() -> None:
    q1 = quarter_of(D(2024, 2, 29))
    assert (q1.start, q1.end, q1.code) == (D(2024, 1, 1), D(2024, 3, 31), "2024-Q1")
    assert q1.previous() == Period("quarter", D(2023, 10, 1), D(2023, 12, 31))
    assert quarter_of(D(2024, 5, 31)).end == D(2024, 6, 30)


def test_last_finished_is_the_period_before_today() -> None:
    assert last_finished("week", D(2024, 3, 4)) == Period("week", D(2024, 2, 26), D(2024, 3, 3))
    assert last_finished("month", D(2024, 3, 1)) == Period("month", D(2024, 2, 1), D(2024, 2, 29))
    assert last_finished("quarter", D(2024, 4, 5)).code == "2024-Q1"


def test_current_contains_today() -> None:
    for kind in ("week", "month", "quarter", "range"):
        assert current(kind, D(2024, 2, 29)).contains(D(2024, 2, 29))


def test_next_of_january_31_is_february_whole() -> None:
    assert month_of(D(2024, 1, 31)).next() == Period("month", D(2024, 2, 1), D(2024, 2, 29))


def test_a_range_shifts_by_its_own_length() -> None:
    period = parse("2024-02-01~2024-02-10")
    assert period.previous() == Period("range", D(2024, 1, 22), D(2024, 1, 31))


def test_bounds_cover_the_whole_last_day() -> None:
    start, end = month_of(D(2024, 2, 1)).bounds
    assert (start, end) == (dt.datetime(2024, 2, 1), dt.datetime(2024, 3, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-W09", Period("week", D(2024, 2, 26), D(2024, 3, 3))),
        ("2024-w9", Period("week", D(2024, 2, 26), D(2024, 3, 3))),
        ("2024-02", Period("month", D(2024, 2, 1), D(2024, 2, 29))),
        ("2024-2", Period("month", D(2024, 2, 1), D(2024, 2, 29))),
        ("2024年2月", Period("month", D(2024, 2, 1), D(2024, 2, 29))),
        ("2024-Q4", Period("quarter", D(2024, 10, 1), D(2024, 12, 31))),
        (" 2024-02-01 ~ 2024-02-29 ", Period("range", D(2024, 2, 1), D(2024, 2, 29))),
        ("2024-02-01至2024-02-29", Period("range", D(2024, 2, 1), D(2024, 2, 29))),
    ],
)
def test_parse_accepts_the_written_forms(text: str, expected: Period) -> None:
    assert parse(text) == expected


def test_codes_parse_back_to_the_same_period() -> None:
    for period in (
        week_of(D(2024, 12, 30)),
        month_of(D(2024, 2, 1)),
        quarter_of(D(2024, 7, 1)),
        Period("range", D(2024, 1, 1), D(2024, 1, 9)),
    ):
        assert parse(period.code) == period


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-13", "月份为 1–12"),
        ("2023-02-29~2023-03-01", "不是有效的日期"),
        ("2024-W54", "最多 53 周"),
        ("上个月", "无法识别统计期间「上个月」"),
        ("", "无法识别统计期间"),
        ("2024-03-01~2024-02-01", "早于开始日期"),
        ("2000-01-01~2024-01-01", "一次最多统计三年"),
    ],
)
def test_bad_input_gets_a_chinese_message(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse(text)


def test_a_kind_the_report_does_not_use_is_refused_with_what_to_type() -> None:
    with pytest.raises(
        PeriodError, match="本报表不按季度统计。请按以下格式填写:按周填 2024-W05;按月填 2024-05"
    ):
        parse("2024-Q1", ("week", "month"))


def test_labels_read_in_chinese() -> None:
    assert month_of(D(2024, 2, 1)).label == "2024年2月"
    assert quarter_of(D(2024, 5, 1)).label == "2024年第二季度(2024-04-01 至 2024-06-30)"
    assert week_of(D(2024, 2, 29)).label == "2024年第9周(2024-02-26 至 2024-03-03)"
