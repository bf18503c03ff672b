"""B. Residence: check-in, change, check-out (REGISTERS.md §B, the 居住办理 of the residence system).

Two worlds share this section. 000 (一) is the 岭南养生谷 elderly-care residence: walk-in guests
(入住登记表, 散客退房) and resident elders, whose :class:`Resident` record every admission, room
change, renewal, room hold and check-out links to; each of those writes its own row of the
change log :class:`ResidenceChange` (异动表, see :class:`models.base.Trail`). 001 4.1 / 七.18–20
and 004 4.2 are the estate's move-in of new owners (新业主入住登记表, 入住流转单, 物品签收单,
业主家庭情况登记表) and second-hand hand-overs.

The checklists (长者入住资料, 新业主入住资料, 入住流转步骤) are seeded ChecklistItem rows:
seed/data/11_checklists_residence.yaml.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from admin_app.clock import today
from admin_app.rules import fees
from models.base import ROOM_BUILDING, Base, Deadline, Record, Register, Scope, Trail, checklist, field, link
from models.finance import PAYMENT_METHODS, MedicalDepositRefund
from models.hooks import linked
from models.keys import Key
from models.reference import ChecklistItem, Room, User

#: Room types a walk-in guest or an elder asks for (000 (一)1(3), 2(2)).
ROOM_TYPES = ["单人间", "双人间", "套房"]
#: Where a resident stands; 待入住 from the admission application until the move-in day.
RESIDENT_STATUSES = ["待入住", "在住", "保留", "退住"]
GENDERS = ["男", "女"]
#: 000 (一)4(2): ask whether the 医疗备用金 is kept for a later stay or refunded.
DEPOSIT_HANDLING = ["留作日后续住", "申请退回", "无备用金"]
#: 000 (一)2 注4: family meals are settled at once or billed to this month's statement.
MEAL_SETTLEMENTS = ["现下清结", "记入本月账单"]
MEALS = ["早餐", "午餐", "晚餐"]

LOG = "ResidenceChange"


# ---------------------------------------------------------------- 入住登记表(散客)000 (一)1


class WalkInCheckIn(Record, Base):
    __tablename__ = "walk_in_check_ins"
    __register__ = Register(
        label="入住登记表",
        group="B",
        prefix="RZDJ",
        source="000 (一)1",
        help="散客入住:先问有无订房,无则按房型、楼层排房;复印本人身份证并填写入住登记表;"
             "可扫码、刷卡、现金收费,客人在票据上签名,收据红联交客人;九楼无网络覆盖,费用八折。",
        list_columns=("check_in_at", "guest", "room", "nights", "price", "fee", "payment", "receipt_no",
                      "id_copy_kept"),
        search=("guest", "phone", "id_no", "booking_ref", "receipt_no"),
        key=("check_in_at", "guest"),
        title="guest",
        scope=ROOM_BUILDING,
    )

    booking_ref: Mapped[str | None] = field("订房信息", String(100),
                                            help="客人已订房时填写订房号或订房渠道,按订房信息办理;未订房留空")
    guest: Mapped[str] = field("客人姓名", String(50))
    phone: Mapped[str | None] = field("联系电话", String(30))
    id_no: Mapped[str] = field("身份证件号码", String(30), help="请客人出示本人身份证件")
    id_copy_kept: Mapped[bool] = field("已复印身份证", default=False, help="入住需复印本人身份证")
    room_type: Mapped[str] = field("房型", String(10), choices=ROOM_TYPES)
    floor: Mapped[int] = field("楼层", auto=True, help="取自所排房间;九楼无网络覆盖,须提醒客人")
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id, help="根据现有房间情况排房;九楼无网络覆盖,须提醒客人")
    check_in_at: Mapped[dt.datetime] = field("入住时间", index=True)
    nights: Mapped[int] = field("入住天数(晚)", default=1)
    price: Mapped[Decimal | None] = field("房价(元/晚)",
                                          help="该房型的每晚房价或订房价;九楼的八折自动计算,填原价")
    fee: Mapped[Decimal] = field("房费(元)", auto=True,
                                 help="房价 × 晚数;九楼无网络覆盖,按八折收取(收费标准「九楼房费折扣」)")
    payment: Mapped[str] = field("收费方式", String(10), choices=PAYMENT_METHODS,
                                 help="根据客户需求可扫码、刷卡、现金")
    receipt_no: Mapped[str | None] = field("收据号", String(30), help="开好收据,红联交由客人")
    room_card_issued: Mapped[bool] = field("已交房卡及温馨提示表", default=False,
                                           help="房卡与温馨提示表一起交给客人,并提醒特别注意事项")

    def problems(self) -> dict[str, str]:
        out = {}
        if self.price is None:
            out["price"] = "请填写每晚房价,房费按房价 × 晚数自动计算"
        if self.nights is not None and self.nights < 1:
            out["nights"] = "入住天数至少 1 晚"
        return out

    def before_save(self, session: Session) -> None:
        room = linked(session, self, "room")
        if room is not None:
            self.floor = room.floor
        if self.price is not None and self.nights is not None and self.floor is not None:
            self.fee = fees.walk_in_room_fee(self.price, self.nights, self.floor,
                                             fees.standard(session, "ninth_floor_rate"))


class WalkInCheckOut(Record, Base):
    __tablename__ = "walk_in_check_outs"
    __register__ = Register(
        label="散客退房",
        group="B",
        prefix="SKTF",
        source="000 (一)3",
        help="客人出示房卡,通知楼上检查所退房间:确认无损坏、无物品遗失、有无遗留物品后告知退房成功;"
             "在《A栋客户服务中心》微信群通知相关人员打扫房间。",
        list_columns=("checked_out_at", "check_in", "room_card_returned", "room_checked", "damage",
                      "settlement", "cleaning_notified"),
        search=("check_in.guest", "damage", "items_left"),
        key=("check_in", "checked_out_at"),
        title="checked_out_at",
        scope=Scope(building="check_in.room.building"),
    )

    check_in_id: Mapped[int] = mapped_column(ForeignKey("walk_in_check_ins.id"), index=True)
    check_in: Mapped[WalkInCheckIn] = link("入住登记", check_in_id, help="客人、房号取自其入住登记表")
    checked_out_at: Mapped[dt.datetime] = field("退房时间", index=True)
    room_card_returned: Mapped[bool] = field("已交回房卡", default=False)
    room_checked: Mapped[bool] = field("楼上已查房", default=False,
                                       help="楼上确认房间有无损坏、物品遗失,是否遗留客人物品")
    damage: Mapped[str | None] = field("损坏/遗失情况", Text, help="无则留空")
    items_left: Mapped[str | None] = field("客人遗留物品", Text, help="无则留空")
    settlement: Mapped[Decimal | None] = field("结算金额(元)", help="损坏赔偿或补收房费;无则留空")
    cleaning_notified: Mapped[bool] = field("已通知打扫", default=False,
                                            help="在《A栋客户服务中心》微信群通知相关人员打扫房间")

    def __str__(self) -> str:
        guest = self.check_in.guest if self.check_in else ""
        return f"{guest} {self.checked_out_at:%Y-%m-%d %H:%M}" if self.checked_out_at else guest


# ---------------------------------------------------------------- 长者档案 000 一.1、一.5、(一)2


class Resident(Record, Base):
    __tablename__ = "residents"
    __register__ = Register(
        label="长者档案",
        group="B",
        prefix="ZZDA",
        source="000 一.1, 一.5; (一)2",
        help="每位入住长者一份:入住办理、换房、续签、保留房间、退房都关联到这里,每次变更自动写入异动表。",
        list_columns=("name", "gender", "member_card_no", "room", "status", "guardian", "guardian_phone",
                      "moved_in_on"),
        search=("name", "member_card_no", "id_no", "phone", "guardian", "guardian_phone"),
        key=("name", "member_card_no"),
        title="name",
        scope=ROOM_BUILDING,
    )

    name: Mapped[str] = field("姓名", String(50))
    gender: Mapped[str | None] = field("性别", String(2), choices=GENDERS)
    member_card_no: Mapped[str] = field("会员卡号", String(30), index=True, help="已购卡会员的会员卡号")
    id_no: Mapped[str | None] = field("身份证号码", String(30))
    phone: Mapped[str | None] = field("联系电话", String(30))
    guardian: Mapped[str | None] = field("赡养人(家属)", String(50))
    guardian_phone: Mapped[str | None] = field("赡养人电话", String(30))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("当前房间", room_id, help="退住后留空;保留房间期间仍为原房间")
    status: Mapped[str] = field("居住状态", String(10), choices=RESIDENT_STATUSES, default="待入住")
    moved_in_on: Mapped[dt.date | None] = field("首次入住日期")

    def __str__(self) -> str:
        return f"{self.name}({self.member_card_no})" if self.member_card_no else (self.name or "")


# ---------------------------------------------------------------- 异动表 000 (一)2(8)


class ResidenceChange(Record, Base):
    __tablename__ = "residence_changes"
    __register__ = Register(
        label="异动表",
        group="B",
        prefix="YDB",
        source="000 (一)2(8)",
        help="长者入住、换房、续签、保留房间、退房的变更记录,由各登记表保存时自动写入,不可手工修改;"
             "更正或撤销原记录时另记一行。",
        list_columns=("effective_at", "resident", "kind", "summary", "source", "recorded_by", "recorded_at"),
        search=("resident.name", "summary"),
        key=("resident", "effective_at", "kind"),
        title="summary",
        readonly=True,
        scope=Scope(building="resident.room.building"),
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    resident: Mapped[Resident] = link("长者", resident_id)
    kind: Mapped[str] = field("异动类别", String(20), index=True,
                              help="入住、换房、续签、保留、退房;原记录被更正或撤销时记为「换房(更正)」等")
    summary: Mapped[str] = field("变更内容", String(500))
    effective_at: Mapped[dt.datetime] = field("变更时间", index=True)
    source: Mapped[str] = field("来源登记表", String(50))


# ---------------------------------------------------------------- 长者入住办理 000 (一)2


class ResidentAdmission(Record, Base):
    __tablename__ = "resident_admissions"
    __register__ = Register(
        label="长者入住办理",
        group="B",
        prefix="ZZRZ",
        source="000 (一)2(1)–(7)",
        help="会员或其销售提前1周向A栋客服申请(入住时间、喜好方位、房型),客服按现有房源排房;"
             "评估团队入住初评,复评为入住后15天;签《入住托养服务合同》、缴医疗备用金后带长者交接给楼层护士。",
        list_columns=("resident", "applied_on", "move_in_at", "room", "sales", "contract_no",
                      "medical_deposit", "floor_nurse"),
        search=("resident.name", "resident.member_card_no", "contract_no", "preferred_orientation"),
        key=("resident", "applied_on"),
        title="contract_no",
        trail=Trail(log=LOG, kind="入住", subject="resident", fields=("room", "contract_no"),
                    when="move_in_at"),
        deadlines=(
            Deadline("入住前1周申请入住办理", start="move_in_at", done="applied_on",
                     offset=dt.timedelta(days=-7), day_end=True, warn=dt.timedelta(days=2)),
            Deadline("入住15天后复评", start="move_in_at", done="re_evaluation_due",
                     offset=dt.timedelta(days=15), day_end=True, warn=dt.timedelta(days=3)),
        ),
        scope=ROOM_BUILDING,
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    resident: Mapped[Resident] = link("长者", resident_id, help="会员卡号、身份证号、赡养人见长者档案")
    sales_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    sales: Mapped[User | None] = link("对应销售", sales_id,
                                      help="入住前销售应发《致会员的一封信》给已购卡会员")
    letter_sent: Mapped[bool] = field("已发《致会员的一封信》", default=False)
    applied_on: Mapped[dt.date] = field("申请日期", default=today, help="须在入住前1周向A栋客服申请入住办理")
    move_in_at: Mapped[dt.datetime] = field("入住时间", help="申请内容中的具体入住时间")
    preferred_orientation: Mapped[str | None] = field("喜好方位", String(50), help="如 朝南、近电梯、低楼层")
    preferred_room_type: Mapped[str | None] = field("喜好房型", String(10), choices=ROOM_TYPES)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("安排房间", room_id, help="客服人员根据现有房源排房")
    documents: Mapped[list[ChecklistItem]] = checklist(
        "入住评估应带证件", items="长者入住资料", owner="resident_admissions",
        table="resident_admission_documents", help="预约办理入住手续及入住评估时应带的证件")
    evaluation_team: Mapped[str | None] = field(
        "评估团队", String(200),
        help="主任医师、理疗师及护理部人员;评估场所在一楼评估室")
    evaluated_on: Mapped[dt.date | None] = field("初评日期")
    re_evaluation_due: Mapped[dt.date | None] = field("复评日期", help="复评为入住后15天后进行,须告知家属")
    contract_no: Mapped[str | None] = field("入住托养服务合同编号", String(30))
    contract_end_on: Mapped[dt.date | None] = field("合同到期日", help="续签时作为原到期日")
    medical_deposit: Mapped[Decimal | None] = field("医疗备用金(元)", help="合同签订后根据长者情况缴纳")
    deposit_receipt_no: Mapped[str | None] = field("备用金收据号", String(30),
                                                   help="退医疗备用金时须交回收据原始第二联")
    floor_nurse_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    floor_nurse: Mapped[User | None] = link("交接楼层护士", floor_nurse_id,
                                            help="带长者与家属前往入住房间,交接给对应楼层的护士")


# ---------------------------------------------------------------- 换房协议 / 续签协议 000 (一)2(8)


class RoomChange(Record, Base):
    __tablename__ = "room_changes"
    __register__ = Register(
        label="换房协议",
        group="B",
        prefix="HFXY",
        source="000 (一)2(8)",
        help="即《入住托养服务合同换房协议》/ 居住调整:与长者及家属签署,备注详细换房时间;"
             "保存后自动写入异动表。",
        list_columns=("resident", "from_room", "to_room", "changed_at", "reason", "agreement_no"),
        search=("resident.name", "reason", "agreement_no"),
        key=("resident", "changed_at"),
        title="agreement_no",
        trail=Trail(log=LOG, kind="换房", subject="resident", fields=("from_room", "to_room"),
                    when="changed_at"),
        scope=Scope(building="resident.room.building"),
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    resident: Mapped[Resident] = link("长者", resident_id)
    from_room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    from_room: Mapped[Room] = link("原房间", from_room_id)
    to_room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    to_room: Mapped[Room] = link("新房间", to_room_id)
    changed_at: Mapped[dt.datetime] = field("换房时间", help="居住调整须备注详细换房时间")
    reason: Mapped[str] = field("换房原因", String(200))
    agreement_no: Mapped[str | None] = field("换房协议编号", String(30))


class ContractRenewal(Record, Base):
    __tablename__ = "contract_renewals"
    __register__ = Register(
        label="续签协议",
        group="B",
        prefix="XQXY",
        source="000 (一)2(8), 注3",
        help="即《入住托养服务合同续签协议》:与长者及家属签署并更换续签时间;"
             "退住长者回来继续入住须重新评估并签署续签协议;保存后自动写入异动表。",
        list_columns=("resident", "renewed_at", "old_end_on", "new_end_on", "came_back", "re_evaluated",
                      "agreement_no"),
        search=("resident.name", "agreement_no"),
        key=("resident", "renewed_at"),
        title="agreement_no",
        trail=Trail(log=LOG, kind="续签", subject="resident", fields=("old_end_on", "new_end_on"),
                    when="renewed_at"),
        scope=Scope(building="resident.room.building"),
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    resident: Mapped[Resident] = link("长者", resident_id)
    renewed_at: Mapped[dt.datetime] = field("续签时间")
    old_end_on: Mapped[dt.date | None] = field("原合同到期日", help="退住后回来续住的,填原合同到期日")
    new_end_on: Mapped[dt.date] = field("续签后到期日")
    came_back: Mapped[bool] = field("退住后回来续住", default=False)
    re_evaluated: Mapped[bool] = field("已重新评估", default=False, help="退住长者回来继续入住,须重新评估")
    agreement_no: Mapped[str | None] = field("续签协议编号", String(30))


# ---------------------------------------------------------------- 保留房间、家属留宿、家属用餐 000 注1、2、4


class RoomHold(Record, Base):
    __tablename__ = "room_holds"
    __register__ = Register(
        label="保留房间",
        group="B",
        prefix="BLFJ",
        source="000 (一)2 注1",
        help="房间保留照常收取基础管理费,每平方米200元/月,不足一个月按一个月收费;会员卡同样照常扣取费用。"
             "保存后自动写入异动表。",
        list_columns=("resident", "room", "held_from", "held_until", "months", "fee", "reason"),
        search=("resident.name", "reason"),
        key=("resident", "held_from"),
        title="reason",
        trail=Trail(log=LOG, kind="保留", subject="resident", fields=("room", "held_until"),
                    when="held_from"),
        scope=ROOM_BUILDING,
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    resident: Mapped[Resident] = link("长者", resident_id)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("保留房间", room_id, help="面积取自房间资料")
    held_from: Mapped[dt.date] = field("保留起始日期")
    held_until: Mapped[dt.date | None] = field("保留截止日期", help="未定时留空")
    reason: Mapped[str] = field("保留原因", String(200), help="如 住院治疗、回家探亲")
    months: Mapped[int] = field("计费月数", default=1, auto=True,
                                help="不足一个月按一个月收费;截止日期未定时,按至今已开始的月数计")
    fee: Mapped[Decimal] = field("基础管理费(元)", auto=True,
                                 help="面积(㎡) × 200 元 × 计费月数(收费标准「保留房间基础管理费」)")
    member_card_charged: Mapped[bool] = field("会员卡照常扣费", default=True)

    def problems(self) -> dict[str, str]:
        out = {}
        if self.held_from and self.held_until and self.held_until < self.held_from:
            out["held_until"] = "保留截止日期不能早于起始日期"
        if self.room is not None and self.room.area is None:
            out["room"] = f"房间 {self.room.label} 未登记面积,无法计算基础管理费;请 IT 在「房间」资料中补上"
        return out

    def before_save(self, session: Session) -> None:
        room = linked(session, self, "room")
        if room is None or room.area is None or self.held_from is None:
            return
        # An open hold is charged for the months begun so far, today included.
        end = self.held_until or max(today(), self.held_from) + dt.timedelta(days=1)
        self.months = fees.hold_months(self.held_from, end)
        self.fee = fees.room_keep_fee(room.area, self.held_from, end, fees.standard(session, "room_keep"))


class FamilyOvernight(Record, Base):
    __tablename__ = "family_overnights"
    __register__ = Register(
        label="家属留宿",
        group="B",
        prefix="JSLS",
        source="000 (一)2 注2",
        help="不提供家属免费住宿;特殊情况需过夜须上报领导,视情况给予入住,收费100元/晚,仅为留宿费用,"
             "不包餐费及护理费。",
        list_columns=("stay_on", "resident", "family_member", "relation", "room", "nights", "fee", "payment"),
        search=("family_member", "phone", "reason", "resident.name"),
        key=("resident", "stay_on", "family_member"),
        title="family_member",
        scope=ROOM_BUILDING,
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    resident: Mapped[Resident] = link("长者", resident_id)
    family_member: Mapped[str] = field("留宿家属", String(50))
    relation: Mapped[str | None] = field("与长者关系", String(20))
    phone: Mapped[str | None] = field("联系电话", String(30))
    id_no: Mapped[str | None] = field("身份证件号码", String(30))
    reason: Mapped[str] = field("特殊情况说明", String(200), help="须上报领导后再视情况给予入住")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("留宿房间", room_id)
    stay_on: Mapped[dt.date] = field("留宿日期")
    nights: Mapped[int] = field("晚数", default=1)
    fee: Mapped[Decimal] = field("留宿费(元)", auto=True,
                                 help="100 元/晚 × 晚数(收费标准「家属留宿费」),不含餐费及护理费")
    payment: Mapped[str | None] = field("收费方式", String(10), choices=PAYMENT_METHODS)
    receipt_no: Mapped[str | None] = field("收据号", String(30))

    def problems(self) -> dict[str, str]:
        return {"nights": "留宿晚数至少 1 晚"} if self.nights is not None and self.nights < 1 else {}

    def before_save(self, session: Session) -> None:
        if self.nights is not None:
            self.fee = fees.family_overnight_fee(self.nights, fees.standard(session, "family_overnight"))


class FamilyMeal(Record, Base):
    __tablename__ = "family_meals"
    __register__ = Register(
        label="家属用餐",
        group="B",
        prefix="JSYC",
        source="000 (一)2 注4",
        help="不提供家属免费用餐;特殊情况需用餐,联系厨房工作人员及护理员备餐,"
             "并询问长者本次餐费是现下清结还是记账到本月账单。",
        list_columns=("meal_on", "meal", "resident", "diners", "amount", "settlement", "kitchen_notified"),
        search=("resident.name",),
        key=("resident", "meal_on", "meal"),
        title="meal",
        scope=Scope(building="resident.room.building"),
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    resident: Mapped[Resident] = link("长者", resident_id)
    meal_on: Mapped[dt.date] = field("用餐日期", default=today)
    meal: Mapped[str] = field("餐次", String(10), choices=MEALS)
    diners: Mapped[int] = field("用餐人数", default=1)
    amount: Mapped[Decimal] = field("餐费(元)")
    settlement: Mapped[str] = field("结算方式", String(10), choices=MEAL_SETTLEMENTS,
                                    help="询问长者本次餐费是现下清结或是记账到本月账单")
    kitchen_notified: Mapped[bool] = field("已通知厨房及护理员", default=False)


# ---------------------------------------------------------------- 长者退房 000 (一)4


class ResidentCheckOut(Record, Base):
    __tablename__ = "resident_check_outs"
    __register__ = Register(
        label="长者退房",
        group="B",
        prefix="ZZTF",
        source="000 (一)4",
        help="会员或其销售提前1周向A栋客服申请退房;结算好各项费用,询问医疗备用金留作日后续住还是申请退回;"
             "清理完房间私人物品并把房卡交前台,才表示退房完成。保存后自动写入异动表。",
        list_columns=("resident", "room", "applied_on", "check_out_at", "settlement", "deposit_handling",
                      "room_cleared", "room_card_returned"),
        search=("resident.name", "applicant", "damage", "items_left"),
        key=("resident", "check_out_at"),
        title="check_out_at",
        trail=Trail(log=LOG, kind="退房", subject="resident", fields=("room", "deposit_handling"),
                    when="check_out_at"),
        deadlines=(Deadline("退房前1周申请退房办理", start="check_out_at", done="applied_on",
                            offset=dt.timedelta(days=-7), day_end=True, warn=dt.timedelta(days=2)),),
        scope=ROOM_BUILDING,
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    resident: Mapped[Resident] = link("长者", resident_id)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("退房房间", room_id)
    applicant: Mapped[str | None] = field("申请人", String(50), help="会员本人、家属或其对应销售")
    applied_on: Mapped[dt.date] = field("申请日期", default=today, help="须提前1周向A栋客服申请退房办理")
    check_out_at: Mapped[dt.datetime] = field("退房时间")
    settlement: Mapped[Decimal | None] = field("费用结算金额(元)", help="结算好各项费用")
    medical_deposit: Mapped[Decimal | None] = field("医疗备用金(元)")
    deposit_handling: Mapped[str] = field("医疗备用金处理", String(10), choices=DEPOSIT_HANDLING,
                                          help="询问长者医疗备用金是留为日后续住用还是申请退回")
    deposit_refund_id: Mapped[int | None] = mapped_column(ForeignKey("medical_deposit_refunds.id"),
                                                          index=True)
    deposit_refund: Mapped[MedicalDepositRefund | None] = link(
        "退医疗备用金单", deposit_refund_id, help="申请退回时,关联财务的《退医疗备用金》记录")
    room_checked: Mapped[bool] = field("已查房", default=False, help="检查房间有无损坏、物品遗失")
    damage: Mapped[str | None] = field("损坏/遗失情况", Text)
    room_cleared: Mapped[bool] = field("私人物品已清理", default=False)
    items_left: Mapped[str | None] = field("遗留物品", Text)
    room_card_returned: Mapped[bool] = field("房卡已交前台", default=False)

    def __str__(self) -> str:
        who = self.resident.name if self.resident else ""
        return f"{who} {self.check_out_at:%Y-%m-%d}" if self.check_out_at else who


# ---------------------------------------------------------------- 新业主入住 001 4.1、七.19;004 4.2


class NewOwnerRegistration(Record, Base):
    __tablename__ = "new_owner_registrations"
    __register__ = Register(
        label="新业主入住登记表",
        group="B",
        code="XST-HD-KF-016",
        source="001 4.1.1–4.1.2, 七.19; 004 4.2.2–4.2.3",
        help="即《业主资料登记表》《顾客(住户)资料卡》:核对入住通知书上姓名与业主身份证原件;"
             "委托他人办理须查验委托书原件及受托人身份证;收取专项维修资金、物业服务费、垃圾处置费、车位管理费。",
        list_columns=("handled_on", "owner", "room", "phone", "agent", "total_fees", "receipt_no",
                      "entrusted_key"),
        search=("owner", "id_no", "phone", "contract_no", "agent"),
        key=("owner", "handled_on"),
        title="owner",
        scope=ROOM_BUILDING,
    )

    owner: Mapped[str] = field("业主姓名", String(50))
    id_no: Mapped[str] = field("身份证号码", String(30),
                               help="与《入住通知书》(商品房交付使用通知书)上姓名核对")
    phone: Mapped[str | None] = field("联系电话", String(30))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id)
    contract_no: Mapped[str | None] = field("购房合同编号", String(50))
    handled_on: Mapped[dt.date] = field("办理日期", default=today)
    agent: Mapped[str | None] = field("受托人", String(50), help="业主委托他人办理时填写")
    agent_id_no: Mapped[str | None] = field("受托人身份证号码", String(30))
    documents: Mapped[list[ChecklistItem]] = checklist(
        "身份确认与文件签署", items="新业主入住资料", owner="new_owner_registrations",
        table="new_owner_registration_documents", help="原件交验、复印件归档;委托办理的两项仅委托时勾选")
    maintenance_fund: Mapped[Decimal | None] = field("专项维修资金(元)")
    property_fee: Mapped[Decimal | None] = field("物业服务费(元)")
    property_fee_until: Mapped[dt.date | None] = field("物业服务费交至")
    garbage_fee: Mapped[Decimal | None] = field("垃圾处置费(元)")
    parking_fee: Mapped[Decimal | None] = field("车位管理费(元)", help="拥有地下停车场车位的业主收取")
    total_fees: Mapped[Decimal | None] = field("合计收费(元)")
    receipt_no: Mapped[str | None] = field("收据号", String(50), help="提醒顾客保留好相关票据")
    entrusted_key_id: Mapped[int | None] = mapped_column(ForeignKey("keys.id"), index=True)
    entrusted_key: Mapped[Key | None] = link("托管钥匙", entrusted_key_id,
                                             help="办理钥匙托管手续时选择钥匙台账中的钥匙")


class OwnerHouseholdMember(Base):
    __tablename__ = "owner_household_members"
    __register__ = Register(label="家庭成员", group="B", kind="line", key=("household", "name"), title="name")

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("owner_households.id", ondelete="CASCADE"),
                                              index=True)
    household: Mapped[OwnerHousehold] = relationship(back_populates="members")
    name: Mapped[str] = field("姓名", String(50))
    relation: Mapped[str] = field("与业主关系", String(20))
    gender: Mapped[str | None] = field("性别", String(2), choices=GENDERS)
    birth_year: Mapped[int | None] = field("出生年份")
    phone: Mapped[str | None] = field("联系电话", String(30))
    workplace: Mapped[str | None] = field("工作单位/学校", String(100))


class OwnerHousehold(Record, Base):
    __tablename__ = "owner_households"
    __register__ = Register(
        label="业主家庭情况登记表",
        group="B",
        code="XST-HD-KF-017",
        source="001 七.20, 4.1.1E",
        help="即业主资料登记表附页:家庭成员、紧急联系人、车辆、宠物,填写后归档入客户档案。",
        list_columns=("owner", "room", "phone", "emergency_contact", "emergency_phone", "vehicles", "pets",
                      "filled_on"),
        search=("owner", "phone", "emergency_contact", "vehicles"),
        key=("owner", "filled_on"),
        title="owner",
        inline=("members",),
        scope=ROOM_BUILDING,
    )

    registration_id: Mapped[int | None] = mapped_column(ForeignKey("new_owner_registrations.id"), index=True)
    registration: Mapped[NewOwnerRegistration | None] = link(
        "新业主入住登记", registration_id, help="入住时随《新业主入住登记表》填写的,选择该登记")
    owner: Mapped[str] = field("业主姓名", String(50))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id)
    phone: Mapped[str | None] = field("联系电话", String(30))
    filled_on: Mapped[dt.date] = field("填表日期", default=today)
    emergency_contact: Mapped[str | None] = field("紧急联系人", String(50))
    emergency_phone: Mapped[str | None] = field("紧急联系电话", String(30))
    vehicles: Mapped[str | None] = field("车辆(车牌、车型)", String(200))
    pets: Mapped[str | None] = field("宠物(种类、数量)", String(100))
    members: Mapped[list[OwnerHouseholdMember]] = relationship(
        back_populates="household",
        cascade="all, delete-orphan",
        info={"label": "家庭成员"},
        order_by=OwnerHouseholdMember.id,
    )


class MoveInRoutingSlip(Record, Base):
    __tablename__ = "move_in_routing_slips"
    __register__ = Register(
        label="入住流转单",
        group="B",
        prefix="RZLZ",
        source="001 4.1.1–4.1.5; 004 4.2.5–4.2.19",
        help="一户入住一张:逐项完成身份确认、收费、物品发放与钥匙托管、房屋设施查验等手续后,"
             "收集《入住流转单》存入客户档案;《商品房交接验收记录单》及返修钥匙存放指定位置,及时完善交付信息动态表。",
        list_columns=("registration", "inspected_by", "inspected_at", "completed_at", "archived"),
        search=("registration.owner", "inspection_findings"),
        key=("registration",),
        title="completed_at",
        scope=Scope(building="registration.room.building"),
    )

    registration_id: Mapped[int] = mapped_column(ForeignKey("new_owner_registrations.id"), index=True)
    registration: Mapped[NewOwnerRegistration] = link("新业主入住登记", registration_id)
    steps: Mapped[list[ChecklistItem]] = checklist(
        "已完成手续", items="入住流转步骤", owner="move_in_routing_slips",
        table="move_in_routing_slip_steps", help="每完成一项手续勾选一项")
    inspected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    inspected_by: Mapped[User | None] = link("陪同验房技术员", inspected_by_id,
                                             help="技术员借用钥匙须在钥匙借用记录表中登记")
    inspected_at: Mapped[dt.datetime | None] = field("验房时间")
    inspection_findings: Mapped[str | None] = field(
        "房屋、设施查验问题", Text, help="即《商品房交接验收记录单》所记问题;无则留空")
    repair_keys_stored: Mapped[bool] = field("返修钥匙已存放指定位置", default=False)
    completed_at: Mapped[dt.datetime | None] = field("手续完成时间")
    archived: Mapped[bool] = field("已存入客户档案", default=False)

    def __str__(self) -> str:
        return f"入住流转单 {self.registration}" if self.registration else "入住流转单"


class ItemReceiptLine(Base):
    __tablename__ = "item_receipt_lines"
    __register__ = Register(label="签收物品", group="B", kind="line", key=("receipt", "item"), title="item")

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("item_receipts.id", ondelete="CASCADE"), index=True)
    receipt: Mapped[ItemReceipt] = relationship(back_populates="lines")
    item: Mapped[str] = field("物品名称", String(100))
    quantity: Mapped[int] = field("数量", default=1)
    unit: Mapped[str | None] = field("单位", String(10))
    note: Mapped[str | None] = field("说明", String(200))


class ItemReceipt(Record, Base):
    __tablename__ = "item_receipts"
    __register__ = Register(
        label="物品签收单",
        group="B",
        prefix="WPQS",
        source="001 4.1.3; 004 4.2.11",
        help="即《物品领用一览表》:入住时发放礼盒、钥匙、资料等物品,业主逐项清点后签名确认。",
        list_columns=("handed_at", "recipient", "room", "registration", "signed"),
        search=("recipient", "registration.owner"),
        key=("recipient", "handed_at"),
        title="recipient",
        inline=("lines",),
        scope=ROOM_BUILDING,
    )

    registration_id: Mapped[int | None] = mapped_column(ForeignKey("new_owner_registrations.id"), index=True)
    registration: Mapped[NewOwnerRegistration | None] = link("新业主入住登记", registration_id)
    recipient: Mapped[str] = field("签收人", String(50), help="业主本人或其受托人")
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id)
    handed_at: Mapped[dt.datetime] = field("发放时间")
    signed: Mapped[bool] = field("已签名确认", default=False)
    lines: Mapped[list[ItemReceiptLine]] = relationship(
        back_populates="receipt",
        cascade="all, delete-orphan",
        info={"label": "物品明细"},
        order_by=ItemReceiptLine.id,
    )


# ---------------------------------------------------------------- 二手房交接确认单 001 七.18、(十一)


class SecondHandHandover(Record, Base):
    __tablename__ = "second_hand_handovers"
    __register__ = Register(
        label="二手房交接确认单",
        group="B",
        code="XST-HD-KF-015",
        source="001 七.18, 四(十一), 六.5",
        help="二手房买卖双方到客服中心办理交接:结清原业主各项费用,移交钥匙,抄录水、电、燃气表读数,"
             "双方确认后新业主办理入住登记。",
        list_columns=("handover_on", "room", "seller", "buyer", "fees_settled", "fees_paid_until",
                      "keys_handed"),
        search=("seller", "buyer", "seller_phone", "buyer_phone"),
        key=("room", "handover_on"),
        title="buyer",
        scope=ROOM_BUILDING,
    )

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id)
    handover_on: Mapped[dt.date] = field("交接日期", default=today)
    seller: Mapped[str] = field("原业主(卖方)", String(50))
    seller_phone: Mapped[str | None] = field("原业主电话", String(30))
    buyer: Mapped[str] = field("新业主(买方)", String(50))
    buyer_phone: Mapped[str | None] = field("新业主电话", String(30))
    transfer_document: Mapped[str | None] = field("产权转移证明", String(100),
                                                  help="如 不动产权证号、网签合同号")
    fees_settled: Mapped[bool] = field("费用已结清", default=False, help="原业主物业服务费、水电等费用结清")
    fees_paid_until: Mapped[dt.date | None] = field("物业服务费交至")
    settled_amount: Mapped[Decimal | None] = field("结清金额(元)", help="交接时原业主补交的费用")
    keys_handed: Mapped[int | None] = field("移交钥匙(把)")
    water_meter: Mapped[Decimal | None] = field("水表读数", help="交接当日读数")
    electricity_meter: Mapped[Decimal | None] = field("电表读数")
    gas_meter: Mapped[Decimal | None] = field("燃气表读数")
