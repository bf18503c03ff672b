"""Load reference data from the readable files in ``seed/data``.

Each YAML file names one model and its rows (``model:`` + ``rows:``), or is the
permission matrix (``matrix:``). Rows are matched by the model's natural key
(``Register.key``): a new key is inserted, a known one updated where it
differs, so a second run changes nothing. Any fault stops the whole load with
file, line and reason, and nothing is written.

``demo: true`` marks demo-only files (skipped by ``seed --no-demo``); ``sample: true``
marks demo sample records, loaded only into an empty table, whose dates may be
written relative to the day of loading: ``今天``, ``今天-3``, ``今天+1 09:30``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from admin_app.clock import today
from admin_app.display import display
from admin_app.passwords import password_problem
from admin_app.sessions import end_sessions_of
from models.base import GROUPS, Base, Record, declared_model, declared_models
from models.reference import ACTIONS, ALL_ROWS, GRANTS, Permission, Role, User
from views import fields

DATA_DIR = Path(__file__).parent / "data"
ACTION_WORDS = {label: code for code, label in GRANTS.items()}
#: 全部 is every action; 全部门 (row scope) is granted only where it is written.
ALL_ACTIONS = "全部"


class SeedError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class RowError(Exception):
    """One bad value; the loader adds file and line."""


class LineList(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    lines: list[int]


# libyaml's parser where it is installed (ten times faster on a large file), else PyYAML's own.
class LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Remembers the line of every mapping, of each of its keys and of each sequence item;
    refuses a key written twice (YAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in lines:
                raise yaml.constructor.ConstructorError(
                    None, None, f"「{key}」写了两次(第 {lines[key]} 行已有)", key_node.start_mark)
            lines[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = lines
        return mapping


#: What libyaml and PyYAML say of the usual slips, in the words of the rest of the seed's messages.
YAML_PROBLEMS = {
    "mapping values are not allowed": "这里不能再写「名称: 值」,值里有冒号时请加引号",
    "could not find expected ':'": "缺少冒号,应写「名称: 值」",
    "found character that cannot start any token": "有不能出现在这里的字符(如 Tab 缩进),请改用空格或加引号",
    "did not find expected key": "缩进不对齐",
    "did not find expected '-' indicator": "缩进不对齐",
    "found unexpected end of stream": "引号或括号没有闭合",
    "while scanning a quoted scalar": "引号没有闭合",
    "found undefined alias": "使用了未定义的别名(*)",
}


def yaml_problem(exc: yaml.YAMLError) -> str:
    problem = str(getattr(exc, "problem", None) or exc)
    return next((text for start, text in YAML_PROBLEMS.items() if problem.startswith(start)), problem)


def _construct_line_list(loader: LineLoader, node: yaml.SequenceNode) -> Any:
    items = LineList()
    yield items
    items.extend(loader.construct_sequence(node, deep=True))
    items.lines = [item.start_mark.line + 1 for item in node.value]


LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_line_list)


@dataclass
class Report:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, file: str, what: str, count: int = 1) -> None:
        self.counts.setdefault(file, {"新增": 0, "更新": 0, "未变": 0})[what] += count

    @property
    def changed(self) -> int:
        return sum(c["新增"] + c["更新"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [f"{f}: " + ",".join(f"{k} {v}" for k, v in c.items()) for f, c in self.counts.items()]


def load(session: Session, directory: Path = DATA_DIR, *, demo: bool = True) -> Report:
    """Apply every file of ``directory`` in name order, in one transaction."""
    report = Report()
    problems: list[str] = []
    # Saving a row may add rows to other registers (a closed complaint plans its callback), so whether
    # a register takes its sample rows is decided by what it held before this run.
    filled = {model.__name__ for model in declared_models()
              if session.scalar(sa.select(sa.literal(1)).select_from(model).limit(1))}
    for path in sorted(directory.iterdir()):
        name = path.name
        if path.suffix.lower() == ".xlsx" and not name.startswith(("~$", ".")):  # ~$: Excel's lock file
            with session.no_autoflush:
                problems += load_workbook_file(session, path, report, filled)
            if not problems:
                session.flush()
            continue
        if path.suffix.lower() not in (".yaml", ".yml"):
            continue
        try:
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 0
            problems.append(f"{name} 第 {line} 行:YAML 格式错误({yaml_problem(exc)})")
            continue
        if not isinstance(doc, dict):
            problems.append(f"{name} 第 1 行:文件应包含 model 与 rows,或 matrix")
            continue
        if (doc.get("demo") or doc.get("sample")) and not demo:
            continue
        with session.no_autoflush:
            if "matrix" in doc:
                problems += load_matrix(session, name, doc, report)
            else:
                problems += load_rows(session, name, doc, report, filled)
        if not problems:
            session.flush()
    if problems:
        session.rollback()
        raise SeedError(problems)
    session.commit()
    return report


# -- model rows ---------------------------------------------------------------------------------

#: A row the database refused at flush (a unique value taken, a link gone), in plain words.
DATABASE_REFUSED = "数据库拒绝这一行(与已有记录的唯一值重复,或关联不存在)"


@dataclass(frozen=True)
class Fault:
    """One refusal of a row: its line, the field at fault ("" for the whole row), the reason in Chinese."""

    line: int
    field: str
    reason: str
    sheet: str = ""
    """The workbook sheet the line is on ("" for a YAML file, or the sheet the caller reads)."""

    def text(self, file: str) -> str:
        where = f"{file} 工作表「{self.sheet}」" if self.sheet else file
        return f"{where} 第 {self.line} 行:" + (f"字段 {self.field}:" if self.field else "") + self.reason

    def on(self, sheet: str) -> Fault:
        return self if self.sheet else dataclasses.replace(self, sheet=sheet)


class Refused(Exception):
    """Everything wrong with one row."""

    def __init__(self, faults: list[Fault]) -> None:
        super().__init__("; ".join(f.reason for f in faults))
        self.faults = faults


@dataclass(frozen=True)
class Policy:
    """How rows are written. The seed updates the row its key finds; an import only adds records,
    stamps them as the form does and links only to what its user may see."""

    create_only: bool = False
    prepare: Callable[[Any], None] | None = None
    """Fills a new record before its rules are checked (登记人, 部门)."""
    may_link: Callable[[type[Base]], bool] | None = None
    """May a row link to records of this model? None: to any."""


SEED = Policy()


def load_rows(session: Session, file: str, doc: dict[str, Any], report: Report,
              filled: set[str] | frozenset[str] = frozenset()) -> list[str]:
    model = declared_model(str(doc.get("model")))
    if model is None:
        return [f"{file} 第 {doc['__line__']} 行:未知的 model「{doc.get('model')}」"]
    if not model.__register__.key:
        return [f"{file} 第 {doc['__line__']} 行:{model.__name__} 没有声明自然键(Register.key),无法导入"]
    rows = doc.get("rows")
    if not isinstance(rows, list):
        return [f"{file} 第 {doc['__line__']} 行:缺少 rows 列表"]
    if doc.get("sample") and model.__name__ in filled:
        return []  # sample records go only into a register that was empty
    faults = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            line = rows.lines[index] if isinstance(rows, LineList) else doc["__line__"]
            faults.append(Fault(line, "", "rows 中的每一项应为「字段: 值」"))
    written, counts = apply_rows(session, model, [r for r in rows if isinstance(r, dict)])
    sheet = doc.get("sheet", "")
    for what, count in counts.items():
        report.add(f"{file}「{sheet}」" if sheet else file, what, count)
    return [f.on(sheet).text(file) for f in sorted(faults + written, key=lambda f: f.line)]


def load_workbook_file(session: Session, path: Path, report: Report, filled: set[str]) -> list[str]:
    """A seed workbook: each sheet, named after a model (its name or its handbook label), holds that
    model's rows; a sheet whose first column is 主表行号 holds line items of another sheet's rows."""
    from seed import workbook
    from views.register_view import line_fields

    try:
        found = workbook.grids(path)
    except workbook.Unreadable as exc:
        return [f"{path.name} 第 1 行:{exc}"]
    by_title: dict[str, type[Base]] = {}
    for model in declared_models():
        by_title.setdefault(model.__name__, model)
        by_title.setdefault(workbook.sheet_title(model.__register__.label), model)
    problems: list[str] = []
    docs: list[tuple[workbook.Grid, type[Base], list[dict[str, Any]]]] = []
    for grid in found:
        model = by_title.get(grid.title)
        if model is None:
            problems.append(f"{path.name} 工作表「{grid.title}」:工作表名应为登记表的名称或模型名")
        elif not workbook.is_line_sheet(grid):
            rows, faults = workbook.rows_of(grid, model)
            problems += [f.text(path.name) for f in faults]
            docs.append((grid, model, rows))
    for grid in found:  # line sheets, once the sheets of their parents are read
        child = by_title.get(grid.title)
        if child is None or not workbook.is_line_sheet(grid):
            continue
        owner = next(((rows, parent, relation) for _, parent, rows in docs
                      for relation in parent.__register__.inline
                      if line_fields(parent, relation)[0] is child), None)
        if owner is None:
            problems.append(f"{path.name} 工作表「{grid.title}」:本文件中没有这些明细所属的登记表")
            continue
        rows, parent, relation = owner
        lines, faults = workbook.rows_of(grid, child, set(line_fields(parent, relation)[1]), parent=True)
        faults += workbook.attach_lines(rows, relation, grid, lines)
        problems += [f.text(path.name) for f in faults]
    for grid, model, rows in docs:
        doc = {"model": model.__name__, "rows": rows, "__line__": 1, "sheet": grid.title}
        problems += load_rows(session, path.name, doc, report, filled)
    return problems


#: ``session.info`` key of the rows :func:`resolve` found while :func:`apply_rows` runs: a file names the
#: same room or engineer on many rows. Only rows found are kept (a row the file creates later may be
#: named before it exists), and only for the one call: the caller may roll it all back.
FOUND = "seed.loader.found"


#: ``session.info`` key of the rows found by natural key, fetched a batch at a time (see :func:`find_keyed`).
KEYED = "seed.loader.keyed"
#: Rows written by one flush where the register's rows are independent (``Register.independent_rows``).
BATCH = 500


def apply_rows(session: Session, model: type[Base], rows: Iterable[dict[str, Any]],
               policy: Policy = SEED) -> tuple[list[Fault], Counter[str]]:
    """Write rows ``{field or label: value, "__line__": n}`` of one model, each in a savepoint: a refused
    row is undone alone and reported. The caller commits or rolls back the whole.

    Rows of a register with independent rows go a batch at a time, in one savepoint and one flush; a batch
    with any refused row is undone and written again row by row, so that every fault is reported as above."""
    faults: list[Fault] = []
    counts: Counter[str] = Counter()
    seen: dict[tuple[Any, ...], int] = {}
    session.info[FOUND] = {}
    size = BATCH if model.__register__.independent_rows else 1
    try:
        for batch in _chunks(rows, size):
            if size > 1 and _apply_batch(session, model, batch, policy, seen, counts):
                continue
            for row in batch:
                try:
                    with session.begin_nested():
                        what = apply_row(session, model, row, policy, seen)
                        session.flush()
                except Refused as exc:
                    faults += exc.faults
                    continue
                except sa.exc.IntegrityError:
                    faults.append(Fault(row["__line__"], "", DATABASE_REFUSED))
                    continue
                counts[what] += 1
    finally:
        session.info.pop(FOUND, None)
    return faults, counts


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _SameKey(Exception):
    """Two new rows of one batch share a natural key."""


def _apply_batch(session: Session, model: type[Base], batch: list[dict[str, Any]], policy: Policy,
                 seen: dict[tuple[Any, ...], int], counts: Counter[str]) -> bool:
    """Every row of ``batch`` in one savepoint and one flush. False, with nothing written, when a row is
    refused or two new rows share a natural key (row by row the second would find the first)."""
    seen_before = dict(seen)
    done: Counter[str] = Counter()
    session.info[KEYED] = keyed_rows(session, model, batch, policy)
    savepoint = session.begin_nested()
    try:
        with session.no_autoflush:
            for row in batch:
                done[apply_row(session, model, row, policy, seen)] += 1
            key = model.__register__.key
            new = [tuple(getattr(obj, k) for k in key) for obj in session.new if type(obj) is model]
            if len(set(new)) < len(new):
                raise _SameKey
        session.flush()
    except (Refused, _SameKey, sa.exc.IntegrityError):
        savepoint.rollback()
        seen.clear()
        seen.update(seen_before)
        return False
    finally:
        session.info.pop(KEYED)  # row by row, each row sees the rows flushed before it
    savepoint.commit()
    counts.update(done)
    return True


def keyed_rows(session: Session, model: type[Base], batch: list[dict[str, Any]],
               policy: Policy) -> dict[tuple[Any, ...], Any]:
    """The records already holding the natural keys the rows of ``batch`` name, in one query: key → record,
    or None where there is none. Rows whose key cannot be read are left to :func:`apply_row` to refuse."""
    key = model.__register__.key
    if any(fields.column_of(model, k) is None for k in key):
        return {}  # a key through a link (房间: 楼栋/房号): each row is looked up by find() instead
    names = field_names(model)
    wanted: set[tuple[Any, ...]] = set()
    for row in batch:
        values = {names.get(h, h): raw for h, raw in row.items() if not h.startswith("__")}
        try:
            marker = tuple(convert(session, model, k, values[k], policy) for k in key)
        except (KeyError, RowError):
            continue
        if None not in marker:
            wanted.add(marker)
    if not key or not wanted:
        return {}
    columns = [getattr(model, k) for k in key]
    # The first column's IN as well: SQLite reads a row-value IN alone by scanning the whole table.
    match = columns[0].in_(list({m[0] for m in wanted}))
    if len(key) > 1:
        match &= sa.tuple_(*columns).in_(wanted)
    found: dict[tuple[Any, ...], Any] = dict.fromkeys(wanted)
    for obj in session.scalars(sa.select(model).where(match)):
        marker = tuple(getattr(obj, k) for k in key)
        if marker in found and found[marker] is None:  # the first, as find() takes
            found[marker] = obj
    return found


def find_keyed(session: Session, model: type[Base], key: dict[str, Any]) -> Any:
    """The record holding this natural key: from the batch's :func:`keyed_rows` where it was asked."""
    known = session.info.get(KEYED)
    marker = tuple(key.values())
    if known is not None and marker in known:
        return known[marker]
    return find(session, model, key)


