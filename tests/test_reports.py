"""报表: every report's numbers on the page and in the XLSX, period boundaries, permissions, bad input.

Records are dated in 2023–2024, away from the seeded samples (dated relative to today), so each
test knows every row its period counts.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from admin_app.clock import today
from admin_app.reports import complaints as complaint_report
from admin_app.reports.base import Chart, Col, ReportTable
from admin_app.reports.income import income_lines
from admin_app.reports.keys import held_on
from admin_app.reports.periods import last_finished, month_of
from models.archives import CustomerArchive
from models.complaints import Complaint, ComplaintHandling, CustomerCallback, OpinionSurvey
from models.finance import MonthlyStatement, TeaRoomIncome
from models.keys import Key, Pass, SmartCard
from models.reference import ChecklistItem, Department, Room, User
from models.residence import FamilyMeal, FamilyOvernight, Resident, WalkInCheckIn, WalkInCheckOut
from tests.factories import existing_row, make_row
from views.report_output import bar_chart

T = dt.datetime
D = dt.date


# ---------------------------------------------------------------- helpers


def cells(html: str) -> list[list[str]]:
    """The report table's rows (body and 合计) as the text of their cells."""
    table = html[html.index('class="table table-sm table-bordered table-hover report-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
        for r in rows[1:]
    ]


def row_of(html: str, *first: str) -> list[str]:
    return next(r for r in cells(html) if r[: len(first)] == list(first))


def sheet(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data)).active


def sheet_row(ws: Any, first: str) -> list[Any]:
    return next([c for c in row] for row in ws.iter_rows() if row[0].value == first)


def sheet_values(ws: Any, first: Any) -> list[Any]:
    return [c.value for c in sheet_row(ws, first)]


def room(session: Any) -> Room:
    return session.scalar(sa.select(Room).where(Room.floor != 9).order_by(Room.id).limit(1))


def user_id(session: Any, username: str) -> int:
    return session.scalar(sa.select(User.id).where(User.username == username))


def department(session: Any, name: str) -> Department:
    return session.scalar(sa.select(Department).where(Department.name == name))


def check_in(session: Any, when: T, fee: str, guest: str = "王先生", payment: str = "扫码") -> WalkInCheckIn:
    r = room(session)
    row = WalkInCheckIn(
        guest=guest,
        id_no="440100199001010011",
        room_type="单人间",
        floor=r.floor,
        room_id=r.id,
        check_in_at=when,
        nights=1,
        fee=Decimal(fee),
        payment=payment,
        receipt_no="R001",
    )
    session.add(row)
    session.commit()
    return row


# ---------------------------------------------------------------- 收入明细表


@pytest.fixture
def february_income(session: Any) -> None:
    """Leap-year February: 5,054.50 元 counted, the rest outside the month or not yet certain."""
    first = check_in(session, T(2024, 2, 29, 21, 0), "168.00")  # the last evening of a leap February
    check_in(session, T(2024, 3, 1, 0, 0), "999.00", guest="三月客")  # the first minute of March
    check_in(session, T(2024, 1, 31, 23, 59), "888.00", guest="一月客")
    session.add(
        WalkInCheckOut(
            check_in_id=first.id,
            checked_out_at=T(2024, 2, 29, 22, 0),
            settlement=Decimal("20.00"),
            damage="损坏水杯",
        )
    )
    resident = existing_row(session, Resident)
    session.add_all(
        [
            FamilyOvernight(
                resident_id=resident,
                family_member="李女士",
                reason="长者病重",
                stay_on=D(2024, 2, 10),
                nights=1,
                fee=Decimal("100.00"),
                payment="现金",
                receipt_no="R002",
            ),
            FamilyOvernight(
                resident_id=resident,
                family_member="未付款",
                reason="长者病重",
                stay_on=D(2024, 2, 11),
                nights=1,
                fee=Decimal("100.00"),
            ),  # no payment yet: not income
            FamilyMeal(
                resident_id=resident,
                meal_on=D(2024, 2, 12),
                meal="午餐",
                diners=2,
                amount=Decimal("30.00"),
                settlement="现下清结",
            ),
            FamilyMeal(
                resident_id=resident,
                meal_on=D(2024, 2, 13),
                meal="晚餐",
                diners=3,
                amount=Decimal("45.00"),
                settlement="记入本月账单",
            ),  # billed, not paid
            TeaRoomIncome(
                sold_on=D(2024, 2, 1),
                item="=普洱茶",
                qty=Decimal(1),
                amount=Decimal("56.50"),
                payment_method="刷卡",
            ),
            MonthlyStatement(
                month="2024-01",
                client="集体财务",
                client_name="集体财务",
                amount=Decimal("4680.00"),
                stamped=True,
                client_signed=True,
                signed_on=D(2024, 2, 5),
            ),
            MonthlyStatement(
                month="2024-01",
                client="董事办",
                client_name="董事办",
                amount=Decimal("1250.00"),
                stamped=True,
                client_signed=False,
            ),  # not signed: not income
        ]
    )
    session.commit()


