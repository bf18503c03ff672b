"""I. Estate rounds, renovation, incidents (REGISTERS.md §I).

001 gives the numbered forms (七 相关表格) by name and code only; the fields are the catalogue's and
what a clerk of the estate's 客服部 expects. The engineering check and the centre manager's approval
of a 装修施工申请表 (001 1.3.3; 002 2.1.1.5) are a later issue (the approval engine), as is the
submission of a 大客户拜访计划 to the marketing director.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import ROOM_BUILDING, Base, Record, Register, Scope, field, link
from models.reference import Building, Department, Room, User
from models.repairs import RepairOrder

#: State of one part of a vacant unit on a round.
CONDITIONS = ["正常", "异常"]
RENOVATION_CONCLUSIONS = ["无违规", "有违规"]
#: Kinds of emergency: 000 (四)2(2) names 跑水、漏电、室内报警; the rest are an estate's usual incidents.
INCIDENT_KINDS = ["火警", "跑水", "漏电/停电", "停水", "燃气泄漏", "电梯困人", "室内报警", "治安事件",
                  "人员受伤/急病", "恶劣天气", "其他"]
#: Client levels of the 大客户拜访计划 (gifts are chosen by level).
CLIENT_LEVELS = ["A级", "B级", "C级"]
#: What the centre applies for on a tenant's behalf (002 篇3 2.3.6).
ERRAND_SERVICES = ["申报电话", "有线电视", "代订报刊"]


def _room_when(room: Room | None, when: dt.datetime | None) -> str:
    """A room's label and a moment, naming a round, an inspection or a finding in pickers."""
    parts = [room.label if room else "", f"{when:%Y-%m-%d %H:%M}" if when else ""]
    return " ".join(p for p in parts if p)


# ---------------------------------------------------------------- 空置房巡查记录表 001 七.1


class VacantRoomInspection(Record, Base):
    __tablename__ = "vacant_room_inspections"
    __register__ = Register(
        label="空置房巡查记录表",
        group="I",
        code="XST-HD-KF-001",
        source="001 七.1, 四(二) 空置房管理规定; 000 (四)1",
        help="定期巡查空置房门窗、水、电及墙面天花状况并记录;空置房钥匙封存保管,巡查用钥匙按《钥匙借用记录表》借用、当日归还;"
             "发现异常及时报修并跟进。",
        list_columns=("inspected_at", "room", "doors_windows", "water", "power", "walls", "findings",
                      "inspector"),
        search=("findings", "handling", "room.number"),
        key=("inspected_at", "room"),
        title="inspected_at",
        scope=ROOM_BUILDING,
    )

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id)
    inspected_at: Mapped[dt.datetime] = field("巡查时间", index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    inspector: Mapped[User] = link("巡查人", inspector_id)
    doors_windows: Mapped[str] = field("门窗", String(4), choices=CONDITIONS, default="正常",
                                       help="门窗是否关好、玻璃五金是否完好")
    water: Mapped[str] = field("水", String(4), choices=CONDITIONS, default="正常",
                               help="有无跑水、渗漏,水阀是否关闭")
    power: Mapped[str] = field("电", String(4), choices=CONDITIONS, default="正常",
                               help="电闸是否断开,有无漏电")
    walls: Mapped[str] = field("墙面/天花/地面", String(4), choices=CONDITIONS, default="正常",
                               help="有无渗水、霉变、开裂")
    findings: Mapped[str | None] = field("发现问题", Text, help="各项均正常时留空")
    handling: Mapped[str | None] = field("处理情况", Text)
    repair_order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    repair_order: Mapped[RepairOrder | None] = link("报修记录", repair_order_id, help="发现问题转报修时选择")


    def __str__(self) -> str:
        return _room_when(self.room, self.inspected_at) or super().__str__()

# ---------------------------------------------------------------- 楼宇巡查记录表 001 七.9


class BuildingPatrol(Record, Base):
    __tablename__ = "building_patrols"
    __register__ = Register(
        label="楼宇巡查记录表",
        group="I",
        code="XST-HD-KF-007",
        source="001 七.9, 四(八) 楼宇巡查管理规定; 002 2.1.1.4, 2.3.7",
        help="巡视楼宇及外围,对公共设施设备的维修和治安、绿化、保洁等问题通知有关部门改进,并跟进到处理完毕。",
        list_columns=("patrolled_at", "building", "route", "patroller", "findings", "notified_department",
                      "closed_at"),
        search=("route", "findings", "follow_up"),
        key=("patrolled_at", "patroller"),
        title="route",
        scope=Scope(building="building"),
    )

    patrolled_at: Mapped[dt.datetime] = field("巡查时间", index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), index=True)
    building: Mapped[Building | None] = link("楼栋", building_id, help="巡查园区、步行街等公共区域时可不选")
    route: Mapped[str] = field("巡查路线/区域", String(200), help="如 1栋 天台→各楼层走道→地下车库")
    patroller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    patroller: Mapped[User] = link("巡查人", patroller_id)
    findings: Mapped[str | None] = field("发现问题", Text,
                                         help="公共设施设备损坏、治安、绿化、保洁、违章等;无则留空")
    notified_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    notified_department: Mapped[Department | None] = link("通知部门", notified_department_id)
    follow_up: Mapped[str | None] = field("跟进处理情况", Text)
    repair_order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    repair_order: Mapped[RepairOrder | None] = link("报修记录", repair_order_id, help="发现问题转报修时选择")
    closed_at: Mapped[dt.datetime | None] = field("处理完毕时间")

    def __str__(self) -> str:
        when = f"{self.patrolled_at:%Y-%m-%d %H:%M} " if self.patrolled_at else ""
        return f"{when}{self.route or ''}".strip() or super().__str__()