def apply_row(session: Session, model: type[Base], row: dict[str, Any], policy: Policy = SEED,
              seen: dict[tuple[Any, ...], int] | None = None) -> str:
    """Insert or update one row given as {field or label: value}; returns 新增/更新/未变.

    Raises :class:`Refused` with every bad value of the row, or the record's own ``problems()``."""
    line = row["__line__"]
    lines = row.get("__lines__", {})
    names = field_names(model)
    values: dict[str, Any] = {}
    faults: list[Fault] = []
    password = None
    for heading, raw in row.items():
        if heading.startswith("__"):
            continue
        name = names.get(heading, heading)
        try:
            if model is User and name == "password":
                password = str(raw)
                continue
            values[name] = convert(session, model, name, raw, policy)
        except RowError as exc:
            faults.append(Fault(lines.get(heading, line), name, exc.args[0]))
    if password is not None and (problem := password_problem(password, str(values.get("username", "")))):
        faults.append(Fault(lines.get("password", line), "password", problem))
    failed = {f.field for f in faults}
    key = model.__register__.key
    missing = [k for k in key if values.get(k) is None and k not in failed]
    if missing and not policy.create_only:
        faults.append(Fault(line, "", f"缺少自然键字段 {', '.join(missing)}"))
    obj = None
    if key and not missing and not failed & set(key):
        obj = find_keyed(session, model, {k: values[k] for k in key})
        if policy.create_only:
            faults += duplicate(model, {k: values[k] for k in key}, line, obj, seen)
            obj = None
    created = obj is None
    if created:
        faults += [Fault(line, n, "新记录必须填写") for n in required_fields(model)
                   if values.get(n) is None and n not in failed]
    if faults:
        raise Refused(faults)
    if created:
        obj = model()
        session.add(obj)
    changed = False
    for name, value in values.items():
        if _differs(getattr(obj, name), value):
            setattr(obj, name, value)
            changed = True
    if created and policy.prepare:
        policy.prepare(obj)
    if password is not None and not obj.check_password(password):  # type: ignore[attr-defined]
        obj.set_password(password)  # type: ignore[attr-defined]
        if not created:  # a new password signs the user out of every browser
            end_sessions_of(session, obj.id)  # type: ignore[attr-defined]
        changed = True
    refusals = obj.problems() if created or changed else {}
    if refusals:
        raise Refused([Fault(line, n, message) for n, message in refusals.items()])
    return "新增" if created else ("更新" if changed else "未变")


