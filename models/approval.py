"""Signature chains as data, and the approvals they drive.

A :class:`Chain` names a register and its ordered :class:`ChainStep` rows (IT edits them).
When a record is submitted, the steps that apply are copied into its :class:`Approval`
(``steps``, JSON), so later edits to the chain never change records in flight. Each
decision is a :class:`Signature`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from admin_app.clock import now
from models.base import Base, Register, field, link, register_names
from models.reference import Department, User

MODES = {"依次": "sequential", "会签": "all", "或签": "any"}
SCOPE_HELP = ("任意(持有该角色的任何人)、本部门(申请人所在部门的该角色,即「部门主管」)、"
              "部门:某部门、字段:某关联字段(该记录所指的部门)")

DRAFT, IN_PROGRESS, APPROVED, RETURNED, WITHDRAWN = "草稿", "审批中", "已批准", "已退回", "已撤回"
AGREE, SEND_BACK = "同意", "退回"


class ChainStep(Base):
    __tablename__ = "chain_steps"
    __table_args__ = (UniqueConstraint("chain_id", "position"),)
    __register__ = Register(label="审批步骤", group="S", kind="line")

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chains.id", ondelete="CASCADE"), index=True)
    chain: Mapped[Chain] = relationship(back_populates="steps")
    position: Mapped[int] = field("顺序")
    label: Mapped[str] = field("签字栏", String(50), help="单据上签字栏的名称,如 部门主管意见")
    roles: Mapped[str] = field("角色", String(200), help="角色名称,多个用顿号分隔")
    mode: Mapped[str] = field("方式", String(4), choices=list(MODES), default="依次",
                              help="依次:逐个角色签;会签:所有角色都要签(不分先后);或签:任一角色签即可")
    scope: Mapped[str] = field("范围", String(60), default="任意", help=SCOPE_HELP)
    condition: Mapped[str | None] = field("条件", String(200),
                                          help="只在条件成立时需要这一步,如 days >= 2、amount >= 500")


class Chain(Base):
    __tablename__ = "chains"
    __register__ = Register(
        label="审批链", group="S", kind="reference", key=("register",), title="label",
        list_columns=("register", "label", "description"), inline=("steps",),
        source="REGISTERS.md 谁签字;000 (六)–(十四);003 4.5.1",
        help="手册规定的签字顺序。修改只影响之后提交的单据,审批中的单据按提交时的审批链走完。",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = field("登记表", String(60), unique=True, help="模型名,如 PurchaseOrder",
                                  names=register_names)
    label: Mapped[str] = field("名称", String(100))
    description: Mapped[str | None] = field("说明", Text)
    steps: Mapped[list[ChainStep]] = relationship(
        back_populates="chain", cascade="all, delete-orphan", order_by=ChainStep.position,
        info={"label": "步骤"},
    )


class Approval(Base):
    """Where one record stands in its chain."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("register", "record_id"),
                      Index("ix_approvals_status_submitted_at", "status", "submitted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = mapped_column(String(60), index=True)
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    record_label: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), index=True)
    round: Mapped[int] = mapped_column(default=1)
    step_index: Mapped[int] = mapped_column(default=0)
    steps_json: Mapped[str] = mapped_column(Text, default="[]")
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    applicant: Mapped[User | None] = link("申请人", applicant_id)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    department: Mapped[Department | None] = link("部门", department_id)
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    return_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    #: Who signs next, kept with every move (``approvals.waiting``) so that 待我审批 is one indexed query:
    #: the current step's roles that have not signed yet as ``|部门主管|综合办|`` (empty once finished),
    #: and the department whose staff they must be (none: any).
    waiting_roles: Mapped[str] = mapped_column(String(300), default="", server_default="")
    waiting_department_id: Mapped[int | None] = mapped_column(Integer)
    signatures: Mapped[list[Signature]] = relationship(
        back_populates="approval", cascade="all, delete-orphan", order_by="Signature.id", lazy="selectin"
    )

    @property
    def steps(self) -> list[dict[str, Any]]:
        return json.loads(self.steps_json or "[]")

    @steps.setter
    def steps(self, value: list[dict[str, Any]]) -> None:
        self.steps_json = json.dumps(value, ensure_ascii=False)

    def round_signatures(self) -> list[Signature]:
        return [s for s in self.signatures if s.round == self.round]


class ApprovalWait(Base):
    """One role the current step of an approval still waits for: ``Approval.waiting_roles`` as rows, kept
    in step with it by ``approvals.sync_waits``. Indexed by role, so that 待我审批's count and the rows an
    approver may see are an index lookup, and zero at once for someone who signs nothing."""

    __tablename__ = "approval_waits"
    __table_args__ = (Index("ix_approval_waits_role", "role", "register", "record_id"),)

    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30), primary_key=True)
    register: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column(Integer)
    #: The department whose holders of ``role`` sign (none: any holder).
    department_id: Mapped[int | None] = mapped_column(Integer)
    #: Nobody signs their own application.
    applicant_id: Mapped[int | None] = mapped_column(Integer)


class Signature(Base):
    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("approval_id", "round", "step_index", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id", ondelete="CASCADE"), index=True)
    approval: Mapped[Approval] = relationship(back_populates="signatures")
    round: Mapped[int] = mapped_column()
    step_index: Mapped[int] = mapped_column()
    step_label: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(30))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer: Mapped[User] = link("签字人", signer_id)
    decision: Mapped[str] = mapped_column(String(4))
    opinion: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[dt.datetime] = mapped_column(default=now)
