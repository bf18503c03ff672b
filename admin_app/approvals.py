"""The approval engine: submit, sign, return, withdraw. It knows chains, never a register.

Rules (issue 4): the chain is fixed at submission; nobody signs their own application;
「部门主管」 means the head of the applicant's own department; a step nobody can sign is
refused at submission, naming the step; two approvers acting at once yield one decision
(compare-and-set on ``Approval.version``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from admin_app import audit, conditions
from admin_app.clock import now
from models.approval import (
    AGREE,
    APPROVED,
    DRAFT,
    IN_PROGRESS,
    MODES,
    RETURNED,
    SEND_BACK,
    WITHDRAWN,
    Approval,
    ApprovalWait,
    Chain,
    Signature,
)
from models.reference import Department, Role, User

LOCKED = (IN_PROGRESS, APPROVED)


class ApprovalError(Exception):
    """A refused step of the lifecycle; the message is for the user, in Chinese."""


# -- chains -----------------------------------------------------------------------------------------


def chain_for(session: Session, register: str) -> Chain | None:
    return session.scalar(sa.select(Chain).where(Chain.register == register))


def role_names(session: Session) -> dict[str, str]:
    """Every name and alias of a role → its name."""
    names: dict[str, str] = {}
    for role in session.scalars(sa.select(Role)):
        names[role.name] = role.name
        for alias in (role.aliases or "").replace(",", "、").split("、"):
            if alias.strip():
                names.setdefault(alias.strip(), role.name)
    return names


def split_roles(text: str) -> list[str]:
    return [r.strip() for r in text.replace(",", "、").replace(",", "、").split("、") if r.strip()]


def scope_of(text: str | None) -> str:
    """The step's scope as the JSON of `chains explain`: any, department, department:X, field:x."""
    text = (text or "任意").strip()
    if text in ("任意", "any"):
        return "any"
    if text in ("本部门", "department"):
        return "department"
    for prefix, key in (("部门:", "department:"), ("部门:", "department:"), ("字段:", "field:"),
                        ("字段:", "field:")):
        if text.startswith(prefix):
            return key + text[len(prefix):].strip()
    return text


