"""The declarative base every register and reference table builds on.

A register is one SQLAlchemy model plus its ``__register__`` declaration. Field
labels, help texts and handbook choices live in each column's ``info`` (use
:func:`field`), so the generic view machine, the seed loader and the
``registers`` command read one source of truth.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    relationship,
)

from admin_app.clock import now
from models.search import SEARCH_COLUMN, row_search_text

if TYPE_CHECKING:
    from models.reference import Department, User

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Catalogue sections of ../shared/handbook/REGISTERS.md, plus the product's own.
GROUPS: dict[str, str] = {
    "A": "前台与咨询",
    "B": "居住办理",
    "C": "报修",
    "D": "投诉与回访",
    "E": "钥匙与卡证",
    "F": "档案",
    "G": "采购、财务与仓库",
    "H": "人事与考勤",
    "I": "巡查、装修与突发事件",
    "J": "月子中心客户",
    "R": "基础资料",
    "S": "系统管理",
}

#: Money is Decimal in Python and NUMERIC(12, 2) in the database, never float.
Money = Numeric(12, 2)


@dataclass(frozen=True)
class Trail:
    """A register whose records are changes that a log must keep (换房 → 异动表).

    ``models/trail.py`` writes the log row in the same flush as the record. The log
    model (``log``) has ``kind``, ``summary``, ``effective_at`` and ``source`` columns
    and a link named like ``subject``.
    """

    log: str
    """Model name of the change log, e.g. ``ResidenceChange``."""
    kind: str
    """What the change is, in the handbook's words: 换房, 续签, 入住, 退房."""
    subject: str
    """Link naming who changed (e.g. ``resident``); the log row links the same row."""
    fields: Sequence[str]
    """Attributes summarised in the log row, e.g. ``("from_room", "to_room")``."""
    when: str = "recorded_at"
    """Attribute giving when the change takes effect."""


@dataclass(frozen=True)
class Deadline:
    """A time limit the handbook sets on every record of a register (5-minute dispatch, same-day return).

    The clock starts at ``start`` and the matter is done once ``done`` has a value (a time, a date,
    or any value: then the save that first fills it is when it was done). ``models/deadlines.py``
    keeps one 办理时限 row per record and deadline, which lists, filters and the 日清日审 board read.
    """

    label: str
    """What must happen by when, in the handbook's words: 接报5分钟内通知工程部."""
    start: str
    """Attribute (``link.attribute`` allowed) giving when the clock starts."""
    done: str
    """Attribute whose value means the matter is done."""
    offset: dt.timedelta = dt.timedelta(0)
    """Due this long after ``start`` (negative: before it, as in 提前1周申请)."""
    months: int = 0
    """Calendar months added to ``start`` before ``offset`` (次月4号前 = 1 month + 3 days from the 1st)."""
    day_end: bool = False
    """Due at the end of that day (当日归还, 当天调查) rather than at the exact time."""
    warn: dt.timedelta = dt.timedelta(0)
    """How long before the due time an open matter shows as 即将到期."""
    owner: str = "recorded_by"
    """Link to the user who owns the matter until it is done (首问责任人)."""


@dataclass(frozen=True)
class Duty:
    """A register the handbook wants filled every period (每周查验钥匙, 每月4号前交排班表).

    The duty of a period is met when a record's ``date`` falls in the period ``lag`` periods back
    (and its ``where`` column holds the given value); it is due at the end of the period's
    ``due_day``-th day, or at the period's end without one.
    """

    label: str
    every: str
    """``week`` (Monday to Sunday), ``month`` or ``quarter``."""
    date: str
    """Date column of the record that meets the duty."""
    due_day: int | None = None
    lag: int = 0
    where: tuple[str, str] | None = None


@dataclass(frozen=True)
class Scope:
    """Whose rows these are (row scope, issue 6.4): a register's rows are seen and changed only by the
    staff of the department or building they belong to, by whoever recorded them, by an approver the
    chain names, and by roles the matrix grants 全部门 on the register. ``admin_app/scope.py`` applies it.

    Paths follow links from the record: ``department`` (the recording department), ``employee.department``
    (the applicant's), ``room.building``. Both set: a row must be in the user's department and buildings.
    """

    department: str = ""
    """Link path to the Department a row belongs to; a user sees the rows of their own department."""
    building: str = ""
    """Link path to the Building a row belongs to. Users assigned buildings (用户 → 负责楼栋) see only rows of
    those buildings and rows of no building; users assigned none are not limited by building."""
    follows: tuple[str, str] = ()
    """(register column, record id column): a row is seen with the record it points to (办理时限)."""


