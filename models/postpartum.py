"""J. Postpartum centre client lifecycle (REGISTERS.md §J; handbook 003 月子中心客户服务制度与流程).

The client's path is 签约 → 生产 → 入所 → 入住 → 出所 → 出所后回访. The sales department hands the signed
contract over on the 签约客户交接表 (:class:`SignedClientHandover`); customer service opens the
客户档案登记表 (:class:`ClientArchive`) from it (003 4.5.1 1.1), and every later register of the client
(callbacks, 入所通知单, 用车申请单, 尾款押金, 7-day visits, activities, 出所手续) links that archive.
Saving an archive plans its 回访计划 rows from the signing and due dates and, once the client has left,
the three days after (``admin_app/rules/callbacks.py``).

Reference data of 003 4.6.1: 客房物品清单 and 月子房物品清单 are seeded checklists
(``seed/data/11_checklists_postpartum.yaml``) that :class:`ClientDischarge` ticks when the room is
checked; 服务项目表 is the small reference table :class:`ServiceItem`, because each service carries a
price, a unit and the department that provides it, which a check box cannot hold. The handbook names
these 附表 but does not reproduce them, so the seeded items are an example for the centre to replace.

Signatures (销售/客服签名及审核 on the handover; 店长、护理部、护士部、产后修复部、营养师、餐厨部 on the
入所通知单; 客服主管 and 店长 on the 用车申请单) belong to the approval engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, ForeignKey, String, Text, delete, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from admin_app.clock import today
from admin_app.rules import callbacks as schedule
from admin_app.rules import fees
from models.base import (
    ROOM_BUILDING,
    Base,
    Deadline,
    Record,
    Register,
    Scope,
    checklist,
    field,
    link,
    linked_id,
)
from models.hooks import linked
from models.reference import ChecklistItem, Department, Room, User

#: 2.3: a renewal (续住) signed by customer service shares its commission 0.6 客服 / 0.4 销售顾问.
CONTRACT_KINDS = ["新签", "续住"]
#: 4.5.1 2.2: 了解客户生产情况,顺产或剖腹产.
DELIVERY_MODES = ["顺产", "剖腹产"]
#: 4.3.1, 4.3.3, 4.8.1–4.8.3: when customer service calls a signed client back.
CALLBACK_OCCASIONS = [
    "签约当天",
    "签约一周后",
    "孕6个月前每月",
    "孕7-9个月每周",
    "节日问候",
    "预产期前1个月",
    "预产期前1周",
    "住院期间",
    "出所后3天",
    "问题跟进",
]
#: 4.3.1: 短信、电话、微信回访.
CALLBACK_CHANNELS = ["短信", "电话", "微信"]
#: 4.5.1 2.4.1 (接出院入所); 客户档案 also records 送出所的时间、地点.
VEHICLE_PURPOSES = ["接出院入所", "送出所回家", "其他"]
#: 4.6.2 1: 刷卡(信用卡、银行储蓄卡)、支付宝、微信、现金.
BALANCE_METHODS = ["信用卡", "借记卡", "支付宝", "微信", "现金"]
#: 4.6.2 2: 押金支付方式.
DEPOSIT_METHODS = ["支付宝", "微信", "现金"]
#: 4.6.3: the first seven days of the stay, one visit a day.
VISIT_DAYS = ["第1天", "第2天", "第3天", "第4天", "第5天", "第6天", "第7天"]
#: 4.4.1 (before admission), 2.2 任务4 (桑拿浴、电影院), 4.6.6 (during the stay), 4.6.7 and 4.7.1.
ACTIVITIES = [
    "孕妈瑜伽课",
    "月子课堂-抚触课",
    "产后瑜伽课",
    "手工课",
    "健康讲座",
    "宝宝护理",
    "桑拿浴",
    "电影院",
    "宝宝满月照",
    "宝宝剃胎头",
    "宝宝满月Party",
    "节假日庆祝活动",
]


# ---------------------------------------------------------------- 签约客户交接表 003 4.2.1


class SignedClientHandover(Record, Base):
    __tablename__ = "signed_client_handovers"
    __register__ = Register(
        label="签约客户交接表",
        group="J",
        prefix="QYJJ",
        source="003 4.2.1, 4.5.1 1.1–1.2, 2.3",
        help="销售签约后填写,交客服部按此建立客户档案并跟进;销售、客服双方签名并经审核;"
             "一式两份,一份销售部存底,一份客服部存入客户档案。",
        list_columns=("contract_no", "client_name", "phone", "package", "due_date", "booked_room",
                      "signed_on", "sales"),
        search=("contract_no", "client_name", "phone", "id_no", "package"),
        key=("contract_no",),
        title="contract_no",
        scope=Scope(building="booked_room.building"),
        copies=("销售部存底联", "客服部存档联"),  # 003 4.2.1: 此文件一式两份
    )

    contract_no: Mapped[str] = field("合同编号", String(30), unique=True)
    contract_kind: Mapped[str] = field(
        "签约类型", String(4), choices=CONTRACT_KINDS, default="新签",
        help="续住:客户入住后由客服促成的续住签约,业绩由客服人员与销售顾问共享(003 2.3)",
    )
    client_name: Mapped[str] = field("客户姓名", String(50))
    id_no: Mapped[str | None] = field("身份证号码", String(30),
                                      help="入所当天客服凭客户身份证到酒店前台登记(003 4.5.1 3.5)")
    phone: Mapped[str] = field("联系电话", String(30))
    address: Mapped[str | None] = field("客人联系地址", String(200))
    emergency_contact: Mapped[str | None] = field("紧急联系人", String(50))
    emergency_relation: Mapped[str | None] = field("关系", String(20),
                                                   help="紧急联系人与客户的关系,如 丈夫、母亲")
    emergency_phone: Mapped[str | None] = field("紧急联系人电话", String(30))
    package: Mapped[str] = field("套餐类型", String(50))
    list_price: Mapped[Decimal] = field("套餐原价")
    discounted_price: Mapped[Decimal | None] = field("优惠价")
    first_payment: Mapped[Decimal] = field("已付首款(含定金)")
    balance_due: Mapped[Decimal] = field("待付尾款", help="入所后由客服收取(见《尾款、押金收取》)")
    days: Mapped[int] = field("月子天数")
    signed_on: Mapped[dt.date] = field("签约日期", default=today)
    due_date: Mapped[dt.date] = field("预产期")
    hospital_escort: Mapped[bool] = field(
        "医院陪产", default=False, help="合同含医院陪产:生产期间安排育婴师到医院陪护(003 4.4.3)"
    )
    booked_room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    booked_room: Mapped[Room | None] = link("预定房号", booked_room_id)
    # The handover records the payment taken at signing; the balance's card fee is on the
    # 尾款、押金收取 record, when it is paid at move-in.
    first_payment_method: Mapped[str | None] = field("首款支付方式", String(4), choices=BALANCE_METHODS)
    card_fee: Mapped[Decimal | None] = field(
        "信用卡手续费", auto=True,
        help="首款刷信用卡按千分之六收取手续费,储蓄卡不另收(收费标准「信用卡手续费」)")
    contract_item_1: Mapped[str | None] = field("合同内约定 1", String(200))
    contract_item_2: Mapped[str | None] = field("合同内约定 2", String(200))
    contract_item_3: Mapped[str | None] = field("合同内约定 3", String(200))
    contract_item_4: Mapped[str | None] = field("合同内约定 4", String(200))
    contract_item_5: Mapped[str | None] = field("合同内约定 5", String(200))
    extra_service_1: Mapped[str | None] = field("合同未列服务内容 1", String(200),
                                                help="销售承诺但合同未列明的服务、赠送项目")
    extra_service_2: Mapped[str | None] = field("合同未列服务内容 2", String(200))
    extra_service_3: Mapped[str | None] = field("合同未列服务内容 3", String(200))
    extra_service_4: Mapped[str | None] = field("合同未列服务内容 4", String(200))
    extra_service_5: Mapped[str | None] = field("合同未列服务内容 5", String(200))
    other_agreements: Mapped[str | None] = field("其它约定", Text, help="逐条填写(表上 3 行)")
    special_requests: Mapped[str | None] = field("客户特别要求", Text, help="逐条填写(表上 3 行)")
    sales_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sales: Mapped[User] = link("销售顾问", sales_id, help="签约的销售人员")
    handed_over_on: Mapped[dt.date | None] = field("交接日期", help="交客服部的日期")

    def before_save(self, session: Session) -> None:
        self.card_fee = card_fee_of(session, self.first_payment, self.first_payment_method)


def card_fee_of(session: Session, balance: Decimal | None, method: str | None) -> Decimal | None:
    """The card fee of a balance paid by ``method``; unknown until both are given."""
    if balance is None or not method:
        return None
    return fees.card_fee(balance, method, fees.standard(session, "credit_card_fee"))


# ---------------------------------------------------------------- 客户档案登记表 003 4.2.2


class ClientArchive(Record, Base):
    __tablename__ = "client_archives"
    __register__ = Register(
        label="客户档案登记表",
        group="J",
        prefix="KHDJ",
        source="003 4.2.2, 4.2.3, 4.5.1 1.1–2.3",
        help="按销售部提交的签约客户交接表建立客户档案,准确掌握客户信息和孕期状态,做好跟进维护;"
             "电子档登记,手工表格按目录装订成册。",
        list_columns=("handover", "client_name", "phone", "due_date", "room", "moved_in_on", "moved_out_on",
                      "service_staff"),
        search=("client_name", "phone", "emergency_contact", "hospital"),
        key=("handover",),
        title="client_name",
        scope=ROOM_BUILDING,
    )

    handover_id: Mapped[int] = mapped_column(ForeignKey("signed_client_handovers.id"), index=True)
    handover: Mapped[SignedClientHandover] = link(
        "合同编号", handover_id, help="建档所依据的签约客户交接表(首次签约的合同;续住合同不另建档案)"
    )
    signed_on: Mapped[dt.date] = field("签单日期")
    hospital_admitted_on: Mapped[dt.date | None] = field(
        "入住医院日期", help="了解客户进产房时间,与护理部沟通安排护理师到医院陪护")
    client_name: Mapped[str] = field("客户姓名", String(50))
    phone: Mapped[str] = field("联系电话", String(30))
    birth_date: Mapped[dt.date | None] = field("生产日期")
    emergency_contact: Mapped[str | None] = field("紧急联系人", String(50))
    emergency_phone: Mapped[str | None] = field("紧急联系人电话", String(30))
    full_month_date: Mapped[dt.date | None] = field("宝宝满月日期")
    due_date: Mapped[dt.date] = field("预产期")
    package_price: Mapped[Decimal | None] = field("套餐价格")
    photo_at: Mapped[dt.datetime | None] = field("宝宝拍照时间",
                                                 help="满月照,提前与宝妈确认时间后通知摄影公司")
    hospital: Mapped[str | None] = field("生产医院", String(100))
    paid: Mapped[Decimal | None] = field("已付款")
    head_shaving_on: Mapped[dt.date | None] = field("宝宝剃胎毛日期")
    delivery_mode: Mapped[str | None] = field("生产方式", String(4), choices=DELIVERY_MODES)
    receivable: Mapped[Decimal | None] = field("应收款", help="应收尾款及押金")
    celebration_on: Mapped[dt.date | None] = field("满月庆祝日期", help="宝宝满月Party")
    baby_sex: Mapped[str | None] = field("宝宝性别", String(20), help="多胞胎逐个填写,如 男、女")
    booked_room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    booked_room: Mapped[Room | None] = link("预订房号", booked_room_id)
    moved_in_on: Mapped[dt.date | None] = field("入所日期")
    baby_weight: Mapped[str | None] = field("宝宝体重", String(30), help="单位 kg;多胞胎逐个填写,如 2.6、2.4")
    baby_count: Mapped[int] = field("胎数", default=1)
    hospital_escort: Mapped[bool] = field("是否安排医院陪护", default=False,
                                          help="生产期间安排护理师(育婴师)到医院陪护")
    nurse_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    nurse: Mapped[User | None] = link("护理师", nurse_id)
    pickup_at: Mapped[dt.datetime | None] = field("接入所时间", help="客户出院时间")
    pickup_place: Mapped[str | None] = field("接入所地点", String(200), help="医院地址、楼层、床号")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("入住房号", room_id)
    days: Mapped[int | None] = field("入住天数")
    sales_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    sales: Mapped[User | None] = link("销售人员", sales_id)
    service_staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    service_staff: Mapped[User | None] = link("客服人员", service_staff_id,
                                              help="客服主管分配跟进该客户的客服专员")
    moved_out_on: Mapped[dt.date | None] = field("出所日期")
    classes: Mapped[str | None] = field("宝妈课堂", Text, help="参加的孕妈瑜伽、抚触课、产后课程等")
    dropoff_at: Mapped[dt.datetime | None] = field("送出所时间")
    dropoff_place: Mapped[str | None] = field("送出所地点", String(200))
    follow_up: Mapped[str | None] = field("跟进情况", Text)

    def problems(self) -> dict[str, str]:
        if self.signed_on and self.due_date and self.due_date - self.signed_on > schedule.PREGNANCY:
            return {"due_date": "预产期不能晚于签单日期 40 周以上,请核对预产期和签单日期"}
        return {}

    def before_save(self, session: Session) -> None:
        """Plan the 回访计划 (003 4.3.1) when the archive is opened, again for what is still to come when
        the signing or due date changes, and the three days after 出所 when the move-out date is set."""
        state = inspect(self)
        new = not state.persistent

        def changed(*names: str) -> bool:
            return new or any(state.attrs[n].history.has_changes() for n in names)

        recent = schedule.planning_start(today())
        if self.signed_on and self.due_date and changed("signed_on", "due_date"):
            plan_client_callbacks(session, self, schedule.PREGNANCY_OCCASIONS,
                                  schedule.pregnancy_schedule(self.signed_on, self.due_date),
                                  since=recent if new else today())
        if changed("moved_out_on"):
            wanted = schedule.discharge_schedule(self.moved_out_on) if self.moved_out_on else []
            plan_client_callbacks(session, self, (schedule.AFTER_DISCHARGE,), wanted, since=recent)

    def __str__(self) -> str:
        contract = self.handover.contract_no if self.handover else ""
        name = self.client_name or ""
        return f"{name}({contract})" if contract else (name or super().__str__())


# ---------------------------------------------------------------- 回访计划 003 4.3.1, 4.8.2


class ClientCallback(Record, Base):
    __tablename__ = "client_callbacks"
    __register__ = Register(
        label="回访计划",
        group="J",
        prefix="HFJH",
        source="003 4.3.1–4.3.3, 4.4.2, 4.8.1–4.8.3",
        help="签约当天温馨短信;签约一周后问候;怀孕6个月前每月、第7-9个月每周问候;节日问候;"
             "预产期前1个月及至少一周前温馨提示;住院期间跟进;出所后3天每日问候。客户反馈问题跟进解决并记录归档。"
             "建立客户档案时按签单日期和预产期自动排期,改预产期时重排未完成的计划,填写出所日期时排出所后3天;"
             "节日问候、住院期间、问题跟进按需添加。",
        list_columns=("due_on", "client", "kind", "channel", "content", "staff", "done_at", "notes"),
        search=("content", "notes", "client.client_name"),
        key=("client", "due_on", "kind"),
        title="kind",
        deadlines=(Deadline("按计划日期回访", start="due_on", done="done_at", day_end=True,
                            warn=dt.timedelta(hours=12), owner="staff"),),
        scope=Scope(building="client.room.building"),
    )

    client_id: Mapped[int] = mapped_column(ForeignKey("client_archives.id"), index=True)
    client: Mapped[ClientArchive] = link("客户", client_id)
    due_on: Mapped[dt.date] = field("计划日期", index=True)
    kind: Mapped[str] = field(
        "回访时机", String(20), choices=CALLBACK_OCCASIONS,
        help="出所后3天每日一次(到家问候与祝福);问题跟进:客户反馈问题的跟进与解决",
    )
    channel: Mapped[str | None] = field("回访方式", String(4), choices=CALLBACK_CHANNELS)
    content: Mapped[str | None] = field(
        "回访内容", String(200), help="如 孕期营养、饮食禁忌、母婴包等准备的温馨提示"
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    staff: Mapped[User | None] = link("回访人", staff_id)
    done_at: Mapped[dt.datetime | None] = field("完成时间", help="未回访的留空")
    notes: Mapped[str | None] = field("回访记录", Text, help="客户反馈及需跟进的问题")


def plan_client_callbacks(session: Session, client: ClientArchive, occasions: Sequence[str],
                          wanted: Sequence[tuple[dt.date, str]], *, since: dt.date) -> None:
    """Make the client's not-yet-done callbacks of ``occasions`` due on or after ``since`` be ``wanted``.

    Done rows are never touched nor planned again (a once-only occasion that is done stays done);
    open rows that are still wanted are kept as they are, with whatever the clerk wrote on them.
    """
    existing: list[ClientCallback] = []
    if client.id is not None:
        with session.no_autoflush:
            existing = list(session.scalars(select(ClientCallback).where(
                ClientCallback.client_id == client.id, ClientCallback.kind.in_(occasions))))
    done = {(row.due_on, row.kind) for row in existing if row.done_at is not None}
    done_once = {kind for _, kind in done if kind in schedule.ONCE}
    open_rows = {(row.due_on, row.kind): row for row in existing
                 if row.done_at is None and row.due_on >= since}
    keep = {(day, kind) for day, kind in wanted if day >= since}
    for key, row in open_rows.items():
        if key not in keep:
            session.delete(row)
    staff_id = linked_id(client, "service_staff")
    department_id = linked_id(client, "department")
    for day, kind in wanted:
        if day < since or (day, kind) in open_rows or (day, kind) in done or kind in done_once:
            continue
        session.add(ClientCallback(client=client, due_on=day, kind=kind, content=schedule.CONTENT[kind],
                                   staff_id=staff_id, department_id=department_id,
                                   recorded_by_id=linked_id(client, "recorded_by")))


@event.listens_for(ClientArchive, "before_delete")
def drop_open_client_callbacks(_mapper: Any, connection: Connection, archive: ClientArchive) -> None:
    """An archive deleted (opened by mistake) takes its open plan along; done callbacks still keep it."""
    connection.execute(delete(ClientCallback).where(ClientCallback.client_id == archive.id,
                                                    ClientCallback.done_at.is_(None)))


# ---------------------------------------------------------------- 入所通知单 003 4.5.1 2.4


class ClientMoveInNotice(Record, Base):
    __tablename__ = "client_move_in_notices"
    __register__ = Register(
        label="入所通知单",
        group="J",
        prefix="RSTZ",
        source="003 4.5.1 2.4",
        help="客服在客户入所前一天填写书面入所通知单,给店长、护理部、护士部、产后修复部、营养师、"
             "餐厨部签字确认,最后交由护士归档,同时微信同步通知。",
        list_columns=("move_in_on", "client", "phone", "hospital", "room", "cash_coupons", "extra_gifts",
                      "wechat_notified"),
        search=("phone", "hospital", "client.client_name"),
        key=("client", "move_in_on"),
        title="move_in_on",
        scope=ROOM_BUILDING,
    )

    client_id: Mapped[int] = mapped_column(ForeignKey("client_archives.id"), index=True)
    client: Mapped[ClientArchive] = link("客户", client_id, help="客户姓名与合同号取自客户档案")
    phone: Mapped[str | None] = field("电话", String(30))
    hospital: Mapped[str | None] = field("生产医院", String(100))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id)
    move_in_on: Mapped[dt.date] = field("入所日期", index=True)
    cash_coupons: Mapped[str | None] = field("现金券", String(200), help="赠送的现金券面额及张数")
    extra_gifts: Mapped[str | None] = field("额外赠送项目", Text)
    wechat_notified: Mapped[bool] = field("已微信同步通知", default=False)


# ---------------------------------------------------------------- 用车申请单 003 4.5.1 2.4.1


class VehicleRequest(Record, Base):
    __tablename__ = "vehicle_requests"
    __register__ = Register(
        label="用车申请单",
        group="J",
        prefix="YCSQ",
        source="003 4.5.1 2.4.1–2.4.3, 3.1",
        help="出院前一天和客户沟通是否需要派车接;需要时填写用车申请单,交客服主管签字确认、店长批准派车。"
             "客服熟悉医院位置、住院部、产科楼层、床号,按客人要求的出院时间到医院迎接。",
        list_columns=("pickup_at", "client", "purpose", "place", "passengers", "passenger_count", "escort",
                      "vehicle"),
        search=("place", "passengers", "vehicle", "client.client_name"),
        key=("client", "pickup_at"),
        title="pickup_at",
        scope=Scope(building="client.room.building"),
    )

    client_id: Mapped[int] = mapped_column(ForeignKey("client_archives.id"), index=True)
    client: Mapped[ClientArchive] = link("客户", client_id)
    purpose: Mapped[str] = field("用车事由", String(10), choices=VEHICLE_PURPOSES, default="接出院入所")
    pickup_at: Mapped[dt.datetime] = field("接车时间", index=True, help="客人要求的出院时间")
    place: Mapped[str] = field("接车地点", String(200), help="医院地址、住院部、楼层、床号")
    passengers: Mapped[str | None] = field("乘车人员", String(200),
                                           help="如 宝妈、宝宝、家属、随车客服、育婴师")
    passenger_count: Mapped[int | None] = field("乘车人数")
    escort_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    escort: Mapped[User | None] = link("随车客服", escort_id,
                                       help="即将到达会所10分钟左右在「出入所群」微信通知大家")
    vehicle: Mapped[str | None] = field("派车(车牌/司机)", String(50), help="店长批准后安排")


# ---------------------------------------------------------------- 尾款、押金收取 003 4.6.2


class BalanceDepositReceipt(Record, Base):
    __tablename__ = "balance_deposit_receipts"
    __register__ = Register(
        label="尾款、押金收取",
        group="J",
        prefix="WKYJ",
        source="003 4.6.2, 4.5.1 3.4–3.6, 2.2 职责2",
        help="尾款:刷卡(信用卡按千分之六收取手续费,银行储蓄卡不另收)、支付宝、微信、现金;押金:支付宝、微信、现金。"
             "红色联押金单交家属保管,出所退押金时凭单;房卡丢失每张扣押金 200 元,物品损坏照价赔偿。",
        list_columns=("paid_at", "client", "balance_amount", "balance_method", "card_fee", "deposit_amount",
                      "deposit_method", "deposit_slip_no"),
        search=("payer", "deposit_slip_no", "client.client_name"),
        key=("client", "paid_at"),
        title="deposit_slip_no",
        scope=Scope(building="client.room.building"),
    )

    client_id: Mapped[int] = mapped_column(ForeignKey("client_archives.id"), index=True)
    client: Mapped[ClientArchive] = link("客户", client_id)
    paid_at: Mapped[dt.datetime] = field("收款时间", index=True)
    payer: Mapped[str | None] = field("交款人", String(50), help="安排好宝妈和宝宝后,请家属到前台客服部结算")
    balance_amount: Mapped[Decimal | None] = field("尾款金额")
    balance_method: Mapped[str | None] = field("尾款支付方式", String(4), choices=BALANCE_METHODS)
    card_fee: Mapped[Decimal | None] = field(
        "信用卡手续费", auto=True, help="信用卡按尾款的千分之六收取;借记卡不收(收费标准「信用卡手续费」)")
    deposit_amount: Mapped[Decimal | None] = field("押金金额")
    deposit_method: Mapped[str | None] = field("押金支付方式", String(4), choices=DEPOSIT_METHODS)
    deposit_slip_no: Mapped[str | None] = field("押金单号", String(30),
                                                help="红色联押金单交由家属保管,出所退押金时需要")
    handed_to_finance: Mapped[bool] = field("已交会所财务", default=False,
                                            help="客户余款手续办理后交会所财务人员,协助对账")

    def problems(self) -> dict[str, str]:
        if self.balance_amount is not None and not self.balance_method:
            return {"balance_method": "请选择尾款支付方式:刷信用卡须按千分之六收取手续费"}
        return {}

    def before_save(self, session: Session) -> None:
        self.card_fee = card_fee_of(session, self.balance_amount, self.balance_method)

    def __str__(self) -> str:
        when = f" {self.paid_at:%Y-%m-%d}" if self.paid_at else ""
        slip = f" 押金单{self.deposit_slip_no}" if self.deposit_slip_no else ""
        return f"{self.client or ''}{when}{slip}".strip() or super().__str__()


# ---------------------------------------------------------------- 入住 7 天每日探访 003 4.6.3


class FirstWeekVisit(Record, Base):
    __tablename__ = "first_week_visits"
    __register__ = Register(
        label="入住 7 天每日探访",
        group="J",
        prefix="RZTF",
        source="003 4.6.3, 4.6.1",
        help="第一天宣教入住须知(房卡丢失扣押金200元/张、物品损坏赔偿);第二天上午关心第一晚睡得好不好,"
             "有无需客服部解决的问题;第三天上午关心入住感受、需调整之处(如床垫硬度,可通知酒店房务部调整)。",
        list_columns=("visited_at", "client", "day", "notes", "issues", "follow_up", "visitor"),
        search=("notes", "issues", "follow_up", "client.client_name"),
        key=("client", "day"),
        title="day",
        scope=Scope(building="client.room.building"),
    )

    client_id: Mapped[int] = mapped_column(ForeignKey("client_archives.id"), index=True)
    client: Mapped[ClientArchive] = link("客户", client_id)
    day: Mapped[str] = field("入住第几天", String(4), choices=VISIT_DAYS)
    visited_at: Mapped[dt.datetime] = field("探访时间", index=True)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    visitor: Mapped[User | None] = link("探访客服", visitor_id)
    notes: Mapped[str] = field("探访情况", Text)
    issues: Mapped[str | None] = field("需解决的问题", Text, help="如 有蚊子需灭蚊灯或电蚊拍、床垫太软")
    follow_up: Mapped[str | None] = field("跟进处理", Text)


# ---------------------------------------------------------------- 活动与预约 003 4.4.1, 4.6.6, 4.7.1


class ActivityBooking(Record, Base):
    __tablename__ = "activity_bookings"
    __register__ = Register(
        label="活动与预约",
        group="J",
        prefix="HDYY",
        source="003 4.4.1, 4.6.6, 4.6.7, 4.7.1, 2.2 职责2",
        help="孕妈瑜伽课每周六下午2:00,抚触课一般周六下午3:30;宝宝满月照提前与宝妈确认时间后通知摄影公司;"
             "满月Party前确认宝宝小名,前两天预订蛋糕,前一天布置场地。",
        list_columns=("scheduled_at", "activity", "client", "detail", "place", "booked_by", "done"),
        search=("detail", "place", "client.client_name"),
        key=("client", "activity", "scheduled_at"),
        title="activity",
        scope=Scope(building="client.room.building"),
    )

    activity: Mapped[str] = field("活动/项目", String(20), choices=ACTIVITIES)
    scheduled_at: Mapped[dt.datetime] = field("预约时间", index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client_archives.id"), index=True)
    client: Mapped[ClientArchive] = link("客户", client_id)
    detail: Mapped[str | None] = field(
        "内容/安排", String(200),
        help="如 插花课、母乳肥皂课;满月Party 的宝宝小名、蛋糕送达时间;满月照的摄影公司",
    )
    place: Mapped[str | None] = field("地点", String(100))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    booked_by: Mapped[User | None] = link("预约人", booked_by_id, help="负责预约与安排的客服")
    done: Mapped[bool] = field("已完成", default=False)


# ---------------------------------------------------------------- 出所手续 003 4.7.2


class DischargeCharge(Base):
    __tablename__ = "discharge_charges"
    __register__ = Register(label="未付款项", group="J", kind="line", key=("discharge", "item"),
                            title="item")

    id: Mapped[int] = mapped_column(primary_key=True)
    discharge_id: Mapped[int] = mapped_column(ForeignKey("client_discharges.id", ondelete="CASCADE"),
                                              index=True)
    discharge: Mapped[ClientDischarge] = relationship(back_populates="charges")
    from_department: Mapped[str] = field("部门", String(30), help="如 酒店前台、产后修复部、护士部")
    item: Mapped[str] = field("项目", String(100))
    amount: Mapped[Decimal] = field("金额")
    settled: Mapped[bool] = field("已结清", default=False, help="未结清的从押金中扣除")

    def before_save(self, session: Session) -> None:
        # A line edited alone leaves its discharge unchanged: recompute the discharge's totals here.
        discharge = linked(session, self, "discharge")
        if discharge is not None:
            discharge.before_save(session)


class ClientDischarge(Record, Base):
    __tablename__ = "client_discharges"
    __register__ = Register(
        label="出所手续",
        group="J",
        prefix="CSSX",
        source="003 4.7.2, 2.2 职责3, 4.5.1 3.4–3.6, 4.6.1",
        help="出所前与各部门对接,核对入住期间各项未付款项(如酒店前台、产后修复部、护士部);协助房务清点、回收房间物品,"
             "如有异常与客人沟通解决;房卡丢失每张扣押金200元;收回红色联押金单后退还押金,第一时间告知酒店前台已退房。",
        list_columns=("moved_out_on", "client", "room", "unpaid_total", "lost_room_cards", "deposit_refund",
                      "refunded_at", "hotel_checkout_notified"),
        search=("inventory_issues", "client.client_name"),
        key=("client",),
        title="moved_out_on",
        inline=("charges",),
        scope=ROOM_BUILDING,
    )

    client_id: Mapped[int] = mapped_column(ForeignKey("client_archives.id"), index=True)
    client: Mapped[ClientArchive] = link("客户", client_id, help="每位客户办理一次出所手续")
    moved_out_on: Mapped[dt.date] = field("出所日期", index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    charges: Mapped[list[DischargeCharge]] = relationship(
        back_populates="discharge",
        cascade="all, delete-orphan",
        order_by=DischargeCharge.id,
        info={"label": "未付款项"},
    )
    unpaid_total: Mapped[Decimal | None] = field("未付款合计", auto=True,
                                                 help="各部门未结清款项之和,从押金中扣除")
    room_items: Mapped[list[ChecklistItem]] = checklist(
        "客房物品清点", items="客房物品清单", owner="client_discharges", table="client_discharge_room_items",
        help="逐项清点回收,齐全完好的勾选",
    )
    suite_items: Mapped[list[ChecklistItem]] = checklist(
        "月子房物品清点", items="月子房物品清单", owner="client_discharges",
        table="client_discharge_suite_items", help="逐项清点回收,齐全完好的勾选",
    )
    inventory_issues: Mapped[str | None] = field("物品异常及处理", Text,
                                                 help="短缺、损坏的物品,与客人沟通达成的解决方法")
    lost_room_cards: Mapped[int] = field("遗失房卡(张)", default=0,
                                         help="每张从押金扣除200元(收费标准「房卡遗失赔偿」)")
    # Damages are priced case by case with the client (照价赔偿), so the clerk types them.
    compensation: Mapped[Decimal | None] = field(
        "物品损坏赔偿", help="物品损坏照价赔偿、与客人沟通确定的金额;遗失房卡和未付款项自动扣除,不要重复填")
    deposit_receipt_id: Mapped[int | None] = mapped_column(ForeignKey("balance_deposit_receipts.id"),
                                                           index=True)
    deposit_receipt: Mapped[BalanceDepositReceipt | None] = link("押金收取记录", deposit_receipt_id)
    deposit_slip_collected: Mapped[bool] = field("已收回红色联押金单", default=False)
    deposit_refund: Mapped[Decimal | None] = field(
        "退还押金", auto=True,
        help="押金 − 未付款项 − 物品损坏赔偿 − 遗失房卡 200 元/张;负数为客人尚需补交的金额")
    refund_method: Mapped[str | None] = field("退款方式", String(4), choices=DEPOSIT_METHODS)
    refunded_at: Mapped[dt.datetime | None] = field("押金退还时间", help="未退还的留空")
    hotel_checkout_notified: Mapped[bool] = field("已告知酒店前台退房", default=False,
                                                  help="出所要第一时间告知酒店前台已经退房")

    def problems(self) -> dict[str, str]:
        if self.lost_room_cards is not None and self.lost_room_cards < 0:
            return {"lost_room_cards": "遗失房卡张数不能为负"}
        return {}

    def before_save(self, session: Session) -> None:
        self.unpaid_total = fees.money(sum((c.amount for c in self.charges
                                            if not c.settled and c.amount is not None), Decimal(0)))
        receipt = linked(session, self, "deposit_receipt")
        if receipt is None or receipt.deposit_amount is None:
            self.deposit_refund = None  # no deposit taken: nothing to refund
            return
        self.deposit_refund = fees.deposit_refund(
            receipt.deposit_amount, [self.unpaid_total, self.compensation or Decimal(0)],
            self.lost_room_cards or 0, fees.standard(session, "lost_room_card"))


# ---------------------------------------------------------------- 服务项目表 003 4.6.1 附表


class ServiceItem(Base):
    """One line of the 服务项目表 handed to the client with the 入住须知."""

    __tablename__ = "service_items"
    __register__ = Register(
        label="服务项目表", group="R", kind="reference", key=("name",), title="name",
        public_lookup=True, source="003 4.6.1 附表3",
        list_columns=("category", "name", "department", "unit", "price", "in_package"),
        search=("name", "category"),
        help="入住须知的附表:会所提供的服务项目、负责部门及收费标准。",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str | None] = field("类别", String(30), help="如 护理、产后修复、宝宝、餐饮、会所活动")
    name: Mapped[str] = field("服务项目", String(100), unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    department: Mapped[Department | None] = link("负责部门", department_id)
    unit: Mapped[str | None] = field("单位", String(20))
    price: Mapped[Decimal | None] = field("收费标准", help="套餐内含的项目可留空")
    in_package: Mapped[bool] = field("套餐内含", default=False)
    description: Mapped[str | None] = field("说明", Text)