def test_income_month_counts_paid_and_signed_income_only(clerk: Any, february_income: None) -> None:
    html = clerk.get("/admin/reports/income?period=2024-02").get_data(as_text=True)
    assert "2024年2月" in html
    assert [r[1] for r in cells(html)[:-1]] == [
        "茶艺室收入",
        "月结客户(红头文件)",
        "家属留宿费",
        "家属用餐费",
        "散客房费",
        "散客退房结算",
    ]
    assert row_of(html, "2024-02-29", "散客房费")[5] == "168.00"
    assert row_of(html, "2024-02-05")[2:] == ["集体财务 2024-01 月结", "月结", "", "4,680.00"]
    assert cells(html)[-1] == ["合计", "", "共 6 笔", "", "", "5,054.50"]


def test_income_xlsx_has_title_numbers_and_formats(clerk: Any, february_income: None) -> None:
    response = clerk.get("/admin/reports/income/xlsx?period=2024-02")
    assert "filename*=UTF-8''%E6%94%B6%E5%85%A5%E6%98%8E%E7%BB%86%E8%A1%A8_2024-02.xlsx" in (
        response.headers["Content-Disposition"]
    )
    ws = sheet(response)
    assert ws["A1"].value == "收入明细表"
    assert ws["A2"].value == "统计期间:2024年2月"
    headers = sheet_values(ws, "日期")
    assert headers == ["日期", "收入类型", "摘要", "收费方式", "收据号", "金额(元)"]
    total = sheet_row(ws, "合计")
    assert total[5].value == Decimal("5054.50") and total[5].number_format == "#,##0.00"
    first = next(row for row in ws.iter_rows() if row[1].value == "散客房费")
    assert first[0].value == T(2024, 2, 29) and first[0].number_format == "yyyy-mm-dd"
    assert first[5].value == 168 and first[5].data_type == "n"


def test_income_xlsx_text_that_looks_like_a_formula_stays_text(clerk: Any, february_income: None) -> None:
    ws = sheet(clerk.get("/admin/reports/income/xlsx?period=2024-02"))
    tea = next(row for row in ws.iter_rows() if row[1].value == "茶艺室收入")
    assert tea[2].value == "'=普洱茶 × 1" and tea[2].data_type == "s"


def test_income_filter_by_payment_method(clerk: Any, february_income: None) -> None:
    html = clerk.get("/admin/reports/income?period=2024-02&method=现金").get_data(as_text=True)
    assert [r[1] for r in cells(html)[:-1]] == ["家属留宿费"]
    assert cells(html)[-1][-1] == "100.00"