def duplicate(model: type[Base], key: dict[str, Any], line: int, found: Any,
              seen: dict[tuple[Any, ...], int] | None) -> list[Fault]:
    """An import adds records only: a key met earlier in the file, or already recorded, is refused."""
    labels = fields.labels(model)
    named = "、".join(f"{labels.get(k, k)}「{display(v)}」" for k, v in key.items())
    marker = tuple(key.values())
    if seen is not None and marker in seen:
        return [Fault(line, "", f"与第 {seen[marker]} 行重复({named})")]
    if seen is not None:
        seen[marker] = line
    if found is not None:
        return [Fault(line, "", f"已有相同的{model.__register__.label}记录({named});导入只新增记录,"
                                "修改已有记录请在列表中编辑")]
    return []


@functools.cache  # read for every row of a file; declarations do not change while the app runs
def field_names(model: type[Base]) -> Mapping[str, str]:
    """What a file may call a field → its attribute: the attribute name itself or its Chinese label
    (the form's label wins where two share one). Link id columns are reached through their link."""
    links = fields.many_to_one(model)
    ids = {c.key for rel in links.values() for c in rel.local_columns}
    labelled = {n: label for n, label in fields.labels(model).items()
                if n not in ids and n != "password_hash"}
    form = set(fields.form_fields(model))
    out = {label: n for n, label in labelled.items() if n not in form}
    out.update({labelled[n]: n for n in form if n in labelled})
    if model is User:
        out["密码"] = "password"
    return out


