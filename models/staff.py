"""H. Staff and attendance (REGISTERS.md §H).

The approval chain of a 请假单 (by number of days) is a later issue: here the register keeps the
facts. 业绩提成 computes its commissions from the tiers of admin_app/rules/fees.py when it is saved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from admin_app.rules import fees
from models.base import OWN_DEPARTMENT, Base, Deadline, Duty, Record, Register, Scope, field, link
from models.reference import User

#: Kinds of leave. 000 (十)2 names 调休 and the 请假单; the others are the statutory kinds of leave a
#: 请假单 offers.
LEAVE_KINDS = ["调休", "事假", "病假", "年假", "婚假", "产假", "陪产假", "丧假"]
#: A cell of the attendance sheet: at work, the scheduled day off, a kind of leave, or an irregularity.
ATTENDANCE_CELLS = ["出勤", "休息", *LEAVE_KINDS, "迟到", "早退", "旷工"]
BADGE_STATES = ["在用", "已收回", "遗失"]
#: The two posts of the 客服序列 commission scheme (003 2.3 一).
COMMISSION_ROLES = ["客服专员", "客服主管"]

MONTH_HELP = "填该月1日"


# ---------------------------------------------------------------- 请假单 000 (十)2–3


class LeaveRequest(Record, Base):
    __tablename__ = "leave_requests"
    __register__ = Register(
        label="请假单",
        group="H",
        prefix="QJD",
        source="000 (十)2–3",
        help="不在排定时间休息须填请假单:调休一天经部门主管签字确认方有效;两天以上须部门主管及综合办领导同意;"
             "三天或三天以上须部门主管、综合办领导及总经理同意。考勤员见请假单领导签字确认后,方可用红笔修改纸质考勤表。",
        list_columns=("employee", "kind", "start_on", "end_on", "days", "reason", "recorded_at"),
        search=("reason", "employee.name"),
        key=("employee", "start_on"),
        title="reason",
        scope=Scope(department="employee.department"),
    )

    employee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    employee: Mapped[User] = link("请假人", employee_id)
    kind: Mapped[str] = field("类别", String(10), choices=LEAVE_KINDS, default="调休",
                              help="不在排定时间休息的,调休也须填写请假单")
    start_on: Mapped[dt.date] = field("请假日期(起)")
    end_on: Mapped[dt.date] = field("请假日期(止)")
    days: Mapped[Decimal] = field("天数", Numeric(5, 1),
                                  help="可填半天,如 0.5;天数决定审批:1天部门主管,2天加综合办领导,"
                                       "3天及以上加总经理")
    reason: Mapped[str] = field("事由", String(200))

    def __str__(self) -> str:
        who = f"{self.employee.name} " if self.employee else ""
        when = f"{self.start_on:%Y-%m-%d} " if self.start_on else ""
        return f"{who}{when}{self.kind or ''}".strip() or super().__str__()


# ---------------------------------------------------------------- 考勤表 000 (十)


class AttendanceLine(Base):
    __tablename__ = "attendance_lines"
    __table_args__ = (UniqueConstraint("sheet_id", "staff_id"),)
    __register__ = Register(label="考勤明细", group="H", kind="line", key=("sheet", "staff"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("attendance_sheets.id", ondelete="CASCADE"), index=True)
    sheet: Mapped[AttendanceSheet] = relationship(back_populates="lines", info={"label": "考勤表"})
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    staff: Mapped[User] = link("姓名", staff_id)
    post: Mapped[str | None] = field("岗位", String(30))
    day01: Mapped[str | None] = field("1日", String(4), choices=ATTENDANCE_CELLS)
    day02: Mapped[str | None] = field("2日", String(4), choices=ATTENDANCE_CELLS)
    day03: Mapped[str | None] = field("3日", String(4), choices=ATTENDANCE_CELLS)
    day04: Mapped[str | None] = field("4日", String(4), choices=ATTENDANCE_CELLS)
    day05: Mapped[str | None] = field("5日", String(4), choices=ATTENDANCE_CELLS)
    day06: Mapped[str | None] = field("6日", String(4), choices=ATTENDANCE_CELLS)
    day07: Mapped[str | None] = field("7日", String(4), choices=ATTENDANCE_CELLS)
    day08: Mapped[str | None] = field("8日", String(4), choices=ATTENDANCE_CELLS)
    day09: Mapped[str | None] = field("9日", String(4), choices=ATTENDANCE_CELLS)
    day10: Mapped[str | None] = field("10日", String(4), choices=ATTENDANCE_CELLS)
    day11: Mapped[str | None] = field("11日", String(4), choices=ATTENDANCE_CELLS)
    day12: Mapped[str | None] = field("12日", String(4), choices=ATTENDANCE_CELLS)
    day13: Mapped[str | None] = field("13日", String(4), choices=ATTENDANCE_CELLS)
    day14: Mapped[str | None] = field("14日", String(4), choices=ATTENDANCE_CELLS)
    day15: Mapped[str | None] = field("15日", String(4), choices=ATTENDANCE_CELLS)
    day16: Mapped[str | None] = field("16日", String(4), choices=ATTENDANCE_CELLS)
    day17: Mapped[str | None] = field("17日", String(4), choices=ATTENDANCE_CELLS)
    day18: Mapped[str | None] = field("18日", String(4), choices=ATTENDANCE_CELLS)
    day19: Mapped[str | None] = field("19日", String(4), choices=ATTENDANCE_CELLS)
    day20: Mapped[str | None] = field("20日", String(4), choices=ATTENDANCE_CELLS)
    day21: Mapped[str | None] = field("21日", String(4), choices=ATTENDANCE_CELLS)
    day22: Mapped[str | None] = field("22日", String(4), choices=ATTENDANCE_CELLS)
    day23: Mapped[str | None] = field("23日", String(4), choices=ATTENDANCE_CELLS)
    day24: Mapped[str | None] = field("24日", String(4), choices=ATTENDANCE_CELLS)
    day25: Mapped[str | None] = field("25日", String(4), choices=ATTENDANCE_CELLS)
    day26: Mapped[str | None] = field("26日", String(4), choices=ATTENDANCE_CELLS)
    day27: Mapped[str | None] = field("27日", String(4), choices=ATTENDANCE_CELLS)
    day28: Mapped[str | None] = field("28日", String(4), choices=ATTENDANCE_CELLS)
    day29: Mapped[str | None] = field("29日", String(4), choices=ATTENDANCE_CELLS)
    day30: Mapped[str | None] = field("30日", String(4), choices=ATTENDANCE_CELLS)
    day31: Mapped[str | None] = field("31日", String(4), choices=ATTENDANCE_CELLS)

    def __str__(self) -> str:
        return str(self.staff) if self.staff else f"考勤明细 #{self.id}"


class AttendanceSheet(Record, Base):
    __tablename__ = "attendance_sheets"
    __table_args__ = (UniqueConstraint("month", "department_id"),)
    __register__ = Register(
        label="考勤表",
        group="H",
        prefix="KQB",
        source="000 (十); 002 2.1.2.1",
        help="每月排班及考勤发部门工作交流群并打印发放到各部门,经部门主管签字;电子版及主管签名的纸质版每月4号前交综合办。"
             "请假、调休以领导签字确认的请假单为准,考勤员方可用红笔修改纸质考勤表。",
        list_columns=("month", "department", "timekeeper", "submitted_on", "recorded_by"),
        key=("month", "department"),
        title="month",
        inline=("lines",),
        deadlines=(Deadline("次月4号前交综合办", start="month", done="submitted_on", months=1,
                            offset=dt.timedelta(days=3), day_end=True, warn=dt.timedelta(days=1)),),
        duties=(Duty("上月考勤表4号前交综合办", every="month", date="month", due_day=4, lag=1),),
        scope=OWN_DEPARTMENT,
    )

    month: Mapped[dt.date] = field("月份", help=MONTH_HELP)
    timekeeper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    timekeeper: Mapped[User | None] = link("考勤员", timekeeper_id)
    submitted_on: Mapped[dt.date | None] = field("交综合办日期",
                                                 help="电子版及主管签名的纸质版每月4号前交综合办")
    lines: Mapped[list[AttendanceLine]] = relationship(
        back_populates="sheet",
        cascade="all, delete-orphan",
        order_by=AttendanceLine.id,
        info={"label": "考勤明细"},
    )

    def __str__(self) -> str:
        dept = f"{self.department.name} " if self.department else ""
        return f"{dept}{self.month:%Y年%m月}考勤表" if self.month else super().__str__()


# ---------------------------------------------------------------- 岗位职责分工 000 四


class StaffDuty(Record, Base):
    __tablename__ = "staff_duties"
    __table_args__ = (UniqueConstraint("staff_id", "position"),)
    __register__ = Register(
        label="岗位职责分工",
        group="H",
        prefix="GWZZ",
        source="000 四; 000 一",
        help="各岗位人员的职位、目前职位暂定职责、联系方式与岗位点;人员或分工变动时及时更新。",
        list_columns=("sub_department", "staff", "position", "duties", "phone", "post"),
        search=("sub_department", "position", "duties", "post", "staff.name"),
        key=("staff", "position"),
        title="position",
        public_lookup=True,
    )

    sub_department: Mapped[str] = field("分部门", String(30), help="如 客服前台、茶艺室")
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    staff: Mapped[User] = link("人员姓名", staff_id)
    position: Mapped[str] = field("职位", String(50), help="如 客服前台助理")
    duties: Mapped[str] = field("目前职位暂定职责", Text, help="逐条写明,如 1、负责A栋投诉事件的收集与跟进")
    phone: Mapped[str | None] = field("联系方式", String(30))
    post: Mapped[str | None] = field("岗位点", String(100), help="如 岗位点主要为A栋客服前台")

    def __str__(self) -> str:
        who = self.staff.name if self.staff else ""
        return f"{who}({self.position})" if self.position else super().__str__()


# ---------------------------------------------------------------- 员工工牌 001 (十九)


class StaffBadge(Record, Base):
    __tablename__ = "staff_badges"
    __register__ = Register(
        label="员工工牌",
        group="H",
        prefix="YGGP",
        source="001 四(十九) 员工工牌管理制度",
        help="员工工牌登记发放与收回;员工离职或调岗时收回工牌,遗失的登记后补办。",
        list_columns=("badge_no", "staff", "position", "issued_on", "state", "returned_on"),
        search=("badge_no", "position", "staff.name"),
        key=("badge_no", "issued_on"),
        title="badge_no",
        scope=Scope(department="staff.department"),
    )

    badge_no: Mapped[str] = field("工牌编号", String(30), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    staff: Mapped[User] = link("员工", staff_id)
    position: Mapped[str | None] = field("工牌职位", String(50), help="工牌上印的职位")
    issued_on: Mapped[dt.date] = field("发放日期")
    state: Mapped[str] = field("状态", String(10), choices=BADGE_STATES, default="在用")
    returned_on: Mapped[dt.date | None] = field("收回日期", help="离职、调岗或换发时收回")


# ---------------------------------------------------------------- 业绩提成 003 2.3


class Commission(Record, Base):
    __tablename__ = "commissions"
    __table_args__ = (UniqueConstraint("period", "staff_id"),)
    __register__ = Register(
        label="业绩提成",
        group="H",
        prefix="YJTC",
        source="003 2.3 客服部薪酬与考核标准",
        help="客服专员个人开发客户业绩提成:5万–10万(含)0.6%,10万–20万(含)0.8%,20万–30万(含)1%,30万以上1.3%;"
             "共享业绩(销售顾问开发的客户续住签约)客服专员0.6、销售顾问0.4分配;客服主管个人业绩×0.8%,"
             "团队业绩(客服部自行开发总业绩+共享业绩)10万–20万(含)0.2%,20万–40万(含)0.4%,40万–60万(含)0.5%,"
             "60万以上0.6%。",
        list_columns=("period", "staff", "role", "personal_sales", "renewal_sales", "team_sales",
                      "total_commission"),
        search=("staff.name",),
        key=("period", "staff"),
        title="period",
        scope=Scope(department="staff.department"),
    )

    period: Mapped[dt.date] = field("月份", help=MONTH_HELP)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    staff: Mapped[User] = link("客服人员", staff_id)
    role: Mapped[str] = field("岗位", String(10), choices=COMMISSION_ROLES, default="客服专员",
                              help="客服专员按个人业绩与共享业绩提成;客服主管另按团队业绩提成")
    personal_sales: Mapped[Decimal] = field("个人开发客户业绩(元)", default=Decimal("0"))
    renewal_sales: Mapped[Decimal] = field(
        "共享业绩(元)", default=Decimal("0"),
        help="销售顾问前端开发的客户入住后,客服人员完成客户续住签约产生的业绩,业绩归属客服部")
    team_sales: Mapped[Decimal | None] = field(
        "团队业绩(元)", help="客服主管填写:客服部自行开发总业绩+共享业绩")
    personal_commission: Mapped[Decimal | None] = field(
        "个人业绩提成(元)", auto=True, help="客服专员按个人业绩所在档的比例;客服主管为个人业绩 × 0.8%")
    shared_commission: Mapped[Decimal | None] = field(
        "共享业绩提成(元)", auto=True, help="客服专员:共享业绩 × 0.6%(销售顾问 0.4%)")
    team_commission: Mapped[Decimal | None] = field(
        "团队业绩提成(元)", auto=True, help="客服主管:团队业绩所在档的比例")
    total_commission: Mapped[Decimal | None] = field("提成合计(元)", auto=True)

    def problems(self) -> dict[str, str]:
        if self.role == "客服主管" and self.team_sales is None:
            return {"team_sales": "客服主管须填写团队业绩(客服部自行开发总业绩+共享业绩)"}
        return {}

    def before_save(self, session: Session) -> None:
        personal_sales = self.personal_sales or Decimal(0)
        if self.role == "客服主管":
            # The supervisor's pay has no shared line: shared performance counts in the team's.
            self.personal_commission, self.team_commission = fees.supervisor_commission_parts(
                personal_sales, self.team_sales or Decimal(0))
            self.shared_commission = None
        else:
            self.personal_commission = fees.personal_commission(personal_sales)
            self.shared_commission = fees.shared_commission(self.renewal_sales or Decimal(0))
            self.team_commission = None
        self.total_commission = (self.personal_commission + (self.shared_commission or Decimal(0))
                                 + (self.team_commission or Decimal(0)))

    def __str__(self) -> str:
        who = f"{self.staff.name} " if self.staff else ""
        return f"{who}{self.period:%Y年%m月}业绩提成" if self.period else super().__str__()
