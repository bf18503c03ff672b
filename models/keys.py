"""E. Keys and cards (REGISTERS.md §E).

The two monthly reports of 002 篇3 2.3.10 (钥匙管理情况报告: 接收、在管、交出; 办证情况统计表) are
reports over these registers, not tables: :class:`Key` keeps 接收日期/交出日期 and :class:`Pass`
keeps the kind of every pass for them. The quarterly summary of smart cards (004 4.3.2) is likewise
a report over :class:`SmartCard`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, func, select
from sqlalchemy import inspect as state_of
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from admin_app.rules import keys as rules
from models.base import ROOM_BUILDING, Base, Deadline, Duty, Record, Register, Scope, field, link
from models.reference import Department, Room, User

KEY_KINDS = ["空置房", "未入住", "托管", "公共", "商铺"]
KEY_STATES = ["在柜", "借出", "遗失"]
#: What the weekly check finds of a key: its ledger states, or a shortage or damage.
CHECK_FINDINGS = [*KEY_STATES, "短缺", "损坏"]
RETURN_CONDITIONS = ["完好", "短缺", "损坏", "改变"]
EMERGENCIES = ["跑水", "漏电", "室内报警", "其他"]
KEY_CUT_REASONS = ["丢失", "工作需要"]
KEY_CUT_ACTIONS = ["增配", "更换"]
CARD_PERIODS = ["月", "季", "半年"]
PASS_KINDS = ["车辆出入证", "出入证", "装修出入证"]


class Key(Record, Base):
    __tablename__ = "keys"
    __register__ = Register(
        label="钥匙台账",
        group="E",
        prefix="YSTZ",
        source="000 (四)1; 002 篇3 2.3.3; 004 4.2.4",
        help="接收的钥匙统一放入钥匙柜并粘贴标签;空置房、未入住房屋钥匙封存保管,没有特殊情况不允许启封;"
             "钥匙柜日常锁闭,由前台客服员管理并列入交接班内容。",
        list_columns=("label", "room", "place", "kind", "sealed", "state", "cabinet_slot", "entrusted_by"),
        search=("label", "place", "entrusted_by", "cabinet_slot"),
        key=("label",),
        title="label",
        filters=("kind", "sealed", "state", "received_on", "handed_over_on", "recorded_at",
                 "department.name"),
        scope=ROOM_BUILDING,
    )

    label: Mapped[str] = field("钥匙标签", String(50), unique=True,
                               help="钥匙上粘贴的标签,如 A栋-101、公共-配电房")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id, help="房屋、商铺钥匙选择房号;公共地方钥匙不选")
    place: Mapped[str | None] = field("部位/地点", String(100),
                                      help="公共地方钥匙写明地点,如 配电房、天台;房屋钥匙可写 入户门、信箱")
    kind: Mapped[str] = field("类别", String(10), choices=KEY_KINDS,
                              help="空置房、未入住房屋、客户托管、公共地方、尚未移交租户的商铺")
    quantity: Mapped[int] = field("数量(把)", default=1)
    sealed: Mapped[bool] = field("封存", default=False,
                                 help="空置房、未入住房屋钥匙封存保管,没有特殊情况不允许启封")
    entrusted_by: Mapped[str | None] = field("托管人", String(50),
                                             help="客户(业主/租户)托管的钥匙填写托管人")
    entrusted_phone: Mapped[str | None] = field("托管人电话", String(30))
    state: Mapped[str] = field("状态", String(10), choices=KEY_STATES, default="在柜", auto=True,
                               help="随《钥匙借用记录表》变化:借出未还为借出,归还为在柜,借用时遗失为遗失;"
                                    "遗失的钥匙按《配制更换钥匙申请单》更换完成后回到在柜")
    cabinet_slot: Mapped[str | None] = field("钥匙柜位号", String(20))
    received_on: Mapped[dt.date | None] = field("接收日期", help="钥匙管理情况报告按月统计接收、在管、交出")
    handed_over_on: Mapped[dt.date | None] = field(
        "交出日期", help="交还业主/移交租户后填写,此后不再列入在管钥匙"
    )


class KeyLoan(Record, Base):
    __tablename__ = "key_loans"
    # A key's open loan (who holds it, checked at every save) is found without reading its returned ones.
    __table_args__ = (Index("ix_key_loans_key_open", "key_id", "returned_at"),)
    __register__ = Register(
        label="钥匙借用记录表",
        group="E",
        code="XST-HD-KF-006",
        source="000 (四)2; 001 七.8; 004 4.2.5",
        help="即《钥匙借用台账》《借用钥匙记录表》《钥匙使用登记表》:借用人签字确认后存档,原则上当日归还;"
             "归还时检查有无短缺、损坏、改变;跑水、漏电、室内报警等紧急事件经客服部门主管同意可先用后补手续。",
        list_columns=("key", "borrower", "borrower_department", "purpose", "lent_at", "due_back_at",
                      "returned_at", "return_condition", "lost"),
        search=("borrower", "purpose", "key.label"),
        large=True,
        key=("key", "lent_at"),
        title="borrower",
        deadlines=(Deadline("借用钥匙当日归还", start="lent_at", done="returned_at", day_end=True,
                            warn=dt.timedelta(hours=2)),),
        scope=Scope(building="key.room.building"),
    )

    key_id: Mapped[int] = mapped_column(ForeignKey("keys.id"))
    key: Mapped[Key] = link("钥匙", key_id)
    borrower: Mapped[str] = field("借用人", String(50), help="借用人在《钥匙借用记录表》上签字确认")
    borrower_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    borrower_department: Mapped[Department | None] = link("借用人部门", borrower_department_id)
    borrower_phone: Mapped[str | None] = field("联系电话", String(30))
    purpose: Mapped[str] = field("借用事由", String(200), help="如 技术员陪同顾客验房、维修、空置房巡查")
    lent_at: Mapped[dt.datetime] = field("借出时间", index=True)
    due_back_at: Mapped[dt.datetime] = field("应还时间", help="借用的钥匙原则上要当日归还")
    returned_at: Mapped[dt.datetime | None] = field("归还时间")
    return_condition: Mapped[str | None] = field(
        "归还检查", String(10), choices=RETURN_CONDITIONS, help="归还时前台客服员检查钥匙有无短缺、损坏、改变"
    )
    received_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    received_back_by: Mapped[User | None] = link("归还接收人", received_back_by_id)
    emergency: Mapped[bool] = field("紧急先用", default=False,
                                    help="跑水、漏电、室内报警等紧急事件,报客服部门主管同意后先行使用,后补借用手续")
    emergency_type: Mapped[str | None] = field("紧急事件", String(10), choices=EMERGENCIES)
    allowed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    allowed_by: Mapped[User | None] = link("同意的主管", allowed_by_id,
                                           help="紧急先用或借用封存钥匙时,填写同意的客服部门主管")
    paperwork_done_at: Mapped[dt.datetime | None] = field("补办手续时间", help="紧急先用后补办借用手续的时间")
    lost: Mapped[bool] = field("遗失", default=False,
                               help="借用人遗失钥匙时勾选,钥匙转为遗失并按《配制更换钥匙申请单》办理;"
                                    "找回归还时填写归还时间")

    def problems(self) -> dict[str, str]:
        session = object_session(self)
        key = self._key(session)
        allower = self.allowed_by
        return rules.loan_problems(
            loan_open=rules.is_open(self.returned_at, bool(self.lost)),
            lending=self.id is None or state_of(self).attrs.key.history.has_changes(),
            key_state_now=key.state if key else None,
            sealed=bool(key and key.sealed),
            lent_elsewhere=self._lent_elsewhere(session, key),
            returned_at=self.returned_at,
            return_condition=self.return_condition,
            lent_at=self.lent_at,
            due_back_at=self.due_back_at,
            emergency=bool(self.emergency),
            emergency_type=self.emergency_type,
            allowed_by=allower.name if allower else None,
            allower_may_unseal=bool(allower and rules.may_allow_sealed(
                allower.role_names, allower.department.name if allower.department else None)),
        )

    def before_save(self, session: Session) -> None:
        state = state_of(self)
        if self.id is not None and not any(state.attrs[a].history.has_changes()
                                           for a in ("key", "key_id", "returned_at", "lost")):
            return  # e.g. a remark added later: the key's state is not this record's business now
        held = self.id is None or _committed(state, "returned_at") is None
        for old in state.attrs.key.history.deleted:
            if old is not None and held:  # moved to another key: the first one goes back
                self._put_back(session, old)
        key = self._key(session)
        if key is not None:
            key.state = rules.key_state(loan_open=rules.is_open(self.returned_at, bool(self.lost)),
                                        lost=bool(self.lost) and self.returned_at is None,
                                        others_open=self._others_open(session, key))

    def before_delete(self, session: Session) -> None:
        key = self._key(session)
        if key is not None and self.returned_at is None:  # an open (or lost) loan entered by mistake
            self._put_back(session, key)

    def _put_back(self, session: Session, key: Key) -> None:
        """This loan no longer holds ``key``: lent on another open loan, else in the cabinet."""
        key.state = rules.key_state(loan_open=False, lost=False, others_open=self._others_open(session, key))

    def _key(self, session: Session | None) -> Key | None:
        if self.key is not None or session is None or self.key_id is None:
            return self.key
        return session.get(Key, self.key_id)

    def _open_loans_of(self, key: Key) -> Any:
        return select(KeyLoan).where(KeyLoan.key_id == key.id, KeyLoan.id != self.id,
                                     KeyLoan.returned_at.is_(None), KeyLoan.lost.is_(False))

    def _others_open(self, session: Session, key: Key) -> bool:
        with session.no_autoflush:
            return key.id is not None and session.scalar(
                select(func.count()).select_from(self._open_loans_of(key).subquery())) > 0

    def _lent_elsewhere(self, session: Session | None, key: Key | None) -> str | None:
        """Who holds ``key`` on another open loan, e.g. 韩师傅 11-23 09:10 借出."""
        if session is None or key is None or key.id is None:
            return None
        with session.no_autoflush:  # the form's unsaved record must not be flushed by this query
            other = session.scalars(self._open_loans_of(key).order_by(KeyLoan.lent_at)).first()
        return f"借用人 {other.borrower},{other.lent_at:%m-%d %H:%M} 借出" if other else None


def _committed(state: Any, attr: str) -> Any:
    """The value an attribute had when the record was loaded."""
    history = state.attrs[attr].history
    return (history.deleted or history.unchanged or [None])[0]


class KeyCheckLine(Base):
    __tablename__ = "key_check_lines"
    __register__ = Register(label="钥匙周检明细", group="E", kind="line")

    id: Mapped[int] = mapped_column(primary_key=True)
    key_check_id: Mapped[int] = mapped_column(ForeignKey("key_checks.id", ondelete="CASCADE"), index=True)
    key_check: Mapped[KeyCheck] = relationship(back_populates="lines")
    key_id: Mapped[int] = mapped_column(ForeignKey("keys.id"), index=True)
    key: Mapped[Key] = link("钥匙", key_id)
    ledger_state: Mapped[str | None] = field("台账状态", String(10), choices=KEY_STATES, auto=True,
                                             help="保存时从钥匙台账抄录")
    found_state: Mapped[str] = field("实查情况", String(10), choices=CHECK_FINDINGS,
                                     help="与台账相同的不用改;短缺、损坏、与台账不符的改为实查情况")
    note: Mapped[str | None] = field("说明", String(200), help="如 封条脱落、借用人未按时归还")

    def before_save(self, session: Session) -> None:
        if self.ledger_state is None or state_of(self).attrs.key.history.has_changes():
            key = self.key or session.get(Key, self.key_id)
            self.ledger_state = key.state if key else None
        if self.key_check is not None:  # a line edited alone still changes the check's summary
            self.key_check.summarise(session)

    def before_delete(self, session: Session) -> None:
        if self.key_check is not None and self.key_check not in session.deleted:
            self.key_check.summarise(session)


class KeyCheck(Record, Base):
    __tablename__ = "key_checks"
    __register__ = Register(
        label="钥匙周检记录",
        group="E",
        prefix="YSZJ",
        source="000 (四)1(3)",
        help="前台客服员是所有钥匙的唯一负责人:每周至少一次对照台账查验所有钥匙(空置房、未入住房、托管房),"
             "汇总使用情况报客户服务部主管;发现异常迅速报告服务中心并跟进处置。",
        list_columns=("checked_on", "checker", "keys_checked", "loans_in_week", "differences",
                      "reported_to_supervisor"),
        search=("differences", "follow_up"),
        key=("checked_on",),
        title="checked_on",
        duties=(Duty("每周至少对照台账查验一次钥匙", every="week", date="checked_on"),),
        inline=("lines",),
    )

    checked_on: Mapped[dt.date] = field("查验日期", index=True, help="每周至少一次")
    checker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    checker: Mapped[User] = link("查验人", checker_id)
    keys_checked: Mapped[int] = field("查验钥匙数(把)", auto=True, default=0,
                                      help="明细中各钥匙的把数,遗失的不计")
    loans_in_week: Mapped[int | None] = field("本周借用次数", auto=True,
                                              help="查验日及之前 6 天《钥匙借用记录表》的借出次数")
    differences: Mapped[str | None] = field("差异及异常情况", Text, auto=True,
                                            help="由明细汇总:与台账不符、遗失、短缺、损坏或写了说明的钥匙;无则留空")
    follow_up: Mapped[str | None] = field("处置情况", Text, help="发现异常要迅速报告服务中心,并跟进处置")
    reported_to_supervisor: Mapped[bool] = field("已报客户服务部主管", default=False)
    lines: Mapped[list[KeyCheckLine]] = relationship(
        back_populates="key_check",
        cascade="all, delete-orphan",
        info={"label": "钥匙明细",
              "help": "新建时可只填与台账不符的钥匙;保存后其余在管钥匙自动列入,实查情况按台账填写,可再修改"},
        order_by=KeyCheckLine.id,
    )

    def before_save(self, session: Session) -> None:
        if self.id is None:
            self.prefill(session)
        self.summarise(session)

    def prefill(self, session: Session) -> None:
        """One line per key in custody the clerk did not list, found as the ledger says."""
        listed = {line.key_id if line.key is None else line.key.id for line in self.lines}
        for key in session.scalars(select(Key).order_by(Key.id)):
            if key.id not in listed and self.checked_on and rules.in_custody(
                    key.received_on, key.handed_over_on, self.checked_on):
                self.lines.append(KeyCheckLine(key=key, ledger_state=key.state, found_state=key.state))

    def summarise(self, session: Session) -> None:
        """差异及异常情况, 查验钥匙数 and 本周借用次数 from the lines and the loan register."""
        findings = []
        for line in self.lines:
            key = line.key or session.get(Key, line.key_id)
            if line in session.deleted or key is None:
                continue
            if line.ledger_state is None:
                line.ledger_state = key.state
            findings.append(rules.Finding(key.label, key.quantity, line.ledger_state, line.found_state,
                                          line.note))
        self.differences = rules.differences(findings)
        self.keys_checked = rules.keys_checked(findings)
        if self.checked_on:
            start, end = rules.week_of(self.checked_on)
            self.loans_in_week = session.scalar(select(func.count(KeyLoan.id)).where(
                KeyLoan.lent_at >= start, KeyLoan.lent_at < end))


class KeyCutRequest(Record, Base):
    __tablename__ = "key_cut_requests"
    __register__ = Register(
        label="配制更换钥匙申请单",
        group="E",
        prefix="PZYS",
        source="000 (四)3",
        help="钥匙因丢失或工作需要增配、更换,填写本单报客服主管审核、审批后进行,任何部门或个人不得擅自更换、配制。",
        list_columns=("key", "reason", "action", "quantity", "applicant", "recorded_at", "done_on"),
        search=("applicant", "explanation", "key.label"),
        key=("key", "recorded_at"),
        title="applicant",
        scope=Scope(building="key.room.building"),
    )

    key_id: Mapped[int] = mapped_column(ForeignKey("keys.id"), index=True)
    key: Mapped[Key] = link("钥匙", key_id)
    reason: Mapped[str] = field("原因", String(10), choices=KEY_CUT_REASONS)
    action: Mapped[str] = field("办理事项", String(10), choices=KEY_CUT_ACTIONS)
    quantity: Mapped[int] = field("数量(把)", default=1)
    applicant: Mapped[str] = field("申请人", String(50))
    explanation: Mapped[str | None] = field("情况说明", Text)
    done_on: Mapped[dt.date | None] = field("配制/更换日期", help="审批后实际配制或更换的日期;"
                                                              "遗失的钥匙更换完成后回到在柜")

    def before_save(self, session: Session) -> None:
        key = self.key or (session.get(Key, self.key_id) if self.key_id else None)
        done_now = self.done_on is not None and (self.id is None
                                                 or state_of(self).attrs.done_on.history.has_changes())
        if done_now and self.reason == "丢失" and key is not None and key.state == "遗失":
            key.state = "在柜"  # the lost key is replaced (000 (四)3)


class SmartCard(Record, Base):
    __tablename__ = "smart_cards"
    __register__ = Register(
        label="智能卡发放情况表",
        group="E",
        prefix="ZNK",
        source="004 4.3, 4.4",
        help="核对协议注明的预收金额,按顾客交费金额对卡作相应时间的授权,发卡时请顾客在本表签字确认;"
             "每季度首月5日前将上一季度发放情况汇总转交服务中心。",
        list_columns=("card_no", "holder", "room", "fee_paid", "period", "authorised_until", "issued_at",
                      "holder_signed"),
        search=("card_no", "holder", "plate", "agreement_no"),
        key=("card_no", "issued_at"),
        title="card_no",
        scope=ROOM_BUILDING,
    )

    card_no: Mapped[str] = field("卡号", String(30), index=True)
    card_type: Mapped[str | None] = field("卡类", String(20), help="如 车卡、门禁卡")
    holder: Mapped[str] = field("持卡人", String(50))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    phone: Mapped[str | None] = field("联系电话", String(30))
    plate: Mapped[str | None] = field("车牌号", String(20), help="车卡填写")
    agreement_no: Mapped[str | None] = field("协议编号", String(30),
                                             help="协议一式两份,客户联交顾客保管,另一份服务中心分类存档")
    fee_paid: Mapped[Decimal] = field("已交费用(元)", help="核对协议上注明已预收的金额")
    receipt_no: Mapped[str | None] = field("收据号", String(30))
    period: Mapped[str] = field("授权期限", String(10), choices=CARD_PERIODS,
                               help="按每月、每季或每半年交费")
    authorised_until: Mapped[dt.date] = field("授权至", help="根据顾客交费金额对卡作相应时间的授权")
    issued_at: Mapped[dt.datetime] = field("发放时间", index=True)
    holder_signed: Mapped[bool] = field("持卡人已签字", default=False,
                                        help="提醒顾客在《智能卡发放情况表》上签字确认")


class ParkingRegistration(Record, Base):
    __tablename__ = "parking_registrations"
    __register__ = Register(
        label="车位办理登记表",
        group="E",
        prefix="CWBL",
        source="001 七.7, 4.1.1G, 4.1.2D",
        help="拥有地下停车场车位的业主签署《地下停车场管理服务协议》并交纳车位管理费。",
        list_columns=("owner", "room", "plate", "space_no", "valid_from", "valid_until", "fee"),
        search=("owner", "phone", "plate", "space_no"),
        key=("space_no", "valid_from"),
        title="space_no",
        scope=ROOM_BUILDING,
    )

    owner: Mapped[str] = field("业主/车主", String(50))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    phone: Mapped[str | None] = field("联系电话", String(30))
    plate: Mapped[str] = field("车牌号", String(20))
    vehicle: Mapped[str | None] = field("车型/颜色", String(50))
    space_no: Mapped[str] = field("车位号", String(20))
    agreement_signed: Mapped[bool] = field("已签地下停车场管理服务协议", default=False)
    valid_from: Mapped[dt.date] = field("起始日期")
    valid_until: Mapped[dt.date] = field("截止日期")
    fee: Mapped[Decimal | None] = field("车位管理费(元)")
    receipt_no: Mapped[str | None] = field("收据号", String(30))


class Pass(Record, Base):
    __tablename__ = "passes"
    __register__ = Register(
        label="车辆出入证、装修出入证",
        group="E",
        prefix="CRZ",
        source="002 篇3 2.3.4, 2.3.8, 2.3.10",
        help="为租户办理车辆出入证,为租户/装修承建商办理出入证、装修出入证;每月做出本月办证情况统计表。",
        list_columns=("kind", "pass_no", "holder", "room", "plate", "contractor", "valid_until", "fee"),
        search=("pass_no", "holder", "tenant", "plate", "contractor"),
        key=("kind", "pass_no"),
        title="pass_no",
        scope=ROOM_BUILDING,
    )

    kind: Mapped[str] = field("证件类别", String(10), choices=PASS_KINDS)
    pass_no: Mapped[str] = field("证号", String(30))
    holder: Mapped[str] = field("持证人", String(50))
    phone: Mapped[str | None] = field("联系电话", String(30))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号/商铺", room_id)
    tenant: Mapped[str | None] = field("租户", String(100))
    plate: Mapped[str | None] = field("车牌号", String(20), help="车辆出入证填写")
    contractor: Mapped[str | None] = field("装修承建商", String(100), help="装修出入证及承建商人员出入证填写")
    valid_from: Mapped[dt.date] = field("有效期起")
    valid_until: Mapped[dt.date] = field("有效期至")
    fee: Mapped[Decimal | None] = field("费用(元)")