def build_line(session: Session, parent: type[Base], relation: str, raw: Any, policy: Policy = SEED) -> Any:
    """A line item written as a mapping under its parent's row (``lines: [{item: 纸杯, qty: 3}]``), or
    a row of a workbook's line sheet."""
    from views.register_view import line_fields

    child, names = line_fields(parent, relation)
    label = child.__register__.label
    if not isinstance(raw, dict):
        raise RowError(f"{label}的每一行应为「字段: 值」")
    where = f"{label}第 {raw['__line__']} 行" if "__line__" in raw else label
    headings = field_names(child)
    labels = fields.labels(child)
    values: dict[str, Any] = {}
    faults: list[str] = []
    failed: set[str] = set()
    for heading, value in raw.items():
        if heading.startswith("__"):
            continue
        name = headings.get(heading, heading)
        try:
            if name not in names:
                raise RowError(f"{label}没有字段 {name}")
            values[name] = convert(session, child, name, value, policy)
        except RowError as exc:
            faults.append(f"{labels.get(name, name)}:{exc.args[0]}")
            failed.add(name)
    back = {n for n in required_fields(child) if n not in names}  # the link to the parent
    missing = [labels.get(n, n) for n in required_fields(child) if n not in values and n not in back
               and n not in failed]
    if missing:
        faults.append(f"缺少必填字段 {', '.join(missing)}")
    if faults:
        raise RowError(f"{where} " + ";".join(faults))
    line = child(**values)
    line.__seed_values__ = values
    return line