def applicable_steps(session: Session, chain: Chain, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The chain's steps for a record with these field values; sequential multi-role steps unrolled."""
    names = role_names(session)
    steps: list[dict[str, Any]] = []
    for step in chain.steps:
        if not conditions.holds(step.condition, values):
            continue
        roles = [names.get(r, r) for r in split_roles(step.roles)]
        mode = MODES.get(step.mode, step.mode)
        scope = scope_of(step.scope)
        if mode == "sequential" and len(roles) > 1:
            steps += [{"label": f"{step.label}({r})", "roles": [r], "mode": "sequential", "scope": scope}
                      for r in roles]
        else:
            steps.append({"label": step.label, "roles": roles, "mode": mode, "scope": scope})
    return steps


def record_values(record: Any) -> dict[str, Any]:
    mapper = sa.inspect(type(record))
    return {prop.key: getattr(record, prop.key) for prop in mapper.column_attrs}


# -- who may sign -----------------------------------------------------------------------------------


def step_department(session: Session, step: dict[str, Any], record: Any,
                    department_id: int | None) -> int | None:
    """The department whose role-holders sign this step (None: anyone holding the role)."""
    scope = step["scope"]
    if scope == "department":
        return department_id
    if scope.startswith("department:"):
        name = scope.split(":", 1)[1]
        found = session.scalar(sa.select(Department.id).where(Department.name == name))
        if found is None:
            raise ApprovalError(f"审批链的「{step['label']}」指定的部门「{name}」不存在,请联系 IT 管理员。")
        return found
    if scope.startswith("field:"):
        attr = scope.split(":", 1)[1]
        related = getattr(record, attr, None)
        return getattr(related, "id", related) if related is not None else department_id
    return None


def candidates(session: Session, step: dict[str, Any], applicant_id: int | None) -> list[User]:
    """Active users who could sign the step (not the applicant)."""
    query = (sa.select(User).join(User.roles).where(Role.name.in_(step["roles"]), User.active.is_(True))
             .distinct())
    if step.get("department_id") is not None:
        query = query.where(User.department_id == step["department_id"])
    return [u for u in session.scalars(query) if u.id != applicant_id]


def signed_roles(approval: Approval, index: int) -> set[str]:
    return {s.role for s in approval.round_signatures() if s.step_index == index and s.decision == AGREE}


def waiting(steps: list[dict[str, Any]], step_index: int, status: str, signed: set[str]) -> dict[str, Any]:
    """The ``waiting_roles`` and ``waiting_department_id`` of an approval at this point: the roles of the
    current step that have not signed (``signed``) yet, and the department they must belong to."""
    if status != IN_PROGRESS or step_index >= len(steps):
        return {"waiting_roles": "", "waiting_department_id": None}
    step = steps[step_index]
    roles = [r for r in step["roles"] if r not in signed]
    return {"waiting_roles": "|" + "|".join(roles) + "|" if roles else "",
            "waiting_department_id": step.get("department_id")}


def sync_waits(session: Session, approval: Approval) -> None:
    """Rewrite the approval's ``approval_waits`` rows from its ``waiting_roles`` (after every move)."""
    session.execute(sa.delete(ApprovalWait).where(ApprovalWait.approval_id == approval.id))
    roles = [r for r in approval.waiting_roles.split("|") if r]
    if roles:
        session.execute(sa.insert(ApprovalWait), [
            {"approval_id": approval.id, "role": role, "register": approval.register,
             "record_id": approval.record_id, "department_id": approval.waiting_department_id,
             "applicant_id": approval.applicant_id} for role in roles])


def waits_for(user: User) -> sa.ColumnElement[bool]:
    """``approval_waits`` rows ``user`` may sign: :func:`signing_role` in SQL, led by the role index."""
    roles = user.role_names
    if not roles:
        return sa.false()
    return sa.and_(
        ApprovalWait.role.in_(roles),
        sa.or_(ApprovalWait.department_id.is_(None), ApprovalWait.department_id == user.department_id),
        sa.or_(ApprovalWait.applicant_id.is_(None), ApprovalWait.applicant_id != user.id),
    )


def waiting_records(register: str, user: User) -> sa.Select[tuple[int]]:
    """Ids of the ``register``'s records whose approval waits for ``user``'s signature now."""
    return sa.select(ApprovalWait.record_id).where(ApprovalWait.register == register, waits_for(user))


def signing_role(approval: Approval, user: User) -> str | None:
    """The role in which this user may sign the current step, or None."""
    if approval.status != IN_PROGRESS or user.id == approval.applicant_id:
        return None
    step = approval.steps[approval.step_index]
    if step.get("department_id") is not None and user.department_id != step["department_id"]:
        return None
    done = signed_roles(approval, approval.step_index)
    for role in user.role_names:
        if role in step["roles"] and role not in done:
            return role
    return None


# -- lifecycle --------------------------------------------------------------------------------------


def approval_of(session: Session, register: str, record_id: int) -> Approval | None:
    return session.scalar(sa.select(Approval).where(Approval.register == register,
                                                    Approval.record_id == record_id))


def status_of(approval: Approval | None) -> str:
    return approval.status if approval else DRAFT


def is_locked(approval: Approval | None) -> bool:
    return approval is not None and approval.status in LOCKED


def submit(session: Session, register: str, record: Any, user: User) -> Approval:
    chain = chain_for(session, register)
    if chain is None:
        raise ApprovalError("这张表不需要审批。")
    approval = approval_of(session, register, record.id)
    if is_locked(approval):
        raise ApprovalError(f"这张单据{approval.status},不能重复提交。")
    applicant_id = getattr(record, "recorded_by_id", None) or user.id
    department_id = getattr(record, "department_id", None) or user.department_id
    steps = applicable_steps(session, chain, record_values(record))
    for step in steps:
        step["department_id"] = step_department(session, step, record, department_id)
        if not candidates(session, step, applicant_id):
            where = ""
            if step["department_id"] is not None:
                where = session.get(Department, step["department_id"]).name + "的"
            who = where + "、".join(step["roles"])
            raise ApprovalError(f"无法提交:「{step['label']}」没有可以签字的人({who}),"
                                "请联系 IT 管理员设置人员后再提交。")
    before = status_of(approval)
    if approval is None:
        approval = Approval(register=register, record_id=record.id, round=1)
        session.add(approval)
    else:
        approval.round += 1
        approval.version += 1
    approval.record_label = str(record)[:200]
    approval.applicant_id = applicant_id
    approval.department_id = department_id
    approval.steps = steps
    approval.step_index = 0
    approval.submitted_at = now()
    approval.return_reason = None
    approval.status = IN_PROGRESS if steps else APPROVED
    approval.finished_at = None if steps else now()
    for name, value in waiting(steps, 0, approval.status, set()).items():
        setattr(approval, name, value)
    session.flush()
    sync_waits(session, approval)
    audit.note(session, "提交审批", record=record, user=user,
               changes={"approval_status": [before, approval.status], "round": [None, approval.round]})
    return approval


def decide(session: Session, approval: Approval, user: User, decision: str, opinion: str = "",
           seen_version: int | None = None) -> Approval:
    """Sign the current step (同意) or send the record back (退回) — exactly once per step."""
    if decision not in (AGREE, SEND_BACK):
        raise ApprovalError("请选择同意或退回。")
    if seen_version is not None and seen_version != approval.version:
        raise ApprovalError("这张单据刚被他人处理过,请刷新后再看。")
    if user.id == approval.applicant_id:
        raise ApprovalError("不能审批自己提交的单据。")
    role = signing_role(approval, user)
    if role is None:
        raise ApprovalError("这一步不由您签字。")
    if decision == SEND_BACK and not opinion.strip():
        raise ApprovalError("退回时请写明原因。")
    index = approval.step_index
    step = approval.steps[index]
    values: dict[str, Any] = {"version": approval.version + 1}
    done: set[str] = set()
    if decision == SEND_BACK:
        values |= {"status": RETURNED, "return_reason": opinion.strip(), "finished_at": now()}
    else:
        done = signed_roles(approval, index) | {role}
        step_complete = step["mode"] != "all" or set(step["roles"]) <= done
        if step_complete:
            last = index + 1 >= len(approval.steps)
            values |= {"step_index": index if last else index + 1}
            if last:
                values |= {"status": APPROVED, "finished_at": now()}
            else:
                done = set()  # the next step starts unsigned
    values |= waiting(approval.steps, values.get("step_index", index), values.get("status", IN_PROGRESS),
                      done)
    changed = session.execute(
        sa.update(Approval).where(Approval.id == approval.id, Approval.version == approval.version)
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        session.rollback()
        raise ApprovalError("这张单据刚被他人处理过,请刷新后再看。")
    session.add(Signature(approval_id=approval.id, round=approval.round, step_index=index,
                          step_label=step["label"], role=role, signer_id=user.id, decision=decision,
                          opinion=opinion.strip() or None))
    audit.note(session, decision, register=approval.register, record_id=approval.record_id, user=user,
               changes={"approval_status": [approval.status, values.get("status", approval.status)],
                        "step": [None, f"{step['label']}({role})"], "opinion": [None, opinion.strip()]})
    session.flush()
    session.refresh(approval)
    sync_waits(session, approval)
    return approval


def withdraw(session: Session, approval: Approval, user: User) -> Approval:
    if approval.status != IN_PROGRESS:
        raise ApprovalError(f"这张单据{approval.status},不能撤回。")
    if user.id != approval.applicant_id:
        raise ApprovalError("只有申请人可以撤回。")
    if approval.round_signatures():
        raise ApprovalError("已有人签字,不能撤回;如需修改请联系当前审批人退回。")
    changed = session.execute(
        sa.update(Approval).where(Approval.id == approval.id, Approval.version == approval.version)
        .values(status=WITHDRAWN, version=approval.version + 1, finished_at=now(),
                **waiting(approval.steps, approval.step_index, WITHDRAWN, set()))
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        session.rollback()
        raise ApprovalError("这张单据刚被他人处理过,请刷新后再看。")
    audit.note(session, "撤回", register=approval.register, record_id=approval.record_id, user=user,
               changes={"approval_status": [IN_PROGRESS, WITHDRAWN]})
    session.refresh(approval)
    sync_waits(session, approval)
    return approval


def pending_for(session: Session, user: User, limit: int | None = None) -> list[Approval]:
    """Records waiting for this user's signature, across all registers, the longest waiting first."""
    # Walked in submission order (ix_approvals_status_submitted_at), each row checked against its waits by
    # their primary key: a page of the oldest costs a page of lookups however many are pending.
    mine = sa.select(ApprovalWait.approval_id).where(ApprovalWait.approval_id == Approval.id, waits_for(user))
    query = (sa.select(Approval).where(Approval.status == IN_PROGRESS, mine.exists())
             .order_by(Approval.submitted_at, Approval.id).limit(limit))
    return list(session.scalars(query))


def submitted_by(session: Session, user: User, limit: int) -> list[Approval]:
    """This user's own records still on their way (审批中) or sent back to them (已退回), the latest first."""
    query = (sa.select(Approval).where(Approval.applicant_id == user.id,
                                       Approval.status.in_((IN_PROGRESS, RETURNED)))
             .order_by(Approval.submitted_at.desc(), Approval.id.desc()).limit(limit))
    return list(session.scalars(query))


#: The navigation bar counts the records waiting for the user's signature this far ("100+").
BADGE = 100


def pending_count_query(user: User, bound: int | None = None) -> sa.Select[tuple[int]]:
    """How many records wait for this user's signature, counted no further than ``bound``."""
    rows = sa.select(ApprovalWait.approval_id).where(waits_for(user)).distinct().limit(bound).subquery()
    return sa.select(sa.func.count()).select_from(rows)


def pending_count(session: Session, user: User, bound: int | None = None) -> int:
    return session.scalar(pending_count_query(user, bound)) or 0


def boxes(approval: Approval | None) -> list[dict[str, Any]]:
    """The signature boxes of the current round, in chain order (empty boxes for steps to come)."""
    if approval is None:
        return []
    signatures = approval.round_signatures()
    out = []
    for index, step in enumerate(approval.steps):
        signed = [s for s in signatures if s.step_index == index]
        out.append({"index": index, "label": step["label"], "roles": step["roles"], "mode": step["mode"],
                    "signatures": signed,
                    "current": approval.status == IN_PROGRESS and index == approval.step_index})
    return out