def test_income_week_runs_monday_to_sunday_and_is_due_the_next_monday(clerk: Any, session: Any) -> None:
    check_in(session, T(2024, 2, 25, 23, 30), "111.00", guest="周日客")  # Sunday: the week before
    check_in(session, T(2024, 2, 26, 0, 0), "222.00", guest="周一客")  # Monday 00:00: this week
    check_in(session, T(2024, 3, 3, 23, 59), "333.00", guest="周日晚客")  # Sunday night: this week
    check_in(session, T(2024, 3, 4, 8, 0), "444.00", guest="下周客")
    html = clerk.get("/admin/reports/income?period=2024-W09").get_data(as_text=True)
    assert "2024年第9周(2024-02-26 至 2024-03-03)" in html
    assert "报送期限:2024-03-04" in html  # 每周一报
    assert cells(html)[-1] == ["合计", "", "共 2 笔", "", "", "555.00"]


def test_income_chart_sums_each_type(clerk: Any, february_income: None) -> None:
    html = clerk.get("/admin/reports/income?period=2024-02").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and '<title id="chart-title">各类收入金额(元)</title>' in svg
    assert "散客房费:168.00" in svg and "月结客户(红头文件):4,680.00" in svg
    assert svg.count("<rect") == 6


def test_income_default_is_last_week(clerk: Any) -> None:
    html = clerk.get("/admin/reports/income").get_data(as_text=True)
    assert last_finished("week", today()).label in html


# ---------------------------------------------------------------- permissions


def test_employee_is_refused_the_income_report_and_its_xlsx(as_user: Any) -> None:
    employee = as_user("employee")
    assert employee.get("/admin/reports/income").status_code == 403
    assert employee.get("/admin/reports/income/xlsx?period=2024-02").status_code == 403
    assert "收入明细表" not in employee.get("/admin/reports/").get_data(as_text=True)


def test_viewing_without_export_shows_no_button_and_refuses_the_file(as_user: Any) -> None:
    engineer = as_user("engineer")  # 工程部: 钥匙台账 查看 only
    html = engineer.get("/admin/reports/keys?period=2024-02").get_data(as_text=True)
    assert "钥匙管理情况报告" in html and "导出 XLSX" not in html
    assert engineer.get("/admin/reports/keys/xlsx?period=2024-02").status_code == 403


def test_menu_lists_the_reports_a_user_may_open(clerk: Any, as_user: Any) -> None:
    html = clerk.get("/admin/").get_data(as_text=True)
    assert "/admin/reports/income" in html and "/admin/reports/complaints" in html
    engineer = as_user("engineer").get("/admin/").get_data(as_text=True)
    assert "/admin/reports/keys" in engineer and "/admin/reports/income" not in engineer


def test_signed_out_visitor_is_sent_to_login(browser: Any) -> None:
    response = browser.get("/admin/reports/income")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_report_is_404(clerk: Any) -> None:
    assert clerk.get("/admin/reports/nothing").status_code == 404


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2024-13", "不是有效的日期"),
        ("2023-02-29~2023-03-01", "不是有效的日期"),
        ("明年", "无法识别统计期间「明年」"),
        ("2024-Q1", "本报表不按季度统计"),
    ],
)
def test_bad_period_gets_a_chinese_message_not_a_500(clerk: Any, period: str, message: str) -> None:
    for url in ("/admin/reports/income", "/admin/reports/income/xlsx"):
        response = clerk.get(url, query_string={"period": period})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_unknown_filter_value_gets_a_chinese_message(clerk: Any) -> None:
    response = clerk.get("/admin/reports/income", query_string={"period": "2024-02", "method": "支票"})
    assert response.status_code == 400
    assert "收费方式「支票」不在可选范围内" in response.get_data(as_text=True)


# ---------------------------------------------------------------- 投诉汇总表