def _differs(current: Any, new: Any) -> bool:
    if isinstance(new, list) and any(hasattr(x, "__seed_values__") for x in new):
        current = list(current or [])  # line items: compare their content, in order
        return len(current) != len(new) or any(
            _differs(getattr(old, k), v) for old, line in zip(current, new, strict=True)
            for k, v in line.__seed_values__.items())
    if isinstance(new, list):
        return {id(x) for x in current or []} != {id(x) for x in new}
    if isinstance(new, Decimal) and current is not None:
        return Decimal(current) != new
    return current != new


@functools.cache
def required_fields(model: type[Base]) -> tuple[str, ...]:
    """Attributes a new row must name: NOT NULL columns without a default, links by relationship.
    Computed (``auto``) columns are filled by the record's ``before_save``, not by the file."""
    mapper = fields.mapper_of(model)
    fk_to_rel = {c.key: n for n, r in fields.many_to_one(model).items() for c in r.local_columns}
    out = []
    for col in model.__table__.columns:
        if (col.nullable or col.primary_key or col.default is not None or col.server_default is not None
                or col.info.get("auto")):
            continue
        key = mapper.get_property_by_column(col).key
        out.append(fk_to_rel.get(key, key))
    return tuple(out)


def find(session: Session, model: type[Base], key: dict[str, Any]) -> Any:
    clauses = [getattr(model, k) == v for k, v in key.items()]
    return session.scalars(sa.select(model).where(*clauses)).first()