# ---------------------------------------------------------------- 违规通知单 001 七.10


class ViolationNotice(Record, Base):
    __tablename__ = "violation_notices"
    __register__ = Register(
        label="违规通知单",
        group="I",
        code="XST-HD-KF-008",
        source="001 七.10, 四(十五) 业户违章处理管理规定",
        help="发现业户违规行为,开具违规通知单送达业户并请其签收,写明整改要求和期限;到期复查,跟进至整改完毕。",
        list_columns=("notice_no", "room", "recipient", "violation", "deadline", "served_at", "rectified_on"),
        search=("notice_no", "recipient", "violation", "place"),
        key=("notice_no",),
        title="notice_no",
        scope=ROOM_BUILDING,
    )

    notice_no: Mapped[str] = field("通知单编号", String(30), unique=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    place: Mapped[str | None] = field("违规地点", String(200), help="发生在公共部位时写明地点")
    recipient: Mapped[str] = field("业户", String(50), help="通知单送达的业主或住户")
    phone: Mapped[str | None] = field("联系电话", String(30))
    violation: Mapped[str] = field("违规内容", Text)
    requirement: Mapped[str | None] = field("整改要求", Text)
    deadline: Mapped[dt.date] = field("整改期限")
    served_at: Mapped[dt.datetime] = field("送达时间")
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    served_by: Mapped[User | None] = link("送达人", served_by_id)
    signed_by: Mapped[str | None] = field("签收人", String(50), help="业户拒签的在备注中写明")
    patrol_id: Mapped[int | None] = mapped_column(ForeignKey("building_patrols.id"), index=True)
    patrol: Mapped[BuildingPatrol | None] = link("楼宇巡查记录", patrol_id,
                                                 help="巡查中发现的违规选择对应巡查记录")
    reinspection: Mapped[str | None] = field("复查情况", Text)
    rectified_on: Mapped[dt.date | None] = field("整改完毕日期")


# ---------------------------------------------------------------- 装修 001 七.14–七.17; 002 2.1.1.5


class RenovationApplication(Record, Base):
    __tablename__ = "renovation_applications"
    __register__ = Register(
        label="装修施工申请表",
        group="I",
        prefix="ZXSQ",
        source="001 七.14, 1.3.3 装修管理制度, 六.4 办理装修流程; 002 2.1.1.5, 2.3.8",
        help="业户(租户)装修须先申请,经工程部核准、客服中心经理审批后方可施工;客服为租户及装修承建商办理出入证、"
             "装修出入证;装修完毕验收合格后退还押金。",
        list_columns=("applied_on", "room", "applicant", "contractor", "start_on", "end_on", "deposit",
                      "deposit_refunded_on"),
        search=("applicant", "phone", "contractor", "contractor_leader", "scope"),
        key=("applied_on", "room"),
        title="applicant",
        scope=ROOM_BUILDING,
    )

    applied_on: Mapped[dt.date] = field("申请日期")
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号/商铺", room_id)
    applicant: Mapped[str] = field("申请人(业主/租户)", String(50))
    phone: Mapped[str] = field("联系电话", String(30))
    contractor: Mapped[str] = field("施工单位", String(100))
    contractor_leader: Mapped[str | None] = field("施工负责人", String(50))
    contractor_phone: Mapped[str | None] = field("负责人电话", String(30))
    workers: Mapped[int | None] = field("施工人数", help="按人数办理装修出入证")
    scope: Mapped[str] = field("装修项目及范围", Text)
    start_on: Mapped[dt.date] = field("施工期(起)")
    end_on: Mapped[dt.date] = field("施工期(止)")
    deposit: Mapped[Decimal] = field("装修押金(元)", default=Decimal("0"))
    deposit_receipt_no: Mapped[str | None] = field("押金收据号", String(30))
    deposit_refunded_on: Mapped[dt.date | None] = field("押金退还日期", help="装修验收合格后退还")

    def __str__(self) -> str:
        room = f"{self.room.label} " if self.room else ""
        return f"{room}{self.applicant or ''}装修".strip()


class RenovationInspection(Record, Base):
    __tablename__ = "renovation_inspections"
    __register__ = Register(
        label="室内装修检查表",
        group="I",
        code="XST-HD-KF-012",
        source="001 七.15, 1.3.3 装修管理制度",
        help="装修期间定期入户检查施工是否与申请一致、有无违规;发现违规记入《室内装修违规记录表》并跟进整改。",
        list_columns=("checked_at", "room", "application", "inspector", "findings", "conclusion"),
        search=("findings", "opinion", "room.number"),
        key=("checked_at", "room"),
        title="checked_at",
        scope=ROOM_BUILDING,
    )

    application_id: Mapped[int | None] = mapped_column(ForeignKey("renovation_applications.id"), index=True)
    application: Mapped[RenovationApplication | None] = link(
        "装修申请", application_id, help="已办装修申请的选择对应的《装修施工申请表》")
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号/商铺", room_id)
    checked_at: Mapped[dt.datetime] = field("检查时间", index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    inspector: Mapped[User] = link("检查人", inspector_id)
    findings: Mapped[str] = field("检查情况", Text,
                                  help="施工项目是否与申请一致,有无改动结构、破坏防水、占用公共部位、违规动火等")
    conclusion: Mapped[str] = field("检查结论", String(4), choices=RENOVATION_CONCLUSIONS, default="无违规")
    opinion: Mapped[str | None] = field("整改意见", Text)

    def __str__(self) -> str:
        return _room_when(self.room, self.checked_at) or super().__str__()


class RenovationViolation(Record, Base):
    __tablename__ = "renovation_violations"
    __register__ = Register(
        label="室内装修违规记录表",
        group="I",
        code="XST-HD-KF-013",
        source="001 七.16, 1.3.3 装修管理制度",
        help="记录装修违规行为及处理情况;须限期整改的发出《装修违章整改通知书》。",
        list_columns=("found_at", "room", "application", "violation", "found_by", "handling"),
        search=("violation", "handling", "room.number"),
        key=("found_at", "room"),
        title="violation",
        scope=ROOM_BUILDING,
    )

    application_id: Mapped[int | None] = mapped_column(ForeignKey("renovation_applications.id"), index=True)
    application: Mapped[RenovationApplication | None] = link("装修申请", application_id)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("renovation_inspections.id"), index=True)
    inspection: Mapped[RenovationInspection | None] = link(
        "装修检查记录", inspection_id, help="检查中发现的违规选择对应的《室内装修检查表》")
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号/商铺", room_id)
    found_at: Mapped[dt.datetime] = field("发现时间", index=True)
    found_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    found_by: Mapped[User | None] = link("发现人", found_by_id)
    violation: Mapped[str] = field("违规内容", Text)
    handling: Mapped[str | None] = field("处理情况", Text, help="如 当场制止、通知工程部、发整改通知书")

    def __str__(self) -> str:
        return _room_when(self.room, self.found_at) or super().__str__()


class RenovationRectificationNotice(Record, Base):
    __tablename__ = "renovation_rectification_notices"
    __register__ = Register(
        label="装修违章整改通知书",
        group="I",
        code="XST-HD-KF-014",
        source="001 七.17, 1.3.3 装修管理制度",
        help="装修违章书面通知业户及施工单位限期整改并签收;到期复查,逾期未改的按装修管理规定处理。",
        list_columns=("notice_no", "room", "recipient", "deadline", "issued_at", "reinspected_on",
                      "reinspection"),
        search=("notice_no", "recipient", "violation", "requirement"),
        key=("notice_no",),
        title="notice_no",
        scope=ROOM_BUILDING,
    )

    notice_no: Mapped[str] = field("通知书编号", String(30), unique=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("renovation_applications.id"), index=True)
    application: Mapped[RenovationApplication | None] = link("装修申请", application_id)
    violation_record_id: Mapped[int | None] = mapped_column(ForeignKey("renovation_violations.id"),
                                                            index=True)
    violation_record: Mapped[RenovationViolation | None] = link("违规记录", violation_record_id)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号/商铺", room_id)
    recipient: Mapped[str] = field("致(业户/施工单位)", String(100))
    violation: Mapped[str] = field("违章内容", Text)
    requirement: Mapped[str] = field("整改要求", Text)
    deadline: Mapped[dt.date] = field("整改期限")
    issued_at: Mapped[dt.datetime] = field("发出时间")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    issued_by: Mapped[User | None] = link("发出人", issued_by_id)
    signed_by: Mapped[str | None] = field("签收人", String(50))
    reinspected_on: Mapped[dt.date | None] = field("复查日期")
    reinspection: Mapped[str | None] = field("复查情况", Text)


# ---------------------------------------------------------------- 突发事件 001 七.6, 七.27


class IncidentLog(Record, Base):
    __tablename__ = "incident_logs"
    __register__ = Register(
        label="突发事件登记表",
        group="I",
        code="XST-HD-KF-024",
        source="001 七.6, 四(十七) 紧急事件处理制度, 六.8 突发事件处理流程, 1.3.19",
        help="发生突发事件立即赶到现场处置,同时报告上级及相关部门;逐一登记时间、地点、类别、处理情况和报告对象。",
        list_columns=("occurred_at", "place", "kind", "summary", "handler", "reported_to", "closed_at"),
        search=("place", "summary", "measures", "reported_to"),
        key=("occurred_at", "place"),
        title="summary",
        scope=ROOM_BUILDING,
    )

    occurred_at: Mapped[dt.datetime] = field("发生时间", index=True)
    place: Mapped[str] = field("发生地点", String(100))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id, help="发生在户内时选择")
    kind: Mapped[str] = field("事件类别", String(10), choices=INCIDENT_KINDS)
    summary: Mapped[str] = field("事件简况", String(200))
    measures: Mapped[str | None] = field("处理情况", Text, help="采取的措施、到场人员和部门")
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    handler: Mapped[User | None] = link("处理人", handler_id)
    reported_to: Mapped[str | None] = field("报告对象", String(100),
                                            help="如 客服中心经理、工程部、110/119/120")
    reported_at: Mapped[dt.datetime | None] = field("报告时间")
    closed_at: Mapped[dt.datetime | None] = field("处理完毕时间")