@pytest.fixture
def march_complaints(session: Any) -> None:
    clerk_id = user_id(session, "clerk")
    engineering = department(session, "工程部").id

    def complaint(when: T, kind: str, valid: bool, name: str) -> Complaint:
        row = Complaint(
            received_at=when,
            complainant=name,
            content="…",
            complaint_type=kind,
            valid=valid,
            first_responder_id=clerk_id,
        )
        session.add(row)
        session.flush()
        return row

    fixed = complaint(T(2024, 3, 1, 9, 0), "维修", True, "甲")
    late = complaint(T(2024, 3, 31, 18, 0), "维修", True, "乙")
    complaint(T(2024, 3, 15, 10, 0), "服务态度", False, "丙")  # not valid: counted, never handled
    complaint(T(2024, 4, 1, 0, 0), "维修", True, "丁")  # April
    session.add_all(
        [
            ComplaintHandling(
                complaint_id=fixed.id,
                level="一般投诉",
                method="转责任部门处理",
                responsible_department_id=engineering,
                investigated_at=T(2024, 3, 1, 10, 0),
                resolved=True,
                closed_at=T(2024, 3, 2, 15, 0),
            ),
            ComplaintHandling(
                complaint_id=late.id,
                level="较大投诉",
                method="转责任部门处理",
                responsible_department_id=engineering,
                investigated_at=T(2024, 4, 1, 9, 0),
                closed_at=T(2024, 4, 2, 9, 0),
            ),  # investigated next day, closed in April
        ]
    )
    session.commit()


def test_complaint_summary_counts_by_type_level_and_department(head: Any, march_complaints: None) -> None:
    html = head.get("/admin/reports/complaints?period=2024-03").get_data(as_text=True)
    assert "XST-HD-KF-021" in html
    assert row_of(html, "投诉类别", "服务态度") == ["投诉类别", "服务态度", "1", "0", "0", "0", "0", ""]
    assert row_of(html, "投诉类别", "维修") == ["投诉类别", "维修", "2", "2", "1", "1", "1", "50.0%"]
    assert row_of(html, "投诉级别", "一般投诉")[2:] == ["1", "1", "1", "0", "0", "100.0%"]
    assert row_of(html, "投诉级别", "较大投诉")[2:] == ["1", "1", "0", "1", "1", "0.0%"]
    assert row_of(html, "投诉级别", "未定级")[2:] == ["1", "0", "0", "0", "0", ""]
    assert row_of(html, "责任部门", "工程部")[2:] == ["2", "2", "1", "1", "1", "50.0%"]
    assert cells(html)[-1] == ["合计", "", "3", "2", "1", "1", "1", "50.0%"]


def test_complaint_summary_of_april_counts_what_closed_then(head: Any, march_complaints: None) -> None:
    html = head.get("/admin/reports/complaints?period=2024-04").get_data(as_text=True)
    assert cells(html)[-1] == ["合计", "", "1", "1", "0", "1", "1", "0.0%"]


def test_complaint_summary_xlsx_has_percent_numbers(head: Any, march_complaints: None) -> None:
    ws = sheet(head.get("/admin/reports/complaints/xlsx?period=2024-Q1"))
    assert ws["A1"].value == "投诉汇总表(XST-HD-KF-021)"
    assert ws["A2"].value.startswith("统计期间:2024年第一季度")
    total = sheet_row(ws, "合计")
    assert [c.value for c in total[2:7]] == [3, 2, 1, 1, 1]
    assert total[7].value == 0.5 and total[7].number_format == "0.0%"


def call_back_complaint(session: Any, complainant: str, day: dt.date, caller: str) -> None:
    complaint = session.scalar(sa.select(Complaint).where(Complaint.complainant == complainant))
    session.add(CustomerCallback(kind="投诉回访", complaint_id=complaint.id, visitee=complainant,
                                 callback_date=day, called_back_by_id=user_id(session, caller)))
    session.commit()