def convert(session: Session, model: type[Base], name: str, raw: Any, policy: Policy = SEED) -> Any:
    """A file's value as the Python value of the model's attribute."""
    mapper = fields.mapper_of(model)
    if name in mapper.relationships:
        rel = mapper.relationships[name]
        target = rel.mapper.class_
        if rel.uselist:
            items = raw if isinstance(raw, list) else [i for i in LIST_SEPARATORS.split(display(raw))
                                                       if i.strip()]
            if name in model.__register__.inline:
                return [build_line(session, model, name, item, policy) for item in items]
            checklist = rel.info.get("checklist")
            if checklist:  # a checklist's items are named by their label alone (清单/项目 also works)
                items = [i if str(i).startswith(f"{checklist}/") else f"{checklist}/{str(i).strip()}"
                         for i in items]
            return [resolve(session, target, item, policy) for item in items]
        return None if raw in (None, "") else resolve(session, target, raw, policy)
    col = fields.column_of(model, name)
    if col is None:
        raise RowError(f"{model.__name__} 没有字段 {name}")
    if col.info.get("auto"):  # numbers and computed values are the application's, never a file's
        raise RowError(f"「{col.info.get('label', name)}」由系统自动填写,不能在文件中填写")
    if raw is None or raw == "":
        if not col.nullable and col.default is None:
            raise RowError("不能为空")
        return None
    return convert_value(col, raw)


#: Several links (checklist items, roles) in one cell: 「项目;项目」.
LIST_SEPARATORS = re.compile(r"[;;\n]")
#: Dates written the Chinese or the slashed way: 2026/11/23, 2026年11月23日, 2026.11.23.
DATE_SEPARATORS = re.compile(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?")


def iso_moment(text: str) -> str:
    """``2026/1/5 9:30`` → ``2026-01-05 9:30``, for ``fromisoformat``."""
    text = text.strip()
    match = DATE_SEPARATORS.match(text)
    if match:
        year, month, day = match.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}{text[match.end():]}"
    date, _, time = text.partition(" ")
    if time.strip() and len(time.strip().split(":")[0]) == 1:
        time = "0" + time.strip()
    return f"{date} {time.strip()}".strip()


