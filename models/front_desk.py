"""A. Front desk and enquiries (REGISTERS.md §A)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from admin_app.clock import today
from models.base import OWN_DEPARTMENT, ROOM_BUILDING, Base, Deadline, Duty, Record, Register, field, link
from models.reference import Room, User

MATTER_TYPES = ["咨询", "报修", "投诉", "建议", "求助"]

#: Shifts a front-desk clerk works: 白班 is the office day (004 4.1.2.4: 周一至周五 9:00–18:00),
#: 值班 the weekend/holiday duty (9:00–17:30); 早/中/晚/夜班 cover a round-the-clock desk.
SHIFTS = ["白班", "早班", "中班", "晚班", "夜班", "值班"]
#: A cell of the roster: a shift, or a day off (000 (十)2: 休息, 调休 and leave need a 请假单).
ROSTER_CELLS = [*SHIFTS, "休息", "调休", "请假"]


class CallRecord(Record, Base):
    __tablename__ = "call_records"
    __register__ = Register(
        label="来电、来访咨询记录",
        group="A",
        code="XST-HD-KF-002",
        source="001 §4.2.1, 七.2; 000 二.1",
        help="首问责任制(OTE):谁接待谁负责,直到处理完毕。",
        list_columns=(
            "received_at",
            "caller",
            "phone",
            "room",
            "matter_type",
            "content",
            "first_responder",
            "closed_at",
        ),
        search=("caller", "phone", "address", "content"),
        large=True,
        key=("received_at", "caller"),
        independent_rows=True,
        title="caller",
        scope=ROOM_BUILDING,
    )

    received_at: Mapped[dt.datetime] = field("来电/来访时间", index=True)
    channel: Mapped[str] = field("方式", String(10), choices=["来电", "来访"], default="来电")
    caller: Mapped[str] = field("来电/来访人", String(50))
    phone: Mapped[str | None] = field("联系电话", String(30))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    address: Mapped[str | None] = field("地址", String(200), help="没有房号时填写地址")
    matter_type: Mapped[str] = field("类型", String(10), choices=MATTER_TYPES)
    content: Mapped[str] = field("内容", Text)
    first_responder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    first_responder: Mapped[User | None] = link(
        "首问责任人", first_responder_id, help="接待人即首问责任人,负责跟进到处理完毕"
    )
    result: Mapped[str | None] = field("处理结果", Text)
    closed_at: Mapped[dt.datetime | None] = field("办结时间")


class VisitorLog(Record, Base):
    __tablename__ = "visitor_logs"
    __register__ = Register(
        label="客人来访登记表",
        group="A",
        prefix="KRLF",
        source="003 §4.1.1–4.1.2; 000 二 访客指引",
        help="先问清被访人(房号、姓氏)和来访事由并登记,再联系被访人;得到确认同意后方可引见。",
        list_columns=(
            "arrived_at",
            "visitor_name",
            "visitor_count",
            "visited_person",
            "room",
            "reason",
            "left_at",
            "receptionist",
        ),
        search=("visitor_name", "visitor_phone", "visited_person", "reason"),
        key=("arrived_at", "visitor_name"),
        title="visitor_name",
        scope=ROOM_BUILDING,
    )

    arrived_at: Mapped[dt.datetime] = field("来访时间")
    visitor_name: Mapped[str] = field("来访人姓名", String(50))
    visitor_phone: Mapped[str | None] = field("联系电话", String(30))
    visitor_count: Mapped[int] = field("来访人数", default=1)
    visited_person: Mapped[str] = field("被访人", String(50), help="被访对象的姓名或称呼")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("被访人房号", room_id)
    reason: Mapped[str] = field("来访事由", String(200))
    visitee_confirmed: Mapped[bool] = field(
        "被访人已确认",
        default=False,
        help="联系被访人并得到确认同意后勾选;被访人不在时向来访者致歉,请其稍后联系",
    )
    receptionist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    receptionist: Mapped[User | None] = link("接待/引见人", receptionist_id)
    left_at: Mapped[dt.datetime | None] = field("离开时间")


class ShiftHandover(Record, Base):
    __tablename__ = "shift_handovers"
    __register__ = Register(
        label="交接班记录",
        group="A",
        code="XST-HD-KF-004",
        source="001 七.5; 002 篇3 2.3.9; 004 4.1.2.2; 000 (四)1(2)",
        help="前台所有现金、票据、物品的保管认真做好交接班记录;托管钥匙列入交接班内容;交接双方当面点清。",
        list_columns=(
            "handover_at",
            "shift",
            "from_clerk",
            "to_clerk",
            "cash",
            "open_matters",
            "receiver_confirmed",
            "confirmed_at",
        ),
        search=("receipts", "goods", "keys_note", "open_matters"),
        key=("handover_at", "from_clerk"),
        title="handover_at",
    )

    handover_at: Mapped[dt.datetime] = field("交接时间")
    shift: Mapped[str] = field("班次", String(10), choices=SHIFTS, help="交班人所下的班次")
    from_clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_clerk: Mapped[User] = link("交班人", from_clerk_id)
    to_clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    to_clerk: Mapped[User] = link("接班人", to_clerk_id)
    cash: Mapped[Decimal] = field(
        "现金(元)", default=Decimal("0"), help="前台现金(含备用金)交接金额,当面点清"
    )
    receipts: Mapped[str | None] = field("票据", Text, help="收据、发票的本数及起止号码,已用至第几号")
    goods: Mapped[str | None] = field("物品", Text, help="前台保管的物品、代收文件及遗留物品")
    keys_note: Mapped[str | None] = field("钥匙", Text, help="钥匙柜是否锁闭、钥匙数量、借出未还的钥匙")
    open_matters: Mapped[str | None] = field(
        "未完成事项", Text, help="待跟进的报修、投诉、咨询及其他需接班人继续处理的事项"
    )
    receiver_confirmed: Mapped[bool] = field(
        "接班人确认", default=False, help="接班人点清现金、票据、物品、钥匙无误后确认"
    )
    confirmed_at: Mapped[dt.datetime | None] = field("确认时间")


class DutyWeeklyCheck(Record, Base):
    __tablename__ = "duty_weekly_checks"
    __register__ = Register(
        label="值班周检查记录表",
        group="A",
        code="XST-HD-KF-003",
        source="001 七.3, 四(四) 客服值班管理规定; 004 3.4, 4.1.1–4.1.2; 003 4.1.2.7",
        help="值班负责人每周检查值班人员的工作状态,记录存在问题及整改措施。",
        list_columns=("week_start", "duty_staff", "checked_at", "checker", "findings", "rectification"),
        search=("findings", "rectification"),
        key=("week_start", "duty_staff"),
        title="week_start",
    )

    week_start: Mapped[dt.date] = field("检查周(起)", help="该周星期一")
    week_end: Mapped[dt.date] = field("检查周(止)", help="该周星期日")
    duty_staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    duty_staff: Mapped[User] = link("值班人员", duty_staff_id)
    checked_at: Mapped[dt.datetime] = field("检查时间")
    on_time: Mapped[bool] = field("提前到岗", default=False, help="每日提前5分钟到岗,做好各项准备")
    at_post: Mapped[bool] = field(
        "在岗无空岗", default=False, help="上班时间必须在岗;外出须经批准并由代理人员顶岗"
    )
    appearance: Mapped[bool] = field("仪容仪表符合BI规范", default=False)
    no_unrelated_work: Mapped[bool] = field("不做与工作无关的事", default=False)
    handover_recorded: Mapped[bool] = field(
        "交接班记录完整", default=False, help="现金、票据、物品保管及交接班记录"
    )
    calls_recorded: Mapped[bool] = field(
        "来电咨询记录完整", default=False, help="认真记录顾客提出的各类咨询、意见或建议"
    )
    phone_transferred: Mapped[bool] = field("下班通知控制中心转接电话", default=False)
    findings: Mapped[str | None] = field("存在问题", Text)
    rectification: Mapped[str | None] = field("整改措施", Text)
    checker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    checker: Mapped[User] = link("检查人", checker_id, help="值班负责人或控制中心值班员")


class RosterLine(Base):
    __tablename__ = "roster_lines"
    __table_args__ = (UniqueConstraint("roster_id", "staff_id"),)
    __register__ = Register(label="排班明细", group="A", kind="line")

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id", ondelete="CASCADE"), index=True)
    roster: Mapped[Roster] = relationship(back_populates="lines")
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    staff: Mapped[User] = link("姓名", staff_id)
    post: Mapped[str | None] = field("岗位", String(30))
    day01: Mapped[str | None] = field("1日", String(4), choices=ROSTER_CELLS)
    day02: Mapped[str | None] = field("2日", String(4), choices=ROSTER_CELLS)
    day03: Mapped[str | None] = field("3日", String(4), choices=ROSTER_CELLS)
    day04: Mapped[str | None] = field("4日", String(4), choices=ROSTER_CELLS)
    day05: Mapped[str | None] = field("5日", String(4), choices=ROSTER_CELLS)
    day06: Mapped[str | None] = field("6日", String(4), choices=ROSTER_CELLS)
    day07: Mapped[str | None] = field("7日", String(4), choices=ROSTER_CELLS)
    day08: Mapped[str | None] = field("8日", String(4), choices=ROSTER_CELLS)
    day09: Mapped[str | None] = field("9日", String(4), choices=ROSTER_CELLS)
    day10: Mapped[str | None] = field("10日", String(4), choices=ROSTER_CELLS)
    day11: Mapped[str | None] = field("11日", String(4), choices=ROSTER_CELLS)
    day12: Mapped[str | None] = field("12日", String(4), choices=ROSTER_CELLS)
    day13: Mapped[str | None] = field("13日", String(4), choices=ROSTER_CELLS)
    day14: Mapped[str | None] = field("14日", String(4), choices=ROSTER_CELLS)
    day15: Mapped[str | None] = field("15日", String(4), choices=ROSTER_CELLS)
    day16: Mapped[str | None] = field("16日", String(4), choices=ROSTER_CELLS)
    day17: Mapped[str | None] = field("17日", String(4), choices=ROSTER_CELLS)
    day18: Mapped[str | None] = field("18日", String(4), choices=ROSTER_CELLS)
    day19: Mapped[str | None] = field("19日", String(4), choices=ROSTER_CELLS)
    day20: Mapped[str | None] = field("20日", String(4), choices=ROSTER_CELLS)
    day21: Mapped[str | None] = field("21日", String(4), choices=ROSTER_CELLS)
    day22: Mapped[str | None] = field("22日", String(4), choices=ROSTER_CELLS)
    day23: Mapped[str | None] = field("23日", String(4), choices=ROSTER_CELLS)
    day24: Mapped[str | None] = field("24日", String(4), choices=ROSTER_CELLS)
    day25: Mapped[str | None] = field("25日", String(4), choices=ROSTER_CELLS)
    day26: Mapped[str | None] = field("26日", String(4), choices=ROSTER_CELLS)
    day27: Mapped[str | None] = field("27日", String(4), choices=ROSTER_CELLS)
    day28: Mapped[str | None] = field("28日", String(4), choices=ROSTER_CELLS)
    day29: Mapped[str | None] = field("29日", String(4), choices=ROSTER_CELLS)
    day30: Mapped[str | None] = field("30日", String(4), choices=ROSTER_CELLS)
    day31: Mapped[str | None] = field("31日", String(4), choices=ROSTER_CELLS)

    def __str__(self) -> str:
        return str(self.staff) if self.staff else f"排班明细 #{self.id}"


class Roster(Record, Base):
    __tablename__ = "rosters"
    __table_args__ = (UniqueConstraint("month", "department_id"),)
    __register__ = Register(
        label="客服排班表",
        group="A",
        code="XST-HD-KF-005",
        source="001 七.4; 002 2.1.2.1 轮值表; 000 (十); 004 4.1.2.4",
        help="每月排班表发部门工作交流群并打印,经部门主管签字;电子版及签字纸质版每月4号前交综合办。"
        "不在排定时间休息须填请假单。",
        list_columns=("month", "department", "recorded_by", "submitted_on"),
        key=("month", "department"),
        title="month",
        inline=("lines",),
        deadlines=(Deadline("每月4号前交综合办", start="month", done="submitted_on",
                            offset=dt.timedelta(days=3), day_end=True, warn=dt.timedelta(days=1)),),
        duties=(Duty("本月排班表4号前交综合办", every="month", date="month", due_day=4),),
        scope=OWN_DEPARTMENT,
    )

    month: Mapped[dt.date] = field("月份", help="填该月1日")
    submitted_on: Mapped[dt.date | None] = field("交综合办日期", help="每月4号前交综合办")
    lines: Mapped[list[RosterLine]] = relationship(
        back_populates="roster",
        cascade="all, delete-orphan",
        order_by=RosterLine.id,
        info={"label": "排班明细"},
    )

    def __str__(self) -> str:
        dept = f"{self.department.name} " if self.department else ""
        return f"{dept}{self.month:%Y年%m月}排班表" if self.month else super().__str__()


class DocumentLog(Record, Base):
    __tablename__ = "document_logs"
    __register__ = Register(
        label="文件资料收发登记",
        group="A",
        prefix="WJSF",
        source="000 二 文件资料的收发和传递",
        help="代发传真须问明发送地址、传真号码、收件人、联系电话并电话确认;代收的文件物品尽快转交接收人。"
        "未经本人同意不得给第三人传阅。",
        list_columns=(
            "received_at",
            "direction",
            "item_type",
            "description",
            "sender",
            "recipient",
            "handed_over_at",
            "signed_by",
        ),
        search=("description", "sender", "recipient", "recipient_phone", "signed_by"),
        key=("received_at", "description"),
        title="description",
        scope=ROOM_BUILDING,
    )

    received_at: Mapped[dt.datetime] = field("受理时间", help="收到文件或接受委托的时间")
    direction: Mapped[str] = field(
        "收发", String(4), choices=["代发", "代收"], help="代发:替顾客发送;代收:收到内、外部需转交代送的"
    )
    item_type: Mapped[str] = field(
        "类别", String(10), choices=["传真", "文件", "资料", "信件", "快递", "物品"]
    )
    description: Mapped[str] = field("名称/内容", String(200))
    quantity: Mapped[int] = field("份数/件数", default=1)
    sender: Mapped[str] = field("发件人", String(50), help="代发时为委托的顾客,代收时为来件单位或人")
    recipient: Mapped[str] = field("收件人", String(50))
    recipient_phone: Mapped[str | None] = field("联系电话", String(30))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id, help="收件人是住户时填写")
    address: Mapped[str | None] = field("发送地址", String(200))
    fax_number: Mapped[str | None] = field("传真号码", String(30))
    phone_confirmed: Mapped[bool] = field(
        "已电话确认", default=False, help="代发传真后与收件方电话确认已收到"
    )
    handed_over_at: Mapped[dt.datetime | None] = field("转交/发送时间")
    signed_by: Mapped[str | None] = field("签收人", String(50), help="接收物品的人签收")


class WorkDiary(Record, Base):
    __tablename__ = "work_diaries"
    __register__ = Register(
        label="工作日记",
        group="A",
        prefix="GZRJ",
        source="002 篇3 2.3.9",
        help="客服中心助理每天做好工作日记及交班记录。",
        list_columns=("diary_date", "clerk", "shift", "content", "follow_up"),
        search=("content", "follow_up"),
        key=("diary_date", "clerk"),
        title="diary_date",
    )

    diary_date: Mapped[dt.date] = field("日期")
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    clerk: Mapped[User] = link("客服人员", clerk_id)
    shift: Mapped[str | None] = field("班次", String(10), choices=SHIFTS)
    content: Mapped[str] = field("工作内容", Text, help="当天接待、投诉、钥匙领用交接、办证等工作")
    follow_up: Mapped[str | None] = field("待跟进事项", Text)


class BagDeposit(Record, Base):
    __tablename__ = "bag_deposits"
    __register__ = Register(
        label="存包登记",
        group="A",
        prefix="CBDJ",
        source="001 永冠百货客服 第三章 营业中, 第四章 服务规范",
        help="顾客存包时主动问候;取包时接过存包牌,快速准确取出所存物品,轻拿轻放。",
        list_columns=("deposited_at", "tag_no", "locker_no", "items", "collected_at"),
        search=("tag_no", "locker_no", "items", "customer"),
        key=("deposited_at", "tag_no"),
        title="tag_no",
    )

    tag_no: Mapped[str] = field("存包牌号", String(20))
    locker_no: Mapped[str | None] = field("存包柜号", String(20))
    customer: Mapped[str | None] = field("顾客", String(50))
    items: Mapped[str | None] = field("所存物品", String(200))
    deposited_at: Mapped[dt.datetime] = field("存包时间")
    collected_at: Mapped[dt.datetime | None] = field("取包时间", help="下班时未取的物品转入顾客遗留物品记录")


class LeftItem(Record, Base):
    __tablename__ = "left_items"
    __register__ = Register(
        label="顾客遗留物品记录",
        group="A",
        prefix="YLWP",
        source="001 永冠百货客服 营业中10; 000 (一)3(2)",
        help="下班时清理存包柜及柜台,对顾客遗留的物品认真清点,做好记录,以备后查,为顾客负责到底。",
        list_columns=(
            "found_at",
            "place",
            "description",
            "quantity",
            "found_by",
            "status",
            "claimant",
            "claimed_at",
        ),
        search=("description", "storage", "claimant", "claimant_phone"),
        key=("found_at", "description"),
        title="description",
        scope=ROOM_BUILDING,
    )

    found_at: Mapped[dt.datetime] = field("发现时间")
    place: Mapped[str] = field("发现地点", String(10), choices=["存包柜", "柜台", "客房", "其他"])
    bag_deposit_id: Mapped[int | None] = mapped_column(ForeignKey("bag_deposits.id"), index=True)
    bag_deposit: Mapped[BagDeposit | None] = link(
        "存包记录", bag_deposit_id, help="存包柜内未取的物品,选对应的存包登记"
    )
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id, help="退房检查时客房内遗留的物品")
    description: Mapped[str] = field("物品名称及特征", String(200))
    quantity: Mapped[int] = field("数量", default=1)
    found_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    found_by: Mapped[User | None] = link("清点人", found_by_id)
    storage: Mapped[str | None] = field("存放位置", String(100))
    status: Mapped[str] = field(
        "状态", String(10), choices=["待认领", "已认领", "已移交", "已处理"], default="待认领"
    )
    claimant: Mapped[str | None] = field("认领人", String(50))
    claimant_phone: Mapped[str | None] = field("认领人电话", String(30))
    claimed_at: Mapped[dt.datetime | None] = field("认领时间")
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    returned_by: Mapped[User | None] = link("经手人", returned_by_id, help="把物品交还认领人的员工")


REPORTS_FILED = ["收入明细表(周报)", "收入明细表(月报)", "智能卡季度汇总", "钥匙管理情况报告",
                 "办证情况统计表", "投诉汇总表", "客户档案资料明细表", "业户意见征询统计分析"]


class ReportFiling(Record, Base):
    __tablename__ = "report_filings"
    __register__ = Register(
        label="报表报送登记",
        group="A",
        prefix="BBBS",
        source="000 (十二); 004 4.3.2; 002 篇3 2.3.10; 000 (五)2",
        help="定期报表交出时登记:收入明细表每周一报上周、每月报上月;智能卡发放情况每季度首月5日前汇总上季度;"
             "钥匙管理情况报告、办证情况统计表、客户档案资料明细表每月报上月。",
        list_columns=("report", "period_start", "filed_on", "filed_to", "recorded_by"),
        search=("report", "filed_to"),
        key=("report", "period_start"),
        title="report",
        duties=(
            Duty("每周一报上周收入明细表", every="week", date="period_start", due_day=1, lag=1,
                 where=("report", "收入明细表(周报)")),
            Duty("每月报上月收入明细表", every="month", date="period_start", due_day=5, lag=1,
                 where=("report", "收入明细表(月报)")),
            Duty("每季度首月5日前交上季度智能卡发放汇总", every="quarter", date="period_start", due_day=5,
                 lag=1, where=("report", "智能卡季度汇总")),
        ),
    )

    report: Mapped[str] = field("报表", String(20), choices=REPORTS_FILED)
    period_start: Mapped[dt.date] = field("报表期间起",
                                          help="周报填该周星期一,月报填该月1日,季度汇总填该季度首日")
    filed_on: Mapped[dt.date] = field("报送日期", default=today)
    filed_to: Mapped[str | None] = field("报送对象", String(50), help="如 财务会计、服务中心")