@pytest.mark.parametrize(("day", "caller", "in_time", "by_manager"), [
    (D(2024, 3, 5), "manager", ["1", "", "1", "0", "", "100.0%"], ["1", "", "1", "0", "", "100.0%"]),
    (D(2024, 3, 6), "clerk", ["1", "", "0", "1", "", "0.0%"], ["1", "", "0", "1", "", "0.0%"]),
])
def test_complaint_summary_reports_the_callback_targets(
    head: Any, session: Any, march_complaints: None, day: dt.date, caller: str, in_time: list[str],
    by_manager: list[str],
) -> None:
    # One complaint closed in March (on the 2nd): called back by the 5th is in time, on the 6th late.
    call_back_complaint(session, "甲", day, caller)
    html = head.get("/admin/reports/complaints?period=2024-03").get_data(as_text=True)
    assert row_of(html, "投诉回访", "三日内回访(目标100%)")[2:] == in_time
    assert row_of(html, "投诉回访", "经理亲自回访(目标≥20%)")[2:] == by_manager


def test_investigated_late_waits_for_the_day_to_end() -> None:
    received = T(2024, 3, 31, 18, 0)
    assert not complaint_report.investigated_late(received, None, D(2024, 3, 31))
    assert complaint_report.investigated_late(received, None, D(2024, 4, 1))
    assert not complaint_report.investigated_late(received, T(2024, 3, 31, 23, 0), D(2024, 5, 1))
    assert complaint_report.investigated_late(received, T(2024, 4, 1, 8, 0), D(2024, 5, 1))


# ---------------------------------------------------------------- 业户意见征询统计分析


def test_opinion_survey_analysis_counts_each_answer(head: Any, session: Any) -> None:
    first, second = make_row(session, CustomerArchive), make_row(session, CustomerArchive)
    session.add_all(
        [
            OpinionSurvey(
                archive_id=first.id,
                surveyed_on=D(2024, 4, 1),
                overall="非常满意",
                reception="满意",
                repair="不满意",
            ),
            OpinionSurvey(
                archive_id=second.id,
                surveyed_on=D(2024, 6, 30),
                overall="满意",
                reception="基本满意",
                repair="不满意",
                cleaning="满意",
            ),
            OpinionSurvey(archive_id=second.id, surveyed_on=D(2024, 7, 1), overall="不满意"),  # Q3
        ]
    )
    session.commit()
    html = head.get("/admin/reports/opinion-survey?period=2024-Q2").get_data(as_text=True)
    assert "本期征询 2 份,涉及 2 户" in html
    assert row_of(html, "总体评价") == ["总体评价", "1", "1", "0", "0", "2", "100.0%"]
    assert row_of(html, "报修维修") == ["报修维修", "0", "0", "0", "2", "2", "0.0%"]
    assert row_of(html, "绿化养护") == ["绿化养护", "0", "0", "0", "0", "0", ""]
    assert cells(html)[-1] == ["全部项目", "1", "3", "1", "2", "7", "71.4%"]
    ws = sheet(head.get("/admin/reports/opinion-survey/xlsx?period=2024-Q2"))
    assert sheet_values(ws, "全部项目") == ["全部项目", 1, 3, 1, 2, 7, 0.7143]


# ---------------------------------------------------------------- 钥匙管理情况报告


def test_key_report_received_held_handed_over(head: Any, session: Any) -> None:
    # The seeded keys were handed back long ago, so only this test's keys are in keeping.
    session.execute(sa.update(Key).values(received_on=D(2000, 1, 1), handed_over_on=D(2000, 1, 2)))
    session.add_all(
        [
            Key(label="T-空置", kind="空置房", quantity=2, received_on=D(2024, 1, 10)),
            Key(label="T-托管新", kind="托管", quantity=1, received_on=D(2024, 2, 29)),
            Key(
                label="T-托管还",
                kind="托管",
                quantity=3,
                received_on=D(2024, 1, 5),
                handed_over_on=D(2024, 2, 1),
            ),
            Key(label="T-公共", kind="公共", quantity=1, received_on=D(2024, 3, 1)),
        ]
    )
    session.commit()
    html = head.get("/admin/reports/keys?period=2024-02").get_data(as_text=True)
    assert row_of(html, "空置房") == ["空置房", "2", "0", "0", "2"]
    assert row_of(html, "托管") == ["托管", "3", "1", "3", "1"]
    assert row_of(html, "公共") == ["公共", "0", "0", "0", "0"]
    assert cells(html)[-1] == ["合计", "5", "1", "3", "3"]
    ws = sheet(head.get("/admin/reports/keys/xlsx?period=2024-02"))
    assert sheet_values(ws, "合计") == ["合计", 5, 1, 3, 3]


