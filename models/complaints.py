"""D. Complaints and callbacks (REGISTERS.md §D).

《投诉汇总表》(XST-HD-KF-021) and 《业户意见征询统计分析》 are reports over these registers, not
tables: :class:`Complaint` keeps the type, :class:`ComplaintHandling` the level, responsible
department and closing time they count, and :class:`OpinionSurvey` one satisfaction answer per item.

Closing a complaint plans its callback within three days, and a guest's departure the callback of the
next day (002 回访要求): a :class:`CustomerCallback` with a 计划回访日期 and no 回访日期 yet.
The callback rates of 002 are :func:`admin_app.rules.callbacks.complaint_callback_rates`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, ForeignKey, String, Text, delete, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from admin_app.clock import today
from admin_app.rules import callbacks as schedule
from models.archives import CustomerArchive, GuestProfile
from models.base import ROOM_BUILDING, Base, Deadline, Record, Register, Scope, field, link, linked_id
from models.front_desk import CallRecord
from models.postpartum import ClientArchive
from models.reference import Department, Room, User
from models.repairs import CALLBACK_METHODS, SATISFACTION, RepairOrder

#: 002 篇3 2.3.2: 客户之电话、书面及口头之投诉.
COMPLAINT_CHANNELS = ["电话", "来访", "书面"]
#: What a complaint is about, for the 投诉汇总表's count by type: the services the handbooks name
#: (000 一; 002 2.1.1.4 公共设施设备之维修和治安、绿化、保洁; 003 2.1 接送、房间、月子餐、护理).
COMPLAINT_TYPES = ["服务态度", "维修", "设施设备", "环境卫生", "安全秩序", "收费", "餐饮", "护理", "其他"]
#: Set by the 客户服务部主管 (000 (三)1(2)); 重大 ones the centre manager follows up (002 2.1.1.2).
COMPLAINT_LEVELS = ["一般投诉", "较大投诉", "重大投诉"]
#: 001 1.1 OTE: 本人能处理的立即处理;不能处理的报本部主管;非本部门的由部门主管协调;
#: 000 (三)2(3): 不属服务范畴的婉转解释说明.
HANDLING_METHODS = ["当场处理", "转责任部门处理", "多部门协调处理", "解释说明"]
#: 002 回访要求 (离店第二日、投诉后三日内); 001 七.13 入户回访单.
DEPARTURE_CALLBACK = "离店次日回访"
COMPLAINT_CALLBACK = "投诉回访"
CALLBACK_KINDS = [DEPARTURE_CALLBACK, COMPLAINT_CALLBACK, "入户回访"]
#: 001 1.3.6 客户拜访与意见征询制度; 002 2.1.3.4 定期安排家访了解租户对管理工作之意见.
SURVEY_METHODS = ["上门走访", "问卷", "电话"]


class Complaint(Record, Base):
    __tablename__ = "complaints"
    __register__ = Register(
        label="投诉信息登记表",
        group="D",
        code="XST-HD-KF-020",
        source="000 (三)1, 2; 001 1.1, 七.24; 002 接待来访投诉",
        help="即《投诉受理单》:接到投诉即登记并核实、判断;有效投诉填写《客户投诉处理表》立即上报客户服务部主管。"
             "首问责任制:首位接待员一跟到底,直到问题解决并确定客户满意为止。",
        list_columns=("received_at", "complainant", "room", "complaint_type", "content", "first_responder",
                      "valid"),
        search=("complainant", "phone", "content"),
        key=("received_at", "complainant"),
        title="complainant",
        deadlines=(Deadline("接到投诉当天核实、判断", start="received_at", done="verification", day_end=True,
                            warn=dt.timedelta(hours=2), owner="first_responder"),),
        scope=ROOM_BUILDING,
    )

    received_at: Mapped[dt.datetime] = field("投诉时间", index=True)
    channel: Mapped[str] = field("投诉方式", String(10), choices=COMPLAINT_CHANNELS, default="电话")
    complainant: Mapped[str] = field("投诉人", String(50))
    phone: Mapped[str | None] = field("联系电话", String(30))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    complaint_type: Mapped[str | None] = field("投诉类别", String(10), choices=COMPLAINT_TYPES)
    content: Mapped[str] = field("投诉内容", Text, help="详细记录客户的投诉及要求")
    call_record_id: Mapped[int | None] = mapped_column(ForeignKey("call_records.id"), index=True)
    call_record: Mapped[CallRecord | None] = link(
        "来电记录", call_record_id, help="投诉先记入《来电、来访咨询记录》的,选该记录"
    )
    repair_order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    repair_order: Mapped[RepairOrder | None] = link(
        "相关报修", repair_order_id, help="投诉维修未完成或维修质量时,选所投诉的报修记录"
    )
    first_responder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    first_responder: Mapped[User] = link(
        "首问责任人", first_responder_id, help="接待投诉的首位接待员,对投诉一跟到底"
    )
    verification: Mapped[str | None] = field("核实情况", Text, help="对投诉信息进行核实、判断的情况")
    valid: Mapped[bool] = field(
        "有效投诉", default=False,
        help="核实后属有效投诉的勾选并填写《客户投诉处理表》;不属服务范畴的向客户婉转解释说明",
    )

    def __str__(self) -> str:
        when = f"{self.received_at:%Y-%m-%d %H:%M} " if self.received_at else ""
        return f"{when}{self.complainant or ''}"


class ComplaintHandling(Record, Base):
    __tablename__ = "complaint_handlings"
    __register__ = Register(
        label="客户投诉处理表",
        group="D",
        prefix="TSCL",
        source="000 (三)1(2)–(3); 002 接待来访投诉; 002 篇2 2.1.1.2",
        help="即《客人投诉处理单》:客户服务部主管确定投诉级别及处理方法;当天调查、核实,处理结果汇报责任部门;"
             "实在不能解决的上报服务中心经理决定处理办法;处理完成后将本表存入业主档案。",
        list_columns=("complaint", "level", "method", "responsible_department", "investigated_at",
                      "resolved", "escalated", "closed_at"),
        search=("complaint.complainant", "investigation", "result"),
        key=("complaint",),
        title="complaint",
        deadlines=(Deadline("接到投诉当天调查、核实", start="complaint.received_at", done="investigated_at",
                            day_end=True, warn=dt.timedelta(hours=2)),),
        scope=Scope(building="complaint.room.building"),
    )

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True, index=True)
    complaint: Mapped[Complaint] = link("投诉登记", complaint_id, help="选《投诉信息登记表》中的有效投诉")
    level: Mapped[str] = field("投诉级别", String(10), choices=COMPLAINT_LEVELS,
                               help="由客户服务部主管确定;重大投诉由服务中心经理跟进落实")
    method: Mapped[str] = field("处理方法", String(10), choices=HANDLING_METHODS,
                                help="由客户服务部主管确定")
    responsible_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    responsible_department: Mapped[Department | None] = link("责任部门", responsible_department_id)
    investigated_at: Mapped[dt.datetime | None] = field("调查核实时间", help="接到投诉当天进行调查、核实")
    investigation: Mapped[str | None] = field("调查核实情况", Text)
    result: Mapped[str | None] = field("处理结果", Text, help="处理完毕后写明处理结果,方便备案与回访")
    resolved: Mapped[bool] = field("已解决", default=False, help="问题得到解决并确定客户满意")
    escalated: Mapped[bool] = field(
        "上报服务中心经理", default=False, help="实在不能解决的,将问题和意见上报,由服务中心经理决定处理办法"
    )
    manager_decision: Mapped[str | None] = field("经理决定的处理办法", Text)
    closed_at: Mapped[dt.datetime | None] = field("办结时间")
    archive_id: Mapped[int | None] = mapped_column(ForeignKey("customer_archives.id"), index=True)
    archive: Mapped[CustomerArchive | None] = link(
        "存入档案", archive_id, help="投诉处理完成后将本表存入的业主档案(一户一档)"
    )

    def before_save(self, session: Session) -> None:
        """Closing the complaint plans its callback within three days (002 回访要求)."""
        state = inspect(self)
        if state.persistent and not state.attrs.closed_at.history.has_changes():
            return
        complaint_id = linked_id(self, "complaint")
        with session.no_autoflush:
            complaint = session.get(Complaint, complaint_id) if complaint_id is not None else None
        if complaint is None:
            return
        due = schedule.complaint_callback_due(self.closed_at) if self.closed_at else None
        plan_customer_callback(
            session, COMPLAINT_CALLBACK, "complaint", complaint, due,
            visitee=complaint.complainant, phone=complaint.phone, room_id=complaint.room_id,
            responsible_department_id=linked_id(self, "responsible_department"),
            department_id=linked_id(self, "department"), recorded_by_id=linked_id(self, "recorded_by"))


class CustomerCallback(Record, Base):
    __tablename__ = "customer_callbacks"
    __register__ = Register(
        label="回访记录",
        group="D",
        code="XST-HD-KF-010",
        source="002 回访要求; 002 篇2 2.1.2.7; 001 七.13",
        help="即《回访单》《入户回访单》:散客、团队客人离店第二日回访;投诉过的客人三日内回访率100%;"
             "服务中心经理安排不少于20%的投诉回访。不能当即答复的告知预约回复时间;"
             "再次提出的意见与相关部门沟通解决,由相关部门经理反馈客人处理结果并在回访单上签字。"
             "投诉办结、客人离店时自动排出计划回访日期,回访后在该条填写回访日期和回访人;回访率见「投诉回访率」。",
        list_columns=("due_on", "callback_date", "kind", "visitee", "room", "method", "satisfaction",
                      "responsible_department", "called_back_by"),
        search=("visitee", "phone", "opinion", "complaint.complainant", "guest.guest_name"),
        key=("callback_date", "visitee"),
        title="visitee",
        deadlines=(Deadline("按计划回访日期回访(投诉三日内、离店次日)", start="due_on", done="callback_date",
                            day_end=True, warn=dt.timedelta(hours=12), owner="recorded_by"),),
        scope=ROOM_BUILDING,
    )

    kind: Mapped[str] = field("回访类别", String(10), choices=CALLBACK_KINDS)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    complaint: Mapped[Complaint | None] = link("投诉登记", complaint_id, help="投诉回访选所回访的投诉")
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("guest_profiles.id"), index=True)
    guest: Mapped[GuestProfile | None] = link(
        "客人", guest_id, help="离店次日回访选《客人基本情况一览表》中的客人"
    )
    archive_id: Mapped[int | None] = mapped_column(ForeignKey("customer_archives.id"), index=True)
    archive: Mapped[CustomerArchive | None] = link("住户档案", archive_id, help="入户回访选住户的客户档案")
    visitee: Mapped[str] = field("被回访人", String(50))
    phone: Mapped[str | None] = field("联系电话", String(30))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    due_on: Mapped[dt.date | None] = field(
        "计划回访日期", index=True,
        help="投诉办结后三日内、客人离店次日;投诉办结或填写离店日期时自动排期")
    callback_date: Mapped[dt.date | None] = field("回访日期", index=True,
                                                  help="实际回访的日期;尚未回访的留空")
    method: Mapped[str] = field("回访方式", String(10), choices=CALLBACK_METHODS, default="电话")
    opinion: Mapped[str | None] = field("客人意见", Text, help="虚心听取意见,诚恳接受批评,采纳合理化建议")
    satisfaction: Mapped[str | None] = field("满意度", String(10), choices=SATISFACTION)
    promised_reply_at: Mapped[dt.datetime | None] = field(
        "预约回复时间", help="对客人的询问、意见不能当即答复的,告知预约回复时间"
    )
    responsible_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    responsible_department: Mapped[Department | None] = link(
        "相关部门", responsible_department_id, help="由相关部门经理反馈客人处理结果并在回访单上签字"
    )
    feedback: Mapped[str | None] = field("处理结果反馈", Text)
    service_info_given: Mapped[bool] = field(
        "已告知客服电话及优惠", default=False,
        help="回访散客时告知客服电话、回访人员姓名及入店优惠;其再次入住的消费计为回访人员的销售业绩",
    )
    called_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    called_back_by: Mapped[User | None] = link("回访人", called_back_by_id, help="实际回访的人;回访后填写")

    def problems(self) -> dict[str, str]:
        if self.callback_date is None and self.due_on is None:
            return {"callback_date": "请填写回访日期;尚未回访的请填写计划回访日期"}
        if self.callback_date is not None and linked_id(self, "called_back_by") is None:
            return {"called_back_by": "已回访的请填写回访人"}
        return {}

    def before_save(self, session: Session) -> None:
        """A callback recorded as a new row fulfils the planned one of the same complaint or guest."""
        if inspect(self).persistent or self.callback_date is None:
            return
        for relation in ("complaint", "guest"):
            owner_id = linked_id(self, relation)
            if owner_id is None:
                continue
            link_column = getattr(CustomerCallback, f"{relation}_id")
            with session.no_autoflush:
                planned = session.scalars(select(CustomerCallback).where(
                    CustomerCallback.kind == self.kind, link_column == owner_id,
                    CustomerCallback.callback_date.is_(None)))
                for row in planned:
                    self.due_on = self.due_on or row.due_on
                    session.delete(row)


def plan_customer_callback(session: Session, kind: str, relation: str, owner: Base, due_on: dt.date | None,
                           **values: Any) -> None:
    """Keep one planned callback of ``kind`` for ``owner`` (``relation`` names the link: complaint, guest)
    due on ``due_on``: made if missing (unless already overdue by more than a week), moved if the date
    changed, dropped if there is no date any more; nothing changes once the owner has been called back."""
    rows: list[CustomerCallback] = []
    if owner.id is not None:
        with session.no_autoflush:
            rows = list(session.scalars(select(CustomerCallback).where(
                CustomerCallback.kind == kind, getattr(CustomerCallback, f"{relation}_id") == owner.id)))
    if any(row.callback_date is not None for row in rows):
        return
    if due_on is None:
        for row in rows:
            session.delete(row)
    elif rows:
        rows[0].due_on = due_on
        for row in rows[1:]:
            session.delete(row)
    elif due_on >= schedule.planning_start(today()):
        session.add(CustomerCallback(kind=kind, due_on=due_on, **{relation: owner}, **values))


def drop_open_customer_callbacks(connection: Connection, *where: Any) -> None:
    connection.execute(delete(CustomerCallback).where(CustomerCallback.callback_date.is_(None), *where))


@event.listens_for(Complaint, "before_delete")
@event.listens_for(ComplaintHandling, "before_delete")
def drop_complaint_plan(_mapper: Any, connection: Connection, record: Complaint | ComplaintHandling) -> None:
    """A complaint (or its handling) deleted takes its planned, not yet made callback along."""
    complaint_id = record.id if isinstance(record, Complaint) else record.complaint_id
    drop_open_customer_callbacks(connection, CustomerCallback.complaint_id == complaint_id,
                                 CustomerCallback.kind == COMPLAINT_CALLBACK)


@event.listens_for(GuestProfile, "before_delete")
def drop_departure_plan(_mapper: Any, connection: Connection, guest: GuestProfile) -> None:
    drop_open_customer_callbacks(connection, CustomerCallback.guest_id == guest.id)


class OpinionSurvey(Record, Base):
    __tablename__ = "opinion_surveys"
    __register__ = Register(
        label="业户意见征询表",
        group="D",
        code="XST-HD-KF-018",
        source="001 七.21–22, 1.3.6; 002 篇2 2.1.3.4",
        help="定期走访业户,逐项征询对各项服务的满意程度及意见建议;《业户意见征询统计分析》按本表汇总,"
             "需整改的问题发《整改回复单》给责任部门。",
        list_columns=("surveyed_on", "archive", "method", "overall", "suggestions", "surveyed_by"),
        search=("respondent", "suggestions", "archive.household", "archive.archive_no"),
        key=("archive", "surveyed_on"),
        title="archive",
        scope=Scope(building="archive.room.building"),
    )

    archive_id: Mapped[int] = mapped_column(ForeignKey("customer_archives.id"), index=True)
    archive: Mapped[CustomerArchive] = link("业户", archive_id, help="按客户档案选业户(一户一档)")
    respondent: Mapped[str | None] = field("填表人", String(50), help="不是户主本人填写时填写")
    surveyed_on: Mapped[dt.date] = field("征询日期", index=True)
    method: Mapped[str] = field("征询方式", String(10), choices=SURVEY_METHODS, default="上门走访")
    reception: Mapped[str | None] = field("客服接待", String(10), choices=SATISFACTION)
    repair: Mapped[str | None] = field("报修维修", String(10), choices=SATISFACTION)
    security: Mapped[str | None] = field("治安秩序", String(10), choices=SATISFACTION)
    cleaning: Mapped[str | None] = field("环境保洁", String(10), choices=SATISFACTION)
    greening: Mapped[str | None] = field("绿化养护", String(10), choices=SATISFACTION)
    facilities: Mapped[str | None] = field("公共设施设备", String(10), choices=SATISFACTION)
    community: Mapped[str | None] = field("社区文化活动", String(10), choices=SATISFACTION)
    charges: Mapped[str | None] = field("收费服务", String(10), choices=SATISFACTION)
    overall: Mapped[str | None] = field("总体评价", String(10), choices=SATISFACTION)
    suggestions: Mapped[str | None] = field("意见与建议", Text)
    surveyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    surveyed_by: Mapped[User | None] = link("征询人", surveyed_by_id)

    def __str__(self) -> str:
        when = f"{self.surveyed_on:%Y-%m-%d} " if self.surveyed_on else ""
        return f"{when}{self.archive or ''}"


class RectificationReply(Record, Base):
    __tablename__ = "rectification_replies"
    __register__ = Register(
        label="整改回复单",
        group="D",
        code="XST-HD-KF-019",
        source="001 七.23, 1.1",
        help="意见征询、投诉中需整改的问题发给责任部门,责任部门限期整改并书面回复;客服核实后向业户反馈。",
        list_columns=("issued_at", "issue", "responsible_department", "deadline", "rectification",
                      "replied_at", "verified"),
        search=("issue", "rectification", "verification"),
        key=("issued_at", "responsible_department"),
        title="issue",
    )

    issued_at: Mapped[dt.datetime] = field("发出时间", index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("opinion_surveys.id"), index=True)
    survey: Mapped[OpinionSurvey | None] = link(
        "意见征询", survey_id, help="由《业户意见征询表》提出的问题选该表"
    )
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    complaint: Mapped[Complaint | None] = link("投诉登记", complaint_id, help="由投诉提出的问题选该投诉")
    issue: Mapped[str] = field("存在问题", String(300))
    responsible_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    responsible_department: Mapped[Department] = link("整改部门", responsible_department_id)
    deadline: Mapped[dt.date | None] = field("整改期限")
    rectification: Mapped[str | None] = field("整改措施及结果", Text, help="责任部门填写")
    replied_at: Mapped[dt.datetime | None] = field("回复时间")
    verified: Mapped[bool] = field("客服已核实", default=False, help="客服到现场核实整改结果后勾选")
    verification: Mapped[str | None] = field("核实及反馈业户情况", Text)


class SatisfactionSurvey(Record, Base):
    __tablename__ = "satisfaction_surveys"
    __register__ = Register(
        label="满意度调查表",
        group="D",
        prefix="MYDDC",
        source="003 4.6.1, 2.1 职责5, 2.2 职责2 任务7, 2.3 四",
        help="客人入住须知附满意度调查表;逐项评分(百分制):接送、房间环境、月子餐、育婴师服务、护理、产后修复。"
             "客服专员跟进反馈的问题直至解决;客户满意度评估低于90分计入客服考核。",
        list_columns=("surveyed_on", "client", "transfer", "room_score", "meals", "nanny", "nursing",
                      "recovery"),
        search=("client.client_name", "feedback_issues", "follow_up"),
        key=("client", "surveyed_on"),
        title="client",
        scope=Scope(building="client.room.building"),
    )

    client_id: Mapped[int] = mapped_column(ForeignKey("client_archives.id"), index=True)
    client: Mapped[ClientArchive] = link(
        "客户", client_id, help="选《客户档案登记表》中的客户(合同编号、房号见档案)"
    )
    surveyed_on: Mapped[dt.date] = field("调查日期", index=True)
    transfer: Mapped[int | None] = field("接送(分)", help="百分制")
    room_score: Mapped[int | None] = field("房间环境(分)", help="百分制")
    meals: Mapped[int | None] = field("月子餐(分)", help="百分制")
    nanny: Mapped[int | None] = field("育婴师服务(分)", help="百分制")
    nursing: Mapped[int | None] = field("护理(分)", help="百分制")
    recovery: Mapped[int | None] = field("产后修复(分)", help="百分制")
    feedback_issues: Mapped[str | None] = field("问题反馈", "problems", Text)  # column keeps its name
    follow_up: Mapped[str | None] = field("跟踪解决情况", Text)
    followed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    followed_by: Mapped[User | None] = link("客服专员", followed_by_id)