class IncidentReport(Record, Base):
    __tablename__ = "incident_reports"
    __register__ = Register(
        label="突发事件记录单",
        group="I",
        code="XST-HD-KF-023",
        source="001 七.27, 四(十七) 紧急事件处理制度, 六.8 突发事件处理流程",
        help="每起登记的突发事件处理完毕后填写记录单,详细记录经过、原因、处理过程、损失及整改预防措施,存档备查。",
        list_columns=("incident", "reporter", "cause", "result", "recorded_at"),
        search=("reporter", "course", "cause", "result"),
        key=("incident",),
        title="reporter",
        scope=Scope(building="incident.room.building"),
    )

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident_logs.id"), unique=True, index=True)
    incident: Mapped[IncidentLog] = link("突发事件", incident_id, help="选择《突发事件登记表》中的该起事件")
    reporter: Mapped[str | None] = field("报告/发现人", String(50))
    people_involved: Mapped[str | None] = field("涉及人员", String(200))
    course: Mapped[str] = field("事件经过", Text)
    cause: Mapped[str | None] = field("原因分析", Text)
    handling: Mapped[str] = field("处理过程", Text, help="到场时间、采取的措施、参与处理的部门和人员")
    losses: Mapped[str | None] = field("损失情况", Text)
    result: Mapped[str | None] = field("处理结果", Text)
    prevention: Mapped[str | None] = field("整改及预防措施", Text)

    def __str__(self) -> str:
        return f"{self.incident}记录单" if self.incident else super().__str__()