#: Rows belong to the department that recorded them.
OWN_DEPARTMENT = Scope(department="department")
#: Rows belong to the building of their room.
ROOM_BUILDING = Scope(building="room.building")


@dataclass(frozen=True)
class Register:
    """What the handbook says about one register (or reference table)."""

    label: str
    """The handbook's name of the form, e.g. 钥匙借用记录表."""
    group: str
    """Catalogue section letter, a key of :data:`GROUPS`."""
    source: str = ""
    """Handbook file and section, e.g. ``000 (四)2; 001 七.8``."""
    code: str = ""
    """Form code where the handbook gives one, e.g. XST-HD-KF-006."""
    prefix: str = ""
    """Document-number prefix of a register the handbook gives no form code, e.g. CGD (采购单):
    pinyin initials of its name. Records are numbered ``<code or prefix>-<YYYYMMDD>-<NNN>``."""
    kind: str = "register"
    """``register`` (a handbook register), ``reference`` (reference data) or ``line``
    (line items of a register, edited inline in its parent's form, no view of their own)."""
    list_columns: Sequence[str] = ()
    """Columns of the list page; empty means the first fields of the form."""
    search: Sequence[str] = ()
    """Searchable columns (``relation.column`` allowed); empty means the text columns listed."""
    filters: Sequence[str] = ()
    """Filterable columns; empty means every choice, date, flag and department column."""
    key: Sequence[str] = ()
    """Natural key: the columns a seed or import file names a row by."""
    title: str = ""
    """Column that names a row in pickers and lists of other registers."""
    public_lookup: bool = False
    """Every signed-in user may pick rows of this table in a form (staff, rooms…)."""
    help: str = ""
    """One line shown above the list: what the register is for, its handbook rule."""
    inline: Sequence[str] = ()
    """One-to-many relationships whose rows are edited inside this form (line items)."""
    readonly: bool = False
    """Written by the application only (e.g. 异动表): nobody creates, edits or deletes by hand."""
    trail: Trail | None = None
    """Every record of this register also writes a row to a change log (see :class:`Trail`)."""
    deadlines: Sequence[Deadline] = ()
    """The handbook's time limits on each record (see :class:`Deadline`)."""
    duties: Sequence[Duty] = ()
    """Records the handbook wants every week, month or quarter (see :class:`Duty`)."""
    scope: Scope | None = None
    """Who sees which rows (see :class:`Scope`); ``None``: everyone who may view the register sees all."""
    copies: Sequence[str] = ()
    """The copies the handbook prints of one record (一式三份: 存根联, 客户联, 工程联), each marked on its own
    printed page; empty means one unmarked page."""
    large: bool = False
    """Grows to hundreds of thousands of rows (call log, repair orders, key loans): its search is
    index-backed (:mod:`models.search`) and so must declare ``search``. A linked row's column in it
    (``key.label``) is copied when the record is saved."""
    independent_rows: bool = False
    """No record's checks (``problems``) or save hooks (``before_save``) read other records of this
    register, so a seed or import file may write its rows in batches, one flush each
    (:func:`seed.loader.apply_rows`); otherwise every row is flushed before the next is checked."""

    @property
    def group_label(self) -> str:
        return GROUPS[self.group]


def field(
    label: str,
    *args: Any,
    help: str = "",
    choices: Sequence[str] | None = None,
    auto: bool = False,
    names: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    **kwargs: Any,
) -> Any:
    """A column with its Chinese label, optional help text and handbook choices.

    ``choices`` makes the column a closed list: the form offers a drop-down and
    the database refuses anything else (a CHECK constraint). ``auto`` columns are
    filled by the application: shown on details pages, never taken from a form.
    ``names`` (or a function giving them, read when shown) are the Chinese names
    of codes the column stores, such as a register's model name: pages show the
    name, exports and imports keep the code.
    """
    info: dict[str, Any] = {"label": label}
    if names:
        info["names"] = names
    if auto:
        info["auto"] = True
    if help:
        info["help"] = help
    if choices:
        info["choices"] = tuple(choices)
    return mapped_column(*args, info=info, **kwargs)


