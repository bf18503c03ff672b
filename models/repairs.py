"""C. Repairs (REGISTERS.md §C).

有偿维修收费标准 is reference data: :class:`models.reference.RepairPrice`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import ROOM_BUILDING, Base, Deadline, Record, Register, Scope, field, link
from models.front_desk import CallRecord
from models.reference import RepairPrice, Room, User

CALLBACK_METHODS = ["电话", "上门", "短信/微信"]
SATISFACTION = ["非常满意", "满意", "基本满意", "不满意"]


class RepairOrder(Record, Base):
    __tablename__ = "repair_orders"
    __register__ = Register(
        label="客服报修记录",
        group="C",
        code="XST-HD-KF-011",
        source="000 (二); 001 4.2, 七.11",
        help="即《维修安排单》《服务记录表》:接报后5分钟内填写并通知工程部人员领单;"
             "有偿项目先按收费标准说明费用;维修完毕派人到现场确认。",
        list_columns=("called_at", "resident", "room", "content", "dispatched_at", "engineer",
                      "appointment_at", "done_at"),
        search=("resident", "phone", "address", "content"),
        large=True,
        key=("called_at", "resident"),
        independent_rows=True,
        title="resident",
        # 001 4.2.3《服务记录表》一式三份 (000 (二)2 has the 维修安排单 in two; the form code is 001's).
        copies=("存根联", "客户联", "工程联"),
        deadlines=(Deadline("接报5分钟内通知工程部", start="called_at", done="dispatched_at",
                            offset=dt.timedelta(minutes=5), warn=dt.timedelta(minutes=2)),),
        scope=ROOM_BUILDING,
    )

    call_record_id: Mapped[int | None] = mapped_column(ForeignKey("call_records.id"), index=True)
    call_record: Mapped[CallRecord | None] = link(
        "来电记录", call_record_id, help="报修先记入《来电、来访咨询记录》,由该记录转来时选择"
    )
    called_at: Mapped[dt.datetime] = field("报修时间", index=True)
    resident: Mapped[str] = field("住户(业主)名称", String(50))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    address: Mapped[str | None] = field("地址", String(200), help="没有房号时填写地址")
    phone: Mapped[str] = field("联系电话", String(30))
    content: Mapped[str] = field("报修内容", Text)
    appointment_at: Mapped[dt.datetime | None] = field(
        "预约维修时间", help="工程人员不能及时到场时,请住户稍等并预约维修时间"
    )
    repair_price_id: Mapped[int | None] = mapped_column(ForeignKey("repair_prices.id"), index=True)
    repair_price: Mapped[RepairPrice | None] = link(
        "有偿维修项目", repair_price_id, help="属《有偿维修收费标准》中的项目时选择;免费维修不选"
    )
    quoted_fee: Mapped[Decimal | None] = field(
        "收费(元)", help="先初步确认并向住户说明费用;无法确认的待维修人员到现场确认"
    )
    dispatched_at: Mapped[dt.datetime | None] = field(
        "通知工程部时间", help="接报后5分钟内通知工程部人员前来领单"
    )
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    engineer: Mapped[User | None] = link("维修人员", engineer_id)
    done_at: Mapped[dt.datetime | None] = field("维修完成时间")
    result: Mapped[str | None] = field("维修情况", Text, help="维修内容、更换材料;未修复的写明原因,每日跟踪")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    confirmed_by: Mapped[User | None] = link(
        "现场确认人", confirmed_by_id, help="维修完毕后,客服及时派人到现场确认"
    )

    def __str__(self) -> str:
        when = f"{self.called_at:%Y-%m-%d %H:%M} " if self.called_at else ""
        return f"{when}{self.resident or ''}"


class RepairCallback(Record, Base):
    __tablename__ = "repair_callbacks"
    __register__ = Register(
        label="报修回访记录",
        group="C",
        code="XST-HD-KF-009",
        source="001 七.12; 001 1.1",
        help="OTE:业主一次报修足够,不允许出现第二次报修;维修后回访,不满意的记录意见并每日跟踪至解决。",
        list_columns=("repair_order", "callback_date", "method", "satisfaction", "opinion", "called_back_by"),
        search=("opinion", "repair_order.resident"),
        key=("repair_order", "callback_date"),
        scope=Scope(building="repair_order.room.building"),
    )

    repair_order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    repair_order: Mapped[RepairOrder] = link("报修记录", repair_order_id)
    callback_date: Mapped[dt.date] = field("回访日期")
    method: Mapped[str] = field("回访方式", String(10), choices=CALLBACK_METHODS, default="电话")
    satisfaction: Mapped[str] = field("满意度", String(10), choices=SATISFACTION)
    opinion: Mapped[str | None] = field("住户意见", Text)
    called_back_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    called_back_by: Mapped[User] = link("回访人", called_back_by_id)
