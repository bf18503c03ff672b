"""G. Purchasing, finance and stores (REGISTERS.md §G; handbook 000 (六)–(十四), 001 百货)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from admin_app.clock import today
from admin_app.rules import fees
from models.base import OWN_DEPARTMENT, ROOM_BUILDING, Base, Record, Register, Scope, field, link
from models.reference import Room, User

#: 茶艺室 and walk-in guests pay by these (000 (一)1(5)).
PAYMENT_METHODS = ["扫码", "刷卡", "现金"]
#: Monthly-settled clients of the 红头文件 (000 (十四)2).
MONTHLY_CLIENTS = ["集体财务", "董事办", "学院", "综合办", "合作方"]
#: The two stock lists of 000 (十三).
STORES = ["1号仓库", "院办公室"]
STOCK_CATEGORIES = ["固定资产", "消耗品"]
DIRECTIONS = ["入库", "出库"]
#: What a 支付证明单 is for: 报账 needs an invoice (000 (七)); 退医疗备用金 has the deposit's receipt
#: instead (000 (八)).
VOUCHER_KINDS = ["报账", "退医疗备用金"]

MONTH_HELP = "格式 YYYY-MM,如 2024-05"


# ---------------------------------------------------------------- 采购单 000 (六)


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __register__ = Register(label="采购单明细", group="G", kind="line", title="item")

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    item: Mapped[str] = field("品名", String(100))
    spec: Mapped[str | None] = field("规格", String(100))
    unit: Mapped[str | None] = field("单位", String(10))
    qty: Mapped[Decimal] = field("数量")
    unit_price: Mapped[Decimal | None] = field("单价")
    amount: Mapped[Decimal | None] = field("金额", help="数量 × 单价")


class PurchaseOrder(Record, Base):
    __tablename__ = "purchase_orders"
    __register__ = Register(
        label="采购单",
        group="G",
        prefix="CGD",
        source="000 (六)",
        help="先填写采购单,按顺序签名后把原件交采购中心,复印件自己留底;"
        "物品可由部门自行采购,或交采购中心采购。",
        list_columns=("applied_on", "department", "reason", "purchase_by", "total", "original_handed"),
        search=("reason",),
        key=("applied_on", "reason"),
        title="reason",
        inline=("lines",),
        scope=OWN_DEPARTMENT,
    )

    applied_on: Mapped[dt.date] = field("申请日期", default=today)
    reason: Mapped[str] = field("采购事由", String(200))
    purchase_by: Mapped[str] = field(
        "采购方式",
        String(10),
        choices=["部门自行采购", "采购中心采购"],
        help="可以部门自行采购,或者让采购中心(肖老师)采购",
    )
    total: Mapped[Decimal | None] = field("合计金额", help="各明细金额之和")
    original_handed: Mapped[bool] = field(
        "原件已交采购中心", default=False, help="签名完成后原件交采购中心,复印件自己留底"
    )
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="purchase_order",
        cascade="all, delete-orphan",
        info={"label": "明细"},
        order_by=PurchaseOrderLine.id,
    )


# ---------------------------------------------------------------- 出入库单 000 (七)b


class StockItem(Record, Base):
    __tablename__ = "stock_items"
    __table_args__ = (UniqueConstraint("store", "name"),)
    __register__ = Register(
        label="仓库物资台账",
        group="G",
        prefix="WZTZ",
        source="000 (十三)1–2",
        help="1号仓库和院办公室的物资,分固定资产与消耗品;领用公司物品须填写物资领用表交仓管员。",
        list_columns=("store", "name", "quantity", "unit", "category"),
        search=("name",),
        key=("store", "name"),
        title="label",
        public_lookup=True,
    )

    store: Mapped[str] = field("仓库", String(10), choices=STORES)
    name: Mapped[str] = field("物资名称", String(100))
    quantity: Mapped[Decimal] = field("数量", default=Decimal(0), help="可为小数,如 半箱 记 0.5 箱")
    unit: Mapped[str] = field("单位", String(10))
    category: Mapped[str] = field("类别", String(10), choices=STOCK_CATEGORIES)

    @property
    def label(self) -> str:
        return f"{self.store}·{self.name}({self.unit})"


class StockSlipLine(Base):
    __tablename__ = "stock_slip_lines"
    __register__ = Register(label="出入库单明细", group="G", kind="line")

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_slip_id: Mapped[int] = mapped_column(ForeignKey("stock_slips.id", ondelete="CASCADE"), index=True)
    stock_slip: Mapped[StockSlip] = relationship(back_populates="lines")
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"), index=True)
    stock_item: Mapped[StockItem] = link("物资", stock_item_id)
    qty: Mapped[Decimal] = field("数量")
    value: Mapped[Decimal | None] = field("金额")


class StockSlip(Record, Base):
    __tablename__ = "stock_slips"
    __register__ = Register(
        label="出入库单",
        group="G",
        prefix="CRKD",
        source="000 (七)b",
        help="固定资产为500元以上的物资,找仓管员开出入库单,报账时贴在支付证明单第五张。",
        list_columns=("slip_date", "direction", "reason", "storekeeper", "department"),
        search=("reason",),
        key=("slip_date", "direction", "reason"),
        title="reason",
        inline=("lines",),
    )

    slip_date: Mapped[dt.date] = field("日期", default=today)
    direction: Mapped[str] = field("出入库", String(4), choices=DIRECTIONS)
    reason: Mapped[str | None] = field("事由", String(200))
    storekeeper_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    storekeeper: Mapped[User] = link("仓管员", storekeeper_id, help="出入库单由仓管员开具")
    lines: Mapped[list[StockSlipLine]] = relationship(
        back_populates="stock_slip",
        cascade="all, delete-orphan",
        info={"label": "明细"},
        order_by=StockSlipLine.id,
    )


# ---------------------------------------------------------------- 支付证明单 000 (七)


class PaymentVoucher(Record, Base):
    __tablename__ = "payment_vouchers"
    __register__ = Register(
        label="支付证明单",
        group="G",
        prefix="ZFZM",
        source="000 (七)",
        help="报账必须有发票,只有收据不行;事由或品名须与开票信息一致,金额须与实际报账金额一致并在发票后面注明;"
        "发票作收据抵票时,用铅笔在发票上写明抵票收据的内容和价钱;500元以上固定资产须附仓管员开的出入库单;"
        "贴票顺序:支付证明单、发票、收据、采购单、出入库单。",
        list_columns=(
            "filled_on",
            "department",
            "reason",
            "amount",
            "payee",
            "payment_method",
            "has_invoice",
        ),
        search=("reason", "payee"),
        key=("filled_on", "reason"),
        title="reason",
        scope=OWN_DEPARTMENT,
    )

    filled_on: Mapped[dt.date] = field("填单日期", default=today)
    kind: Mapped[str] = field("类别", String(10), choices=VOUCHER_KINDS, default="报账",
                              server_default="报账",
                              help="报账必须有发票;退医疗备用金附原始第二联收据、退备用金申请和收条")
    reason: Mapped[str] = field("事由或品名", String(200), help="必须跟开票信息一致")
    amount: Mapped[Decimal] = field("金额", help="与实际报账金额一致,并在发票后面注明")
    invoice_amount: Mapped[Decimal | None] = field("发票金额", help="报账时填写,须与支付证明单金额一致")
    fixed_asset_value: Mapped[Decimal | None] = field(
        "固定资产金额", help="所报物品中固定资产的金额;500 元以上须关联仓管员开具的出入库单;无固定资产留空")
    payee: Mapped[str] = field("收款单位或收款人", String(100))
    payment_method: Mapped[str | None] = field("支付方式", String(20), help="如 现金、转账、支票")
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    purchase_order: Mapped[PurchaseOrder | None] = link("对应采购单", purchase_order_id)
    stock_slip_id: Mapped[int | None] = mapped_column(ForeignKey("stock_slips.id"), index=True)
    stock_slip: Mapped[StockSlip | None] = link(
        "对应出入库单", stock_slip_id, help="500元以上固定资产须附出入库单"
    )
    # 附件,按手册贴票顺序(第一张是支付证明单本身)
    has_invoice: Mapped[bool] = field("发票", default=False, help="报账必须有发票")
    has_receipt: Mapped[bool] = field("收据", default=False)
    has_purchase_order: Mapped[bool] = field("采购单", default=False)
    has_stock_slip: Mapped[bool] = field("出入库单", default=False)

    def problems(self) -> dict[str, str]:
        if self.kind != "报账":
            return {}
        session = object_session(self)
        threshold = fees.standard(session, "fixed_asset_threshold") if session else Decimal(500)
        return fees.reimbursement_problems(
            has_invoice=bool(self.has_invoice), amount=self.amount, invoice_amount=self.invoice_amount,
            fixed_asset_value=self.fixed_asset_value,
            has_stock_slip=self.stock_slip is not None or self.stock_slip_id is not None,
            threshold=threshold)


# ---------------------------------------------------------------- 退医疗备用金 000 (八)


class MedicalDepositRefund(Record, Base):
    __tablename__ = "medical_deposit_refunds"
    __register__ = Register(
        label="退医疗备用金",
        group="G",
        prefix="TYLJ",
        source="000 (八); 000 (一)4(2)",
        help="先填写支付证明单;贴票顺序:支付证明单、退医疗备用金收据(原始第二联)、退备用金申请、收条;"
        "签名顺序与支付证明单相同。",
        list_columns=(
            "filled_on",
            "resident",
            "room",
            "amount",
            "has_original_receipt",
            "has_refund_request",
            "has_acknowledgement",
        ),
        search=("resident", "payee"),
        key=("filled_on", "resident"),
        title="resident",
        scope=Scope(department="department", building="room.building"),
    )

    filled_on: Mapped[dt.date] = field("填单日期", default=today)
    resident: Mapped[str] = field("长者姓名", String(50))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id)
    amount: Mapped[Decimal] = field("退款金额")
    payee: Mapped[str | None] = field("收款人", String(50), help="长者本人或家属,与收条一致")
    payment_voucher_id: Mapped[int | None] = mapped_column(ForeignKey("payment_vouchers.id"), index=True)
    payment_voucher: Mapped[PaymentVoucher | None] = link(
        "支付证明单", payment_voucher_id, help="退医疗备用金先填写支付证明单"
    )
    # 附件,按手册贴票顺序(第一张是支付证明单)
    has_original_receipt: Mapped[bool] = field(
        "原始第二联收据", default=False, help="缴医疗备用金时的收据原始第二联"
    )
    has_refund_request: Mapped[bool] = field("退备用金申请", default=False)
    has_acknowledgement: Mapped[bool] = field("收条", default=False)


# ---------------------------------------------------------------- 借据单 000 (九)


class LoanSlip(Record, Base):
    __tablename__ = "loan_slips"
    __register__ = Register(
        label="借据单",
        group="G",
        prefix="JJD",
        source="000 (九)",
        help="部门借备用金先填写借据单;签名顺序:领用人、部门主管、主管领导、财务会计、财务审核、财务出纳。",
        list_columns=(
            "borrowed_on",
            "borrower",
            "department",
            "amount",
            "purpose",
            "expected_repay_on",
            "repaid_on",
        ),
        search=("purpose", "borrower.name"),
        key=("borrowed_on", "borrower"),
        title="purpose",
        scope=OWN_DEPARTMENT,
    )

    borrowed_on: Mapped[dt.date] = field("借款日期", default=today)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    borrower: Mapped[User] = link("借款人", borrower_id, help="手册称领用人")
    amount: Mapped[Decimal] = field("借款金额")
    purpose: Mapped[str] = field("用途", String(200))
    expected_repay_on: Mapped[dt.date | None] = field("预计还款日期")
    repaid_on: Mapped[dt.date | None] = field("还款日期")


# ---------------------------------------------------------------- 茶艺室 000 (十一)1–2


class TeaRoomIncome(Record, Base):
    __tablename__ = "tea_room_incomes"
    __register__ = Register(
        label="茶艺室收入明细表",
        group="G",
        prefix="CYSR",
        source="000 (十一)1; 000 四",
        help="茶艺室每日收入逐笔登记;每月把收入明细表交财务会计。",
        list_columns=("sold_on", "item", "qty", "amount", "payment_method", "receipt_no"),
        search=("item", "receipt_no"),
        key=("sold_on", "item"),
        title="item",
    )

    sold_on: Mapped[dt.date] = field("日期", default=today)
    item: Mapped[str] = field("项目", String(100))
    qty: Mapped[Decimal] = field("数量", default=Decimal(1))
    amount: Mapped[Decimal] = field("金额")
    payment_method: Mapped[str] = field("收款方式", String(4), choices=PAYMENT_METHODS)
    receipt_no: Mapped[str | None] = field("收据号", String(30), help="每月带收据本去财务对账")


class TeaRoomCashHandover(Record, Base):
    __tablename__ = "tea_room_cash_handovers"
    __register__ = Register(
        label="茶艺室现金交款",
        group="G",
        prefix="CYJK",
        source="000 (十一)2",
        help="每月把茶艺室的现金交财务出纳,并带收据本去对账;茶艺室留300元零钱备用金。",
        list_columns=("month", "handed_on", "amount", "change_fund", "cashier", "receipt_book_checked"),
        search=("month",),
        key=("month",),
        title="month",
    )

    month: Mapped[str] = field("月份", String(7), unique=True, help=MONTH_HELP)
    handed_on: Mapped[dt.date] = field("交款日期", default=today)
    amount: Mapped[Decimal] = field("交出纳金额")
    change_fund: Mapped[Decimal] = field(
        "零钱备用金(留存)", default=Decimal("300.00"), help="茶艺室有300元的零钱备用金,不上交"
    )
    cashier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    cashier: Mapped[User | None] = link("收款出纳", cashier_id)
    statement_handed: Mapped[bool] = field("收入明细表已交会计", default=False)
    receipt_book_checked: Mapped[bool] = field("已带收据本对账", default=False)


# ---------------------------------------------------------------- 参观用餐报账 000 (十一)3


class VisitorMealLine(Base):
    __tablename__ = "visitor_meal_lines"
    __register__ = Register(label="用餐明细", group="G", kind="line")

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("visitor_meal_claims.id", ondelete="CASCADE"), index=True
    )
    claim: Mapped[VisitorMealClaim] = relationship(back_populates="lines")
    meal_date: Mapped[dt.date] = field("用餐日期")
    visitors: Mapped[str] = field("参观人员", String(200), help="参观长者姓名或来访单位")
    visitor_count: Mapped[int | None] = field("人数")
    meal_card_no: Mapped[str | None] = field("饭卡号", String(30))
    amount: Mapped[Decimal] = field("金额")


class VisitorMealClaim(Record, Base):
    __tablename__ = "visitor_meal_claims"
    __register__ = Register(
        label="参观用餐报账",
        group="G",
        prefix="CGYC",
        source="000 (十一)3",
        help="每月帮市场营销部报长者参观用餐餐费:先填支付证明单;贴票顺序:支付证明单、发票、饭卡登记表、"
        "养生谷用餐明细表。",
        list_columns=(
            "month",
            "amount",
            "payment_voucher",
            "has_invoice",
            "has_meal_card_register",
            "has_meal_detail",
        ),
        search=("month",),
        key=("month",),
        title="month",
        inline=("lines",),
        scope=OWN_DEPARTMENT,
    )

    month: Mapped[str] = field("月份", String(7), help=MONTH_HELP)
    amount: Mapped[Decimal] = field("报账金额")
    payment_voucher_id: Mapped[int | None] = mapped_column(ForeignKey("payment_vouchers.id"), index=True)
    payment_voucher: Mapped[PaymentVoucher | None] = link("支付证明单", payment_voucher_id)
    # 附件,按手册贴票顺序(第一张是支付证明单)
    has_invoice: Mapped[bool] = field("发票", default=False)
    has_meal_card_register: Mapped[bool] = field("饭卡登记表", default=False)
    has_meal_detail: Mapped[bool] = field("用餐明细表", default=False, help="养生谷用餐明细表")
    lines: Mapped[list[VisitorMealLine]] = relationship(
        back_populates="claim",
        cascade="all, delete-orphan",
        info={"label": "用餐明细"},
        order_by=VisitorMealLine.id,
    )


# ---------------------------------------------------------------- 红头文件 000 (十四)


class MonthlyStatement(Record, Base):
    __tablename__ = "monthly_statements"
    __register__ = Register(
        label="红头文件",
        group="G",
        prefix="HTWJ",
        source="000 (十四); 000 (十二)2",
        help="只为按月结收费的客人制作;彩打并盖综合办章,交客人签字确认后交财务会计结算;"
        "红头文件签了名的收入才计入收入明细表。",
        list_columns=(
            "month",
            "client",
            "client_name",
            "amount",
            "stamped",
            "client_signed",
            "signed_on",
            "handed_to_accountant",
        ),
        search=("month", "client_name"),
        key=("month", "client", "client_name"),
        title="month",
    )

    month: Mapped[str] = field("月份", String(7), help=MONTH_HELP)
    client: Mapped[str] = field("月结客户", String(10), choices=MONTHLY_CLIENTS)
    client_name: Mapped[str | None] = field("客户名称", String(100), help="合作方写明名称,如 国辉")
    amount: Mapped[Decimal] = field("金额")
    stamped: Mapped[bool] = field(
        "已盖综合办章", default=False, help="彩打并到综合办盖广东养老院有限公司综合办章"
    )
    client_signed: Mapped[bool] = field("客户已签字确认", default=False)
    signed_on: Mapped[dt.date | None] = field("签字日期")
    handed_to_accountant: Mapped[bool] = field("已交财务会计", default=False)


# ---------------------------------------------------------------- 电费度数记录 000 四


class ElectricityReading(Record, Base):
    __tablename__ = "electricity_readings"
    __table_args__ = (UniqueConstraint("room_id", "month"),)
    __register__ = Register(
        label="电费度数记录",
        group="G",
        prefix="DFDS",
        source="000 四 岗位职责分工",
        help="每月月初和月尾抄录各房间电表度数,并负责催缴和汇总电费。",
        list_columns=("month", "room", "start_reading", "end_reading"),
        search=("month", "room.number"),
        key=("room", "month"),
        title="month",
        scope=ROOM_BUILDING,
    )

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room] = link("房号", room_id)
    month: Mapped[str] = field("月份", String(7), help=MONTH_HELP)
    start_reading: Mapped[Decimal] = field("月初度数")
    end_reading: Mapped[Decimal | None] = field("月末度数", help="月尾抄表后填写")


# ---------------------------------------------------------------- 物资领用表 000 (十三)3


class StockRequisitionLine(Base):
    __tablename__ = "stock_requisition_lines"
    __register__ = Register(label="物资领用明细", group="G", kind="line")

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(
        ForeignKey("stock_requisitions.id", ondelete="CASCADE"), index=True
    )
    requisition: Mapped[StockRequisition] = relationship(back_populates="lines")
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"), index=True)
    stock_item: Mapped[StockItem] = link("物资", stock_item_id)
    qty: Mapped[Decimal] = field("数量")


class StockRequisition(Record, Base):
    __tablename__ = "stock_requisitions"
    __register__ = Register(
        label="物资领用表",
        group="G",
        prefix="WZLY",
        source="000 (十三)3",
        help="领用公司物品,需填写物资领用表,填写完交给仓管员。",
        list_columns=("requested_on", "requester", "department", "purpose", "handed_to_storekeeper"),
        search=("purpose", "requester.name"),
        key=("requested_on", "requester"),
        title="purpose",
        inline=("lines",),
        scope=OWN_DEPARTMENT,
    )

    requested_on: Mapped[dt.date] = field("领用日期", default=today)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    requester: Mapped[User] = link("领用人", requester_id)
    purpose: Mapped[str | None] = field("用途", String(200))
    handed_to_storekeeper: Mapped[bool] = field("已交仓管员", default=False)
    lines: Mapped[list[StockRequisitionLine]] = relationship(
        back_populates="requisition",
        cascade="all, delete-orphan",
        info={"label": "明细"},
        order_by=StockRequisitionLine.id,
    )


# ---------------------------------------------------------------- 赠品物资登记 001 百货


class GiftStockEntry(Record, Base):
    __tablename__ = "gift_stock_entries"
    __register__ = Register(
        label="赠品物资登记",
        group="G",
        prefix="ZPWZ",
        source="001 百货客服 营业中 8",
        help="存放的赠品物资应妥善保管,登记造册,件件入账,账账相符;如有丢失,查清责任,予以赔偿。",
        list_columns=("entry_date", "gift_name", "direction", "qty", "unit", "recipient", "handled_by"),
        search=("gift_name", "recipient"),
        key=("entry_date", "gift_name", "direction"),
        title="gift_name",
    )

    entry_date: Mapped[dt.date] = field("日期", default=today)
    gift_name: Mapped[str] = field("赠品名称", String(100))
    direction: Mapped[str] = field("出入库", String(4), choices=DIRECTIONS)
    qty: Mapped[int] = field("数量")
    unit: Mapped[str | None] = field("单位", String(10))
    recipient: Mapped[str | None] = field("领取人/去向", String(100), help="出库时写明赠品发给谁")
    handled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    handled_by: Mapped[User] = link("经手人", handled_by_id)