# ---------------------------------------------------------------- 社区文化活动记录表 001 七.26


class CommunityActivity(Record, Base):
    __tablename__ = "community_activities"
    __register__ = Register(
        label="社区文化活动记录表",
        group="I",
        code="XST-HD-KF-022",
        source="001 七.26, 四(十六) 社区文体活动组织实施操作规定",
        help="记录组织的社区文化、文体活动:活动名称、时间、地点、参加人员、内容和效果。",
        list_columns=("held_at", "name", "place", "organiser", "participant_count", "participants"),
        search=("name", "place", "participants", "content"),
        key=("held_at", "name"),
        title="name",
    )

    name: Mapped[str] = field("活动名称", String(100))
    held_at: Mapped[dt.datetime] = field("活动时间", index=True)
    ended_at: Mapped[dt.datetime | None] = field("结束时间")
    place: Mapped[str] = field("活动地点", String(100))
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organiser: Mapped[User | None] = link("组织人", organiser_id)
    participants: Mapped[str] = field("参加人员", String(200), help="参加的业户、对象或单位")
    participant_count: Mapped[int | None] = field("参加人数")
    content: Mapped[str | None] = field("活动内容", Text)
    cost: Mapped[Decimal | None] = field("活动费用(元)")
    feedback: Mapped[str | None] = field("活动效果及业户反馈", Text)


