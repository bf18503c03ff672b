"""Reference data IT seeds and keeps: departments, roles, users, permissions, rooms, fees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from admin_app.clock import now
from models.base import Base, Register, Scope, field, link, register_names

#: What a role may do with a register; the permission matrix's columns.
ACTIONS: dict[str, str] = {
    "view": "查看",
    "create": "新建",
    "edit": "编辑",
    "delete": "删除",
    "export": "导出",
}
#: A grant beside the actions (row scope): sees and changes every department's (and building's) rows of a
#: register declared with a ``Scope``, not only those of the user's own.
ALL_ROWS = "all"
#: Everything a permission row may grant; the matrix file and the grid name them by these labels.
GRANTS: dict[str, str] = {**ACTIONS, ALL_ROWS: "全部门"}


class Department(Base):
    __tablename__ = "departments"
    __register__ = Register(
        label="部门", group="R", kind="reference", key=("name",), title="name",
        public_lookup=True, source="000 四; 001 第一节; 003",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = field("部门名称", String(50), unique=True)
    organisation: Mapped[str | None] = field("所属机构", String(50),
                                             help="手册所属单位,如 岭南养生谷、恋日花都物业、月子中心")
    description: Mapped[str | None] = field("职责", Text)


user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)

user_buildings = Table(
    "user_buildings",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("building_id", ForeignKey("buildings.id", ondelete="CASCADE"), primary_key=True),
)


class Role(Base):
    """A position of the handbooks' signature hierarchy."""

    __tablename__ = "roles"
    __register__ = Register(
        label="角色(岗位)", group="S", kind="reference", key=("name",), title="name",
        public_lookup=True, source="REGISTERS.md 谁签字",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = field("角色名称", String(30), unique=True)
    code: Mapped[str] = field("代号", String(30), unique=True, help="英文代号,用于演示账号与程序")
    aliases: Mapped[str | None] = field("别称", String(200),
                                        help="手册中的其他叫法,用顿号分隔,如 客服前台助理、客服专员")
    description: Mapped[str | None] = field("说明", Text)

    permissions: Mapped[list[Permission]] = relationship(
        back_populates="role", cascade="all, delete-orphan", info={"label": "权限"}
    )


class User(UserMixin, Base):
    __tablename__ = "users"
    __register__ = Register(
        label="用户", group="S", kind="reference", key=("username",), title="name",
        public_lookup=True, list_columns=("username", "name", "department", "roles", "phone", "active"),
        search=("username", "name", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = field("登录名", String(50), unique=True)
    name: Mapped[str] = field("姓名", String(50))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    department: Mapped[Department | None] = link("部门", department_id)
    # Loaded when read (the signed-in user's with the session, list pages' in one query each), not with
    # every user a record links to.
    roles: Mapped[list[Role]] = relationship(secondary=user_roles, info={"label": "角色"})
    buildings: Mapped[list[Building]] = relationship(
        secondary=user_buildings, order_by="Building.name",
        info={"label": "负责楼栋", "help": "只看这些楼栋的房间、报修、投诉等记录;不选表示不按楼栋限制"})
    position: Mapped[str | None] = field("职位", String(50))
    phone: Mapped[str | None] = field("联系电话", String(30))
    active: Mapped[bool] = field("启用", default=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="", info={"label": "密码"})
    created_at: Mapped[dt.datetime] = field("创建时间", default=now, auto=True)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_names(self) -> list[str]:
        return [r.name for r in self.roles]


class Permission(Base):
    """One cell of the matrix: a role may do an action on a register."""

    __tablename__ = "permissions"
    __table_args__ = (UniqueConstraint("role_id", "resource", "action"),)
    __register__ = Register(label="权限", group="S", kind="reference",
                            list_columns=("role", "resource", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = relationship(back_populates="permissions", info={"label": "角色"})
    resource: Mapped[str] = field("登记表", String(60), help="模型名,如 KeyLoan", names=register_names)
    action: Mapped[str] = field("动作", String(10), choices=list(GRANTS), names=GRANTS)


class Building(Base):
    __tablename__ = "buildings"
    __register__ = Register(label="楼栋", group="R", kind="reference", key=("name",), title="name",
                            public_lookup=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = field("楼栋", String(50), unique=True)
    site: Mapped[str | None] = field("项目/园区", String(50))
    floors: Mapped[int | None] = field("层数")


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("building_id", "number"),)
    __register__ = Register(
        label="房间", group="R", kind="reference", key=("building", "number"), title="label",
        public_lookup=True, source="000 (一)1",
        list_columns=("building", "number", "floor", "room_type", "area", "status"),
        search=("number",), scope=Scope(building="building"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    building: Mapped[Building] = link("楼栋", building_id)
    number: Mapped[str] = field("房号", String(20))
    floor: Mapped[int] = field("楼层")
    room_type: Mapped[str] = field("房型", String(20), choices=["单人间", "双人间", "套房", "月子房",
                                                              "住宅", "商铺", "办公"])
    area: Mapped[Decimal | None] = field("面积(㎡)")
    status: Mapped[str] = field("状态", String(10), choices=["空置", "入住", "保留", "维修"],
                                default="空置")

    @property
    def label(self) -> str:
        return f"{self.building.name}-{self.number}" if self.building else self.number


class FeeStandard(Base):
    """Fees the handbooks state; the rules that use them read them from here."""

    __tablename__ = "fee_standards"
    __register__ = Register(
        label="收费标准", group="R", kind="reference", key=("code",), title="name",
        public_lookup=True, list_columns=("code", "name", "amount", "unit", "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = field("代号", String(40), unique=True)
    name: Mapped[str] = field("项目", String(100))
    amount: Mapped[Decimal] = field("标准", Numeric(12, 4), help="金额(元)或比例(如 0.8 表示八折)")
    unit: Mapped[str] = field("单位", String(30))
    rule: Mapped[str | None] = field("规则", Text)
    source: Mapped[str | None] = field("手册出处", String(100))


class RepairPrice(Base):
    __tablename__ = "repair_prices"
    __register__ = Register(
        label="有偿维修收费标准", group="R", kind="reference", key=("item",), title="item",
        public_lookup=True, source="001 4.2.2", list_columns=("category", "item", "unit", "price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str | None] = field("类别", String(30))
    item: Mapped[str] = field("维修项目", String(100), unique=True)
    unit: Mapped[str] = field("单位", String(20))
    price: Mapped[Decimal] = field("收费(元)")

    def __str__(self) -> str:
        return f"{self.item}({self.price}元/{self.unit})"


class ChecklistItem(Base):
    """One line of a checklist the handbooks give; registers tick them (see ``checklist()``)."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("checklist", "label"),)
    __register__ = Register(
        label="清单项目", group="R", kind="reference", key=("checklist", "label"), title="label",
        public_lookup=True, list_columns=("checklist", "position", "label", "source"),
        search=("checklist", "label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist: Mapped[str] = field("清单", String(50), help="如 长者入住资料、客户档案内容")
    position: Mapped[int] = field("顺序", default=0)
    label: Mapped[str] = field("项目", String(100))
    source: Mapped[str | None] = field("手册出处", String(100))


class FormCode(Base):
    """The numbered forms of the handbooks (001 七: XST-HD-KF-0xx)."""

    __tablename__ = "form_codes"
    __register__ = Register(label="表单编号", group="S", kind="reference", key=("code",),
                            title="code", source="001 七 相关表格")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = field("表单编号", String(30), unique=True)
    name: Mapped[str] = field("表单名称", String(100))
    source: Mapped[str | None] = field("手册出处", String(100))