def link(label: str, foreign_key: Any, *, help: str = "", **kwargs: Any) -> Any:
    """The relationship side of a link to another table, labelled for forms and lists.

    The target comes from the ``Mapped[...]`` annotation; declare the foreign-key
    column just above it::

        key_id: Mapped[int] = mapped_column(ForeignKey("keys.id"), index=True)
        key: Mapped[Key] = link("钥匙", key_id)
    """
    info = {"label": label, "help": help} if help else {"label": label}
    return relationship(foreign_keys=[foreign_key], info=info, lazy="joined", **kwargs)


def linked_id(obj: Any, relation: str) -> int | None:
    """The id ``obj`` links through ``relation``, whether a form set the related object or only its id
    (before the flush the other is not filled in yet)."""
    added = inspect(obj).attrs[relation].history.added
    if added:  # the object was set since the last flush: its id column is not synced yet
        return added[0].id if added[0] is not None else None
    fk = getattr(obj, f"{relation}_id")
    if fk is not None:
        return fk
    target = getattr(obj, relation)
    return target.id if target is not None else None


_declaration_counter = itertools.count()


def checklist(label: str, *, items: str, owner: str, table: str, help: str = "") -> Any:
    """Ticks of a seeded checklist (the ``ChecklistItem`` rows named ``items``).

    The handbook's checklists (admission documents, archive contents …) are data IT
    seeds; the form shows them as check boxes. ``owner`` is this register's table,
    ``table`` a new association table's name::

        documents: Mapped[list[ChecklistItem]] = checklist(
            "入住资料", items="长者入住资料", owner="resident_admissions",
            table="resident_admission_documents")
    """
    ticks = Table(
        table,
        Base.metadata,
        Column("record_id", ForeignKey(f"{owner}.id", ondelete="CASCADE"), primary_key=True),
        Column("item_id", ForeignKey("checklist_items.id", ondelete="CASCADE"), primary_key=True),
    )
    info = {"label": label, "checklist": items}
    if help:
        info["help"] = help
    return relationship("ChecklistItem", secondary=ticks, order_by="ChecklistItem.position",
                        lazy="selectin", info=info)


def _add_version_columns(cls: type) -> None:
    """Every declared model counts its saves (``version``, SQLAlchemy's ``version_id_col``) and notes who
    made the current version and when: an UPDATE of a row someone changed since it was read matches no
    row and raises ``StaleDataError``; forms carry the version they opened (``views/versions.py``)."""
    cls.version = mapped_column(Integer, nullable=False, server_default=text("1"), info={"label": "版本"})
    cls.version_at = mapped_column(DateTime, info={"label": "最后保存时间"})
    cls.version_by = mapped_column(String(50), info={"label": "最后保存人"})
    cls.__mapper_args__ = {"version_id_col": cls.version, **cls.__dict__.get("__mapper_args__", {})}


def _add_search_column(cls: type) -> None:
    """A large register's searchable text, trigram-indexed (:mod:`models.search`)."""
    if not cls.__register__.search:
        raise TypeError(f"{cls.__name__}: a large register names its searched columns in search=(…)")
    setattr(cls, SEARCH_COLUMN, mapped_column(Text, nullable=False, default="", server_default="",
                                              info={"label": "检索文字"}))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        str: String(200),
        Decimal: Money,
        dt.datetime: DateTime(),
        dt.date: Date(),
    }

    __register__: ClassVar[Register]
    _declaration_order: ClassVar[int]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "__register__" in cls.__dict__ and cls.__dict__.get("__versioned__", True):
            _add_version_columns(cls)
        if "__register__" in cls.__dict__ and cls.__register__.large:
            _add_search_column(cls)
        super().__init_subclass__(**kwargs)
        cls._declaration_order = next(_declaration_counter)
        table = cls.__dict__.get("__table__")
        if table is None:
            return
        for column in table.columns:
            choices = column.info.get("choices")
            if choices:
                table.append_constraint(
                    CheckConstraint(column.in_(choices), name=f"{column.name}_choice")
                )

    def problems(self) -> dict[str, str]:
        """What the handbook refuses in this record: field name → Chinese message.

        The generic view calls it before saving and shows each message at its field;
        an empty dict lets the record be saved. Rules live in ``admin_app/rules``.
        """
        return {}

    def before_save(self, session: Session) -> None:
        """Fill what the handbook computes (fees, states, schedules) before the record is
        written; runs in the flush of every save, from a form, the seed or a command."""

    def before_delete(self, session: Session) -> None:
        """Undo what this record's saves set on other records (a lent key goes back to the cabinet);
        runs in the flush that deletes it."""

    def __str__(self) -> str:
        reg = getattr(type(self), "__register__", None)
        if reg and reg.title:
            value = getattr(self, reg.title, None)
            if value is not None:
                return str(value)
        return f"{reg.label if reg else type(self).__name__} #{getattr(self, 'id', '')}"