# ---------------------------------------------------------------- 办证情况统计表


def test_pass_report_counts_each_kind_issued_in_the_month(head: Any, session: Any) -> None:
    def issued(kind: str, no: str, on: D, fee: str | None) -> Pass:
        return Pass(
            kind=kind,
            pass_no=no,
            holder="持证人",
            valid_from=on,
            valid_until=on + dt.timedelta(days=365),
            fee=Decimal(fee) if fee else None,
        )

    session.add_all(
        [
            issued("车辆出入证", "T1", D(2024, 2, 1), "100.00"),
            issued("车辆出入证", "T2", D(2024, 2, 29), "100.00"),
            issued("装修出入证", "T3", D(2024, 2, 15), None),
            issued("出入证", "T4", D(2024, 3, 1), "20.00"),  # March
        ]
    )
    session.commit()
    html = head.get("/admin/reports/passes?period=2024-02").get_data(as_text=True)
    assert row_of(html, "车辆出入证") == ["车辆出入证", "2", "200.00"]
    assert row_of(html, "出入证") == ["出入证", "0", "0.00"]
    assert row_of(html, "装修出入证") == ["装修出入证", "1", "0.00"]
    assert cells(html)[-1] == ["合计", "3", "200.00"]
    ws = sheet(head.get("/admin/reports/passes/xlsx?period=2024-02"))
    assert sheet_values(ws, "合计") == ["合计", 3, 200]


# ---------------------------------------------------------------- 智能卡季度汇总


def test_smart_card_quarter_summary_and_due_date(head: Any, session: Any) -> None:
    def card(no: str, kind: str, period: str, fee: str, at: T, signed: bool = True) -> SmartCard:
        return SmartCard(
            card_no=no,
            card_type=kind,
            holder="持卡人",
            fee_paid=Decimal(fee),
            period=period,
            authorised_until=at.date() + dt.timedelta(days=90),
            issued_at=at,
            holder_signed=signed,
        )

    session.add_all(
        [
            card("C1", "车卡", "月", "150.00", T(2024, 4, 1, 0, 0)),
            card("C2", "车卡", "季", "450.00", T(2024, 6, 30, 23, 59), signed=False),
            card("C3", "门禁卡", "半年", "60.00", T(2024, 5, 10, 9, 0)),
            card("C4", "车卡", "月", "150.00", T(2024, 7, 1, 0, 0)),  # Q3
            card("C5", "车卡", "月", "150.00", T(2024, 3, 31, 23, 59)),  # Q1
        ]
    )
    session.commit()
    html = head.get("/admin/reports/smart-cards?period=2024-Q2").get_data(as_text=True)
    assert "报送期限:2024-07-05" in html  # 每季度首月5日前
    assert row_of(html, "车卡") == ["车卡", "2", "1", "1", "0", "600.00", "1"]
    assert row_of(html, "门禁卡") == ["门禁卡", "1", "0", "0", "1", "60.00", "0"]
    assert cells(html)[-1] == ["合计", "3", "1", "1", "1", "660.00", "1"]
    ws = sheet(head.get("/admin/reports/smart-cards/xlsx?period=2024-Q2"))
    assert sheet_values(ws, "合计") == ["合计", 3, 1, 1, 1, 660, 1]


def test_smart_card_summary_refuses_a_month(head: Any) -> None:
    response = head.get("/admin/reports/smart-cards?period=2024-05")
    assert response.status_code == 400
    assert "本报表不按月统计。请按以下格式填写:按季度填 2024-Q2" in response.get_data(as_text=True)


