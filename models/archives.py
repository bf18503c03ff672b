"""F. Archives (REGISTERS.md §F).

One household, one file (000 (五)2: 一户一档). The list of :class:`CustomerArchive` *is* the
《入住客户管理台账》: the handbook asks for one ledger line per household file with its archive
number, which is exactly one row per file, so the ledger is this register's list page, not a
second table that would retype every file. 《客户档案资料明细表》 (monthly: last month's archived
documents) is a report over these files, not a table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from admin_app.clock import today
from admin_app.numbering import archive_number, is_archive_number_of, next_number
from admin_app.rules.callbacks import departure_callback_due
from models.base import ROOM_BUILDING, Base, Record, Register, Scope, checklist, field, link, linked_id
from models.reference import ChecklistItem, Department, Room, User

VIP = "VIP"
GUEST_KINDS = ["团队", "散客", VIP]

#: Counter of 002's archive numbers (团队、散客), per day of stay, in ``number_sequences``.
ARCHIVE_SEQUENCE = "客人档案编号"

#: Name of the seeded checklist of 000 (五)1 (seed/data/11_checklists_archives.yaml).
ARCHIVE_CONTENTS = "客户档案资料"


class CustomerArchive(Record, Base):
    __tablename__ = "customer_archives"
    __register__ = Register(
        label="客户档案",
        group="F",
        prefix="KHDA",
        source="000 (五); 001 4.1.5, 1.3.10; 002 2.1.2.8",
        help="客户档案分户建立、保存(一户一档),本表列表即《入住客户管理台账》;每月将上月客户档案存档并填写"
             "《客户档案资料明细表》;档案锁放在指定档案柜中,存放地点保持清洁。",
        list_columns=("archive_no", "household", "room", "phone", "cabinet", "opened_on", "moved_out_on"),
        search=("archive_no", "household", "phone", "cabinet"),
        key=("archive_no",),
        title="archive_no",
        scope=ROOM_BUILDING,
    )

    archive_no: Mapped[str] = field("档案编号", String(30), unique=True)
    household: Mapped[str] = field("户主/业主", String(50), help="一户一档:以户为单位建档")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    phone: Mapped[str | None] = field("联系电话", String(30))
    cabinet: Mapped[str | None] = field(
        "存放位置", String(50), help="档案柜及柜位,如 1号档案柜-第2层;档案应锁放在指定档案柜中"
    )
    opened_on: Mapped[dt.date] = field("建档日期", default=today)
    moved_out_on: Mapped[dt.date | None] = field(
        "迁出日期", help="客户迁出后填写;《入住客户管理台账》只列未迁出的户"
    )
    documents: Mapped[list[ChecklistItem]] = checklist(
        "档案资料",
        items=ARCHIVE_CONTENTS,
        owner="customer_archives",
        table="customer_archive_documents",
        help="已收集归档的资料(000 (五)1);投诉处理表、维修单等归档后在此勾选",
    )

    def __str__(self) -> str:
        return f"{self.archive_no} {self.household}" if self.archive_no else super().__str__()


class GuestProfile(Record, Base):
    __tablename__ = "guest_profiles"
    __register__ = Register(
        label="客人基本情况一览表",
        group="F",
        prefix="KRQK",
        source="002 篇1 客户服务中心工作职责",
        help="由专人负责团队、散客、VIP客人的档案收集,每日即时录入。团队、散客以入住当日日期加当日序号为档案编号"
             "(如 2004年2月14日入住的第一位客人为 040214001),保存时自动编号;VIP客人以卡号为档案编号。",
        list_columns=("archive_no", "guest_name", "kind", "team_name", "room", "stay_on", "left_on", "phone"),
        search=("archive_no", "card_no", "guest_name", "team_name", "phone"),
        key=("guest_name", "stay_on"),
        title="guest_name",
        scope=ROOM_BUILDING,
    )

    archive_no: Mapped[str] = field(
        "档案编号", String(20), unique=True, auto=True,
        help="保存时自动编号。团队、散客:入住日期(年月日各两位)+当日三位序号,如 040214001;VIP:会员卡号",
    )
    guest_name: Mapped[str] = field("客人姓名", String(50))
    kind: Mapped[str] = field("类别", String(10), choices=GUEST_KINDS)
    card_no: Mapped[str | None] = field("会员卡号", String(20), help="VIP客人必填,即其档案编号")
    team_name: Mapped[str | None] = field("团队名称", String(100), help="团队客人填写")
    phone: Mapped[str | None] = field("联系电话", String(30), help="离店次日回访用")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    room: Mapped[Room | None] = link("房号", room_id)
    stay_on: Mapped[dt.date] = field("入住日期", default=today, help="每日即时录入当天入住的客人")
    left_on: Mapped[dt.date | None] = field("离店日期", help="客人离店第二日进行回访")

    def problems(self) -> dict[str, str]:
        if self.kind == VIP and not (self.card_no or "").strip():
            return {"card_no": "VIP客人以会员卡号为档案编号,请填写会员卡号"}
        return {}

    def before_save(self, session: Session) -> None:
        self.assign_archive_number(session)
        self.plan_departure_callback(session)

    def assign_archive_number(self, session: Session) -> None:
        if self.kind == VIP and self.card_no:
            self.archive_no = self.card_no.strip()
            return
        day = self.stay_on = self.stay_on or today()
        if not is_archive_number_of(self.archive_no, day):  # new, no longer VIP, or stay day corrected
            self.archive_no = archive_number(day, next_number(session, ARCHIVE_SEQUENCE, day))

    def plan_departure_callback(self, session: Session) -> None:
        """A departed guest is called back the next day (002 回访要求): plan it when 离店日期 is set."""
        state = inspect(self)
        if state.persistent and not state.attrs.left_on.history.has_changes():
            return
        from models.complaints import DEPARTURE_CALLBACK, plan_customer_callback  # complaints imports us

        due = departure_callback_due(self.left_on) if self.left_on else None
        plan_customer_callback(session, DEPARTURE_CALLBACK, "guest", self, due, visitee=self.guest_name,
                               phone=self.phone, room_id=linked_id(self, "room"),
                               department_id=linked_id(self, "department"),
                               recorded_by_id=linked_id(self, "recorded_by"))

    def __str__(self) -> str:
        return f"{self.archive_no} {self.guest_name}" if self.archive_no else super().__str__()


class ArchiveRead(Record, Base):
    __tablename__ = "archive_reads"
    __register__ = Register(
        label="档案查阅登记表",
        group="F",
        code="XST-HD-KF-025",
        source="001 七.28, 1.3.10",
        help="查阅客户档案须登记查阅人、所查档案、事由和时间;查阅完毕收回档案后登记归还时间。",
        list_columns=("archive", "reader", "reader_department", "purpose", "read_at", "returned_at",
                      "handled_by"),
        search=("reader", "purpose", "archive.archive_no", "archive.household"),
        key=("archive", "read_at"),
        title="reader",
        scope=Scope(building="archive.room.building"),
    )

    archive_id: Mapped[int] = mapped_column(ForeignKey("customer_archives.id"), index=True)
    archive: Mapped[CustomerArchive] = link("客户档案", archive_id)
    reader: Mapped[str] = field("查阅人", String(50))
    reader_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    reader_department: Mapped[Department | None] = link("查阅人部门", reader_department_id,
                                                       help="业主本人查阅时不选")
    purpose: Mapped[str] = field("查阅事由", String(200))
    content: Mapped[str | None] = field("查阅内容", String(200), help="所查阅的资料,如 装修资料、缴费通知单")
    read_at: Mapped[dt.datetime] = field("查阅时间", index=True)
    returned_at: Mapped[dt.datetime | None] = field("归还时间")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    handled_by: Mapped[User | None] = link("经办人", handled_by_id, help="调出并收回档案的档案管理员")


class ArchiveLoan(Record, Base):
    __tablename__ = "archive_loans"
    __register__ = Register(
        label="借阅文件登记卡",
        group="F",
        code="XST-HD-KF-026",
        source="001 七.29, 1.3.10",
        help="借出客户档案中的文件须登记借阅人、文件及应还日期;归还时清点文件,登记归还时间。",
        list_columns=("archive", "documents", "borrower", "borrower_department", "borrowed_at",
                      "due_back_on", "returned_at"),
        search=("borrower", "documents", "purpose", "archive.archive_no", "archive.household"),
        key=("archive", "borrowed_at"),
        title="borrower",
        scope=Scope(building="archive.room.building"),
    )

    archive_id: Mapped[int] = mapped_column(ForeignKey("customer_archives.id"), index=True)
    archive: Mapped[CustomerArchive] = link("客户档案", archive_id)
    documents: Mapped[str] = field("借阅文件", String(200), help="文件名称及份数")
    borrower: Mapped[str] = field("借阅人", String(50))
    borrower_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    borrower_department: Mapped[Department | None] = link("借阅人部门", borrower_department_id)
    purpose: Mapped[str | None] = field("借阅事由", String(200))
    borrowed_at: Mapped[dt.datetime] = field("借出时间", index=True)
    due_back_on: Mapped[dt.date | None] = field("应还日期")
    returned_at: Mapped[dt.datetime | None] = field("归还时间")
    return_note: Mapped[str | None] = field("归还情况", Text, help="归还时清点:文件是否齐全、完好")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    handled_by: Mapped[User | None] = link("经办人", handled_by_id)