class Record:
    """Columns every register shares: its number, who recorded it, when, for which department, remarks."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = field("单据编号", String(40), auto=True, unique=True,
                                help="保存时自动编号:表单编号-登记日期-当日序号,不可手填")
    recorded_at: Mapped[dt.datetime] = field("登记时间", default=now, index=True)
    remarks: Mapped[str | None] = field("备注", Text)

    @declared_attr
    def recorded_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"), info={"label": "登记人"})

    @declared_attr
    def recorded_by(cls) -> Mapped[User | None]:
        return relationship("User", foreign_keys=[cls.recorded_by_id], info={"label": "登记人"},
                            lazy="joined")

    @declared_attr
    def department_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("departments.id"), index=True, info={"label": "部门"})

    @declared_attr
    def department(cls) -> Mapped[Department | None]:
        return relationship("Department", foreign_keys=[cls.department_id], info={"label": "部门"},
                            lazy="joined")


#: Columns the machine fills in itself; never taken from a submitted form.
AUTO_COLUMNS = frozenset({"id", "number", "recorded_at", "recorded_by", "recorded_by_id", "department_id",
                          "department"})
#: Every declared model's save counter and who saved last, when (:func:`_add_version_columns`).
VERSION_COLUMNS = frozenset({"version", "version_at", "version_by"})


def search_columns(model: type[Base], default: Sequence[str] = ()) -> list[str]:
    """The columns a search looks in: the document number first, then the declared ones (``default``
    where the declaration names none)."""
    numbered = ["number"] if issubclass(model, Record) else []
    return [*numbered, *(n for n in model.__register__.search or default if n not in numbered)]


def refresh_search_text(obj: Base) -> None:
    """A large register's ``search_text`` from its searchable columns as they are now."""
    decl = getattr(type(obj), "__register__", None)
    if decl is not None and decl.large:
        setattr(obj, SEARCH_COLUMN, row_search_text(obj, search_columns(type(obj))))


#: The declared models in catalogue order, with the number of mappers they were read from: a model
#: declared later (only ever added) makes the next call read them again.
_declared: tuple[int, list[type[Base]], dict[str, type[Base]]] = (-1, [], {})


def _declared_now() -> tuple[int, list[type[Base]], dict[str, type[Base]]]:
    global _declared
    mappers = Base.registry.mappers
    if _declared[0] != len(mappers):  # every page's menu asks for them a few hundred times
        classes = [m.class_ for m in mappers if "__register__" in m.class_.__dict__]
        order = list(GROUPS)
        classes.sort(key=lambda c: (order.index(c.__register__.group), c.__register__.kind != "register",
                                    c._declaration_order))
        _declared = (len(mappers), classes, {c.__name__: c for c in classes})
    return _declared


def declared_models() -> Iterator[type[Base]]:
    """Every mapped class that carries a declaration, in catalogue order."""
    yield from _declared_now()[1]


def declared_model(name: str | None) -> type[Base] | None:
    """The declared model of this class name, if any."""
    return _declared_now()[2].get(name) if name else None


def register_names() -> dict[str, str]:
    """Model name → its handbook name, for columns that store a register's model name."""
    return {m.__name__: m.__register__.label for m in declared_models()}


def registers() -> list[type[Base]]:
    """The handbook registers (not reference tables)."""
    return [m for m in declared_models() if m.__register__.kind == "register"]