# ---------------------------------------------------------------- 客户档案资料明细表


def test_archive_documents_of_the_month(head: Any, session: Any) -> None:
    items = session.scalars(
        sa.select(ChecklistItem)
        .where(ChecklistItem.checklist == "客户档案资料")
        .order_by(ChecklistItem.position)
        .limit(2)
    ).all()
    opened = CustomerArchive(
        archive_no="T-2024-001",
        household="陈业主",
        opened_on=D(2024, 2, 29),
        cabinet="1号档案柜-第2层",
        documents=list(items),
    )
    older = CustomerArchive(archive_no="T-2023-009", household="林业主", opened_on=D(2023, 12, 1))
    session.add_all(
        [opened, older, CustomerArchive(archive_no="T-2024-002", household="三月户", opened_on=D(2024, 3, 1))]
    )
    complaint = Complaint(
        received_at=T(2024, 2, 2, 9, 0),
        complainant="林业主",
        content="…",
        valid=True,
        first_responder_id=user_id(session, "clerk"),
    )
    session.add(complaint)
    session.flush()
    session.add(
        ComplaintHandling(
            complaint_id=complaint.id,
            level="一般投诉",
            method="当场处理",
            closed_at=T(2024, 2, 3, 10, 0),
            archive_id=older.id,
        )
    )
    session.commit()
    html = head.get("/admin/reports/archive-documents?period=2024-02").get_data(as_text=True)
    rows = cells(html)
    assert [r[1] for r in rows[:-1]] == ["T-2023-009", "T-2024-001"]
    assert rows[0][:5] == ["2024-02-03", "T-2023-009", "林业主", "", "客户投诉处理表"]
    assert rows[1][4:] == ["新建档案", "、".join(i.label for i in items), "2", "1号档案柜-第2层"]
    assert rows[-1] == ["合计", "2 户", "", "", "", "", "3", ""]
    ws = sheet(head.get("/admin/reports/archive-documents/xlsx?period=2024-02"))
    assert sheet_values(ws, "合计")[6] == 3


# ---------------------------------------------------------------- the list page


def test_report_list_shows_every_report_to_the_manager(as_user: Any) -> None:
    html = as_user("manager").get("/admin/reports/").get_data(as_text=True)
    for label in (
        "投诉汇总表",
        "业户意见征询统计分析",
        "钥匙管理情况报告",
        "办证情况统计表",
        "智能卡季度汇总",
        "客户档案资料明细表",
        "收入明细表",
    ):
        assert label in html


# ---------------------------------------------------------------- the parts, one by one


def test_a_key_without_a_receiving_date_counts_as_held_from_the_start() -> None:
    key = Key(label="旧钥匙", kind="公共", quantity=1, received_on=None, handed_over_on=D(2024, 2, 10))
    assert held_on(key, D(2000, 1, 1)) and held_on(key, D(2024, 2, 9))
    assert not held_on(key, D(2024, 2, 10))


def test_chart_bars_sum_rows_of_the_same_label_in_first_seen_order() -> None:
    table = ReportTable(
        [Col("类型"), Col("金额", "money")],
        [["房费", Decimal("10.00")], ["茶", Decimal("2.50")], ["房费", Decimal("5.00")]],
    )
    assert Chart("t", label=0, value=1).bars(table) == [("房费", Decimal("15.00")), ("茶", Decimal("2.50"))]


def test_no_chart_when_nothing_was_counted() -> None:
    assert bar_chart("空", [("房费", Decimal(0))], Col("金额", "money")) == ""


def test_income_lines_function_without_the_page(session: Any, february_income: None) -> None:
    lines = income_lines(session, month_of(D(2024, 2, 1)), kind="家属用餐费")
    assert [(x.day, x.amount) for x in lines] == [(D(2024, 2, 12), Decimal("30.00"))]