def convert_value(col: sa.Column[Any], raw: Any) -> Any:
    try:
        python_type = col.type.python_type
    except NotImplementedError:
        python_type = str
    try:
        if python_type is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("true", "是", "1", "yes"):
                return True
            if text in ("false", "否", "0", "no"):
                return False
            raise ValueError
        if python_type is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            return int(raw)
        if python_type is Decimal:
            if isinstance(raw, float) and getattr(col.type, "scale", None) is not None:
                # a spreadsheet's number, e.g. 0.30000000000000004 from a formula: to the column's cents
                return Decimal(repr(raw)).quantize(Decimal(1).scaleb(-col.type.scale), ROUND_HALF_UP)
            return Decimal(str(raw))
        if python_type is dt.datetime:
            if isinstance(raw, dt.datetime):
                return raw
            if isinstance(raw, dt.date):  # a spreadsheet's date cell: that day at midnight
                return dt.datetime.combine(raw, dt.time())
            return relative_moment(str(raw)) or dt.datetime.fromisoformat(iso_moment(str(raw)))
        if python_type is dt.date:
            if isinstance(raw, dt.datetime):  # a spreadsheet's date cell
                return raw.date()
            if isinstance(raw, dt.date):
                return raw
            moment = relative_moment(str(raw))
            return moment.date() if moment else dt.date.fromisoformat(iso_moment(str(raw)))
    except (ValueError, InvalidOperation, TypeError):
        kind = {bool: "是/否", int: "整数", Decimal: "数字", dt.datetime: "日期时间 YYYY-MM-DD HH:MM",
                dt.date: "日期 YYYY-MM-DD"}[python_type]
        raise RowError(f"「{raw}」不是有效的{kind}") from None
    text = display(raw) if isinstance(raw, dt.date) else str(raw)  # a spreadsheet's date in a text column
    if text.endswith(" 00:00") and isinstance(raw, dt.datetime):
        text = text.removesuffix(" 00:00")
    if text.strip().startswith("本月") and (moment := relative_moment(text)):
        text = f"{moment:%Y-%m}"  # a month written as text, e.g. 电费度数记录的月份
    allowed = col.info.get("choices")
    if allowed and text not in allowed:
        raise RowError(f"「{text}」不是可选值之一({'、'.join(allowed)})")
    length = getattr(col.type, "length", None)
    if length and len(text) > length:
        raise RowError(f"长度 {len(text)} 超过上限 {length}")
    return text


RELATIVE = re.compile(r"^\s*(今天|本周一|本月)\s*(?:([+-])\s*(\d+))?\s*(?:(\d{1,2}):(\d{2}))?\s*$")