# ---------------------------------------------------------------- 大客户拜访计划 001 詹氏


key_client_visit_visitors = Table(
    "key_client_visit_visitors",
    Base.metadata,
    Column("plan_id", ForeignKey("key_client_visit_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class KeyClientVisitPlan(Record, Base):
    __tablename__ = "key_client_visit_plans"
    __register__ = Register(
        label="大客户拜访计划",
        group="I",
        prefix="DKBF",
        source="001 詹氏客户服务工作 大客户拜访计划的制订与按排",
        help="分区域整理客户资料;按区域情况安排拜访人员(两人或两人以上)与拜访时间;按客户等级拟定拜访礼品;"
             "计划与拜访礼品表一同递交营销总监;随时跟踪各区域,及时做好资料回收及回访。",
        list_columns=("planned_on", "region", "client", "level", "visitors", "gift", "visited_on"),
        search=("region", "client", "contact", "gift"),
        key=("planned_on", "client"),
        title="client",
    )

    region: Mapped[str] = field("区域", String(50))
    client: Mapped[str] = field("客户名称", String(100))
    level: Mapped[str] = field("客户等级", String(4), choices=CLIENT_LEVELS, help="按客户等级拟定拜访礼品")
    contact: Mapped[str | None] = field("联系人", String(50))
    phone: Mapped[str | None] = field("联系电话", String(30))
    planned_on: Mapped[dt.date] = field("拜访时间", index=True)
    visitors: Mapped[list[User]] = relationship(
        secondary=key_client_visit_visitors, lazy="selectin",
        info={"label": "拜访人员", "help": "两人或两人以上"})
    gift: Mapped[str | None] = field("拜访礼品", String(100), help="按客户等级拟定")
    purpose: Mapped[str | None] = field("拜访目的", String(200))
    visited_on: Mapped[dt.date | None] = field("实际拜访日期")
    follow_up: Mapped[str | None] = field("资料回收及回访情况", Text)


# ---------------------------------------------------------------- 代办登记 002 篇3 2.3.6


class ErrandRegistration(Record, Base):
    __tablename__ = "errand_registrations"
    __register__ = Register(
        label="代办登记",
        group="I",
        prefix="DBDJ",
        source="002 篇3 2.3.6",
        help="代租户办理申报电话、有线电视及代订报刊的手续:登记申请时间,办妥后登记完成时间并通知租户。",
        list_columns=("applied_at", "tenant", "room", "service", "detail", "handler", "done_at"),
        search=("tenant", "phone", "detail"),
        key=("applied_at", "tenant"),
        title="tenant",
        scope=ROOM_BUILDING,
    )

    tenant: Mapped[str] = field("租户", String(100))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号/商铺", room_id)
    phone: Mapped[str | None] = field("联系电话", String(30))
    service: Mapped[str] = field("代办事项", String(10), choices=ERRAND_SERVICES)
    detail: Mapped[str | None] = field("办理内容", String(200),
                                       help="如 报刊名称、份数及订阅期;有线电视开户地址")
    fee: Mapped[Decimal | None] = field("代收费用(元)")
    applied_at: Mapped[dt.datetime] = field("申请时间", index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    handler: Mapped[User | None] = link("经办人", handler_id)
    done_at: Mapped[dt.datetime | None] = field("办妥时间")