def relative_moment(text: str) -> dt.datetime | None:
    """A moment relative to the day of loading, for demo samples: ``今天``, ``今天-3``,
    ``今天+1 09:30`` (days), ``本周一`` (this Monday, ± days), ``本月-1`` (1st of a month, ± months)."""
    match = RELATIVE.match(text)
    if not match:
        return None
    anchor, sign, amount, hour, minute = match.groups()
    shift = int(amount or 0) * (-1 if sign == "-" else 1)
    day = today()
    if anchor == "本月":
        months = day.year * 12 + day.month - 1 + shift
        day = dt.date(months // 12, months % 12 + 1, 1)
    else:
        if anchor == "本周一":
            day -= dt.timedelta(days=day.weekday())
        day += dt.timedelta(days=shift)
    return dt.datetime.combine(day, dt.time(int(hour or 9), int(minute or 0)))


def resolve(session: Session, target: type[Base], raw: Any, policy: Policy = SEED) -> Any:
    """Find a linked row by its natural key (composite keys are written ``A栋/101``), its document
    number, or its title (a name) where only one row has it."""
    decl = target.__register__
    if policy.may_link is not None and not policy.may_link(target):
        raise RowError(f"您无权查看{decl.label},不能关联")
    key = decl.key
    text = display(raw).strip()
    found = session.info.get(FOUND)
    if found is not None and (target, text) in found:
        return found[(target, text)]
    obj = None
    if key:
        parts = text.split("/", len(key) - 1) if len(key) > 1 else [raw]
        if len(parts) == len(key):
            try:
                values = {k: convert(session, target, k, part, policy)
                          for k, part in zip(key, parts, strict=True)}
            except RowError:
                values = None
            obj = find(session, target, values) if values is not None else None
    if obj is None and issubclass(target, Record):
        obj = find(session, target, {"number": text})
    title = title_of(target)
    if obj is None and title and tuple(key) != (title,):  # 王淑芬 for 王淑芬/HY2023-015
        hits = session.scalars(sa.select(target).where(getattr(target, title) == text).limit(2)).all()
        if len(hits) > 1:
            raise RowError(f"有多个{decl.label}叫「{text}」,请改填{how_to_name(target)}")
        obj = hits[0] if hits else None
    if obj is None:
        raise RowError(f"找不到{decl.label}「{text}」(请填{how_to_name(target)})")
    if found is not None:
        found[(target, text)] = obj
    return obj


def title_of(target: type[Base]) -> str | None:
    """The column that names a row (its ``title``), where that is a column and not a computed label."""
    title = target.__register__.title
    return title if title and fields.column_of(target, title) is not None else None


def how_to_name(target: type[Base]) -> str:
    """How a file names a row of ``target``: 楼栋/房号、单据编号 or 姓名."""
    labels = fields.labels(target)
    ways = ["/".join(labels.get(k, k) for k in target.__register__.key)] if target.__register__.key else []
    if issubclass(target, Record):
        ways.append("单据编号")
    title = title_of(target)
    if title and tuple(target.__register__.key) != (title,):
        ways.append(labels.get(title, title))
    return "、".join(w for w in ways if w) or "编号"


# -- the permission matrix ----------------------------------------------------------------------


def expand_targets(word: str) -> list[str]:
    """``*`` (every register), a section letter, a model name or a handbook name → model names."""
    models = [m for m in declared_models() if m.__register__.kind != "line"]
    if word == "*":
        return [m.__name__ for m in models if m.__register__.kind == "register"]
    hits = [m.__name__ for m in models
            if word in (m.__register__.group, m.__name__, m.__register__.label)]
    if not hits and word not in GROUPS:
        raise RowError(f"未知的登记表或章节「{word}」")
    return hits


def expand_actions(text: Any) -> list[str]:
    words = str(text or "").replace(",", " ").replace("、", " ").split()
    unknown = [w for w in words if w not in ACTION_WORDS and w != ALL_ACTIONS]
    if unknown:
        raise RowError(f"未知的动作「{'、'.join(unknown)}」,可用:{'、'.join(ACTION_WORDS)}、{ALL_ACTIONS}")
    return list(dict.fromkeys(code for w in words
                              for code in (ACTIONS if w == ALL_ACTIONS else [ACTION_WORDS[w]])))


def load_matrix(session: Session, file: str, doc: dict[str, Any], report: Report) -> list[str]:
    matrix = doc["matrix"]
    if not isinstance(matrix, dict):
        return [f"{file} 第 {doc['__line__']} 行:matrix 应为「角色: {{登记表: 动作}}」"]
    problems = []
    scoped = {m.__name__ for m in declared_models() if m.__register__.scope is not None}
    for role_name, grants in matrix.items():
        if role_name in ("__line__", "__lines__"):
            continue
        line = matrix["__lines__"].get(role_name, doc["__line__"])
        role = session.scalars(sa.select(Role).where(Role.name == role_name)).first()
        if role is None:
            problems.append(f"{file} 第 {line} 行:未知的角色「{role_name}」")
            continue
        if grants is not None and not isinstance(grants, dict):
            problems.append(f"{file} 第 {line} 行:角色「{role_name}」下面应逐行写「登记表: 动作」")
            continue
        by_resource: dict[str, set[str]] = {}
        # Sections first; a register named on its own then replaces what its section gave it.
        targets = sorted((t for t in (grants or {}) if t not in ("__line__", "__lines__")),
                         key=lambda t: str(t) in GROUPS or str(t) == "*", reverse=True)
        for target in targets:
            try:
                actions = set(expand_actions(grants[target]))
                for resource in expand_targets(str(target)):
                    wanted = actions if resource in scoped else actions - {ALL_ROWS}
                    if str(target) in GROUPS or str(target) == "*":
                        by_resource.setdefault(resource, set()).update(wanted)
                    elif wanted != actions:
                        raise RowError(f"「{GRANTS[ALL_ROWS]}」只用于按部门或楼栋分范围的登记表,"
                                       f"{target} 不分范围")
                    else:
                        by_resource[resource] = actions
            except RowError as exc:
                problems.append(f"{file} 第 {grants['__lines__'].get(target, line)} 行:{exc.args[0]}")
        wanted = {(resource, a) for resource, actions in by_resource.items() for a in actions}
        report.add(file, set_role_permissions(session, role, wanted))
    return problems


def set_role_permissions(session: Session, role: Role, wanted: Iterable[tuple[str, str]]) -> str:
    wanted = set(wanted)
    existing = {(p.resource, p.action): p for p in role.permissions}
    for key, perm in existing.items():
        if key not in wanted:
            role.permissions.remove(perm)
    for resource, action in sorted(wanted - existing.keys()):
        role.permissions.append(Permission(resource=resource, action=action))
    return "未变" if wanted == existing.keys() else ("新增" if not existing else "更新")
