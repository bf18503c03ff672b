"""`seed`: a second run changes nothing, an edited file updates only the rows it names, a bad file is
refused whole with file, line and reason, and demo files can be skipped."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from models.reference import Department, Permission, Role, User
from seed.loader import DATA_DIR, SeedError, load

#: The reference data files this issue ships (others may be added beside them).
BASE_FILES = ["01_departments.yaml", "02_roles.yaml", "03_permissions.yaml", "04_users.yaml",
              "05_buildings.yaml", "05_rooms.yaml", "06_keys.yaml", "07_fee_standards.yaml",
              "08_repair_prices.yaml", "09_stock.yaml", "10_form_codes.yaml"]
NEW_PASSWORD = "new-secret-2026"


# -- helpers ------------------------------------------------------------------------------------------


def copy_data(tmp_path: Path) -> Path:
    """A writable copy of seed/data."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: {old!r} is not unique"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def line_of(path: Path, needle: str) -> int:
    """1-based number of the only line of ``path`` containing ``needle``."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{path.name}: {needle!r} on lines {hits}"
    return hits[0]


def committed(app: Flask, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """Rows as another connection sees them: what is really written."""
    with app.extensions["engine"].connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def departments(app: Flask) -> dict[str, tuple[Any, ...]]:
    query = sa.select(Department.name, Department.id, Department.organisation, Department.description)
    return {row[0]: row for row in committed(app, query)}


def permissions_by_role(app: Flask) -> dict[str, set[tuple[Any, ...]]]:
    query = sa.select(Role.name, Permission.id, Permission.resource, Permission.action).join(Permission.role)
    out: dict[str, set[tuple[Any, ...]]] = {}
    for role, *perm in committed(app, query):
        out.setdefault(role, set()).add(tuple(perm))
    return out


def password_hashes(app: Flask) -> dict[str, str]:
    return dict(committed(app, sa.select(User.username, User.password_hash)))


def without(rows: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in rows.items() if k != name}


def seed_problems(session: Any, directory: Path) -> list[str]:
    with pytest.raises(SeedError) as caught:
        load(session, directory)
    return caught.value.problems


def only_demo_users_file(tmp_path: Path) -> Path:
    """A directory holding only a demo file that would add one user."""
    directory = tmp_path / "demo_only"
    directory.mkdir()
    shutil.copyfile(DATA_DIR / "04_users.yaml", directory / "04_users.yaml")
    append(directory / "04_users.yaml", "  - {username: trainee, name: 试用员, department: 客服部,"
                                        " roles: [客服员], password: demo12345}\n")
    return directory


# -- idempotent -------------------------------------------------------------------------------------


def test_second_load_changes_nothing(session: Any) -> None:
    report = load(session)
    assert report.changed == 0, report.lines()
    assert set(BASE_FILES) <= set(report.counts)


def test_second_load_keeps_every_row_as_it_was(app: Flask, session: Any) -> None:
    before = departments(app), permissions_by_role(app), password_hashes(app)
    load(session)
    assert (departments(app), permissions_by_role(app), password_hashes(app)) == before


def test_cli_seed_prints_done_with_no_changes(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "完成:共变更 0 行。" in result.output
    assert "01_departments.yaml: 新增 0,更新 0,未变 17" in result.output


# -- an edited file ----------------------------------------------------------------------------------


def test_edited_description_updates_exactly_that_row(app: Flask, session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data / "01_departments.yaml", 'description: "维修、装修审核(000 (二);001 1.3.3)"',
         'description: "维修、装修审核、有偿维修报价"')
    before = departments(app)

    report = load(session, data)

    assert report.counts["01_departments.yaml"] == {"新增": 0, "更新": 1, "未变": 16}
    assert report.changed == 1
    after = departments(app)
    assert after["工程部"] == (*before["工程部"][:3], "维修、装修审核、有偿维修报价")
    assert without(after, "工程部") == without(before, "工程部")


def test_new_row_is_inserted(app: Flask, session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    append(data / "01_departments.yaml",
           "  - {name: 法务部, organisation: 岭南养生谷, description: 合同审核}\n")
    before = departments(app)

    report = load(session, data)

    assert report.counts["01_departments.yaml"] == {"新增": 1, "更新": 0, "未变": 17}
    assert report.changed == 1
    after = departments(app)
    assert after["法务部"][2:] == ("岭南养生谷", "合同审核")
    assert without(after, "法务部") == before


def test_changed_password_is_rehashed_for_that_user_only(app: Flask, session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data / "04_users.yaml", "phone: '13800000000', password: demo12345",
         f"phone: '13800000000', password: {NEW_PASSWORD}")
    before = password_hashes(app)

    report = load(session, data)

    assert report.counts["04_users.yaml"]["更新"] == 1
    assert report.changed == 1
    after = password_hashes(app)
    assert after["clerk"] != before["clerk"]
    assert NEW_PASSWORD not in after["clerk"]
    assert without(after, "clerk") == without(before, "clerk")


def test_unchanged_password_is_not_rehashed_on_reload(app: Flask, session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data / "04_users.yaml", "phone: '13800000000', password: demo12345",
         f"phone: '13800000000', password: {NEW_PASSWORD}")
    load(session, data)
    hashed = password_hashes(app)["clerk"]

    report = load(session, data)

    assert report.changed == 0, report.lines()
    assert password_hashes(app)["clerk"] == hashed


def test_user_signs_in_with_changed_password_not_the_old(session: Any, browser: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data / "04_users.yaml", "phone: '13800000000', password: demo12345",
         f"phone: '13800000000', password: {NEW_PASSWORD}")
    load(session, data)

    refused = browser.login("clerk", "demo12345")
    assert refused.status_code == 200
    assert "登录名或密码不正确" in refused.get_data(as_text=True)
    accepted = browser.login("clerk", NEW_PASSWORD)
    assert accepted.status_code == 302
    assert browser.get("/admin/").status_code == 200


# -- a bad file ---------------------------------------------------------------------------------------


def test_bad_files_report_file_line_and_reason_and_write_nothing(app: Flask, session: Any,
                                                                tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    departments_file, users_file, rooms_file = (data / "01_departments.yaml", data / "04_users.yaml",
                                                data / "05_rooms.yaml")
    append(departments_file, "  - {name: 法务部, organisation: 岭南养生谷}\n"
                             "  - {name: 后勤部, organisation: 岭南养生谷, colour: 红色}\n")
    append(users_file, "  - {username: newbie, name: 新人, department: 不存在的部门, roles: [客服员],"
                       " password: demo12345}\n")
    append(rooms_file, "  - building: A栋\n    number: '999'\n    floor: 9\n    room_type: 豪华间\n")
    before = departments(app), password_hashes(app)

    problems = seed_problems(session, data)

    assert len(problems) == 3, problems
    department, user, room = problems
    assert department.startswith(f"01_departments.yaml 第 {line_of(departments_file, '后勤部')} 行:")
    assert "colour" in department
    assert user.startswith(f"04_users.yaml 第 {line_of(users_file, 'newbie')} 行:")
    assert "找不到部门「不存在的部门」" in user
    assert room.startswith(f"05_rooms.yaml 第 {line_of(rooms_file, '豪华间')} 行:")
    assert "「豪华间」不是可选值之一" in room
    assert "法务部" not in departments(app)
    assert (departments(app), password_hashes(app)) == before


def test_yaml_syntax_error_names_its_line(session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    bad = data / "01_departments.yaml"
    append(bad, "  - name: 法务部: 多了一个冒号\n")

    problems = seed_problems(session, data)

    assert problems == [f"01_departments.yaml 第 {line_of(bad, '法务部')} 行:"
                        "YAML 格式错误(这里不能再写「名称: 值」,值里有冒号时请加引号)"]


def test_missing_required_field_of_new_row_is_reported(session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    rooms = data / "05_rooms.yaml"
    append(rooms, "  - {building: A栋, number: '998', room_type: 套房}\n")

    problems = seed_problems(session, data)

    assert problems == [f"05_rooms.yaml 第 {line_of(rooms, '998')} 行:字段 floor:新记录必须填写"]


def test_cli_exits_nonzero_on_bad_directory_and_prints_problems(app: Flask, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    rooms = data / "05_rooms.yaml"
    append(rooms, "  - {building: A栋, number: '999', floor: 9, room_type: 豪华间}\n")

    result = app.test_cli_runner().invoke(args=["seed", "--dir", str(data)])

    assert result.exit_code != 0
    assert "未写入任何数据" in result.output
    assert f"05_rooms.yaml 第 {line_of(rooms, '豪华间')} 行:" in result.output
    assert "完成" not in result.output


def test_duplicate_unique_value_is_reported_with_its_line(session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    roles = data / "02_roles.yaml"
    append(roles, "  - {name: 保洁员, code: clerk}\n")

    problems = seed_problems(session, data)

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"02_roles.yaml 第 {line_of(roles, '保洁员')} 行:")


def test_row_that_is_not_a_mapping_is_reported_with_its_line(session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    departments_file = data / "01_departments.yaml"
    append(departments_file, "  - 法务部\n")

    problems = seed_problems(session, data)

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"01_departments.yaml 第 {line_of(departments_file, '法务部')} 行:")


# -- the permission matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "needle", "reason"), [
    ("  IT管理员:", "  保洁员:\n    A: 查看\n  IT管理员:", "保洁员", "未知的角色「保洁员」"),
    ("  IT管理员:", "  IT管理员:\n    NoSuchRegister: 查看", "NoSuchRegister",
     "未知的登记表或章节「NoSuchRegister」"),
    ("  IT管理员:", "  IT管理员:\n    KeyLoan: 查看 借走", "借走", "未知的动作「借走」"),
], ids=["role", "register", "action"])
def test_matrix_reports_unknown_word_with_its_line(session: Any, tmp_path: Path, old: str, new: str,
                                                   needle: str, reason: str) -> None:
    data = copy_data(tmp_path)
    matrix = data / "03_permissions.yaml"
    edit(matrix, old, new)

    problems = seed_problems(session, data)

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"03_permissions.yaml 第 {line_of(matrix, needle)} 行:{reason}")


def test_editing_role_grants_changes_exactly_that_roles_rows(app: Flask, session: Any,
                                                             tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data / "03_permissions.yaml", "  采购中心专员:\n    PurchaseOrder: 查看 编辑 导出",
         "  采购中心专员:\n    PurchaseOrder: 查看 新建 导出")
    before = permissions_by_role(app)

    report = load(session, data)

    assert report.counts["03_permissions.yaml"]["更新"] == 1
    assert report.changed == 1
    after = permissions_by_role(app)
    assert without(after, "采购中心专员") == without(before, "采购中心专员")
    grants = {(resource, action) for _, resource, action in after["采购中心专员"]}
    old_grants = {(resource, action) for _, resource, action in before["采购中心专员"]}
    assert grants == old_grants - {("PurchaseOrder", "edit")} | {("PurchaseOrder", "create")}


def test_a_register_named_on_its_own_overrides_its_section(app: Flask, session: Any) -> None:
    # 03_permissions.yaml gives 客服员 section A (查看 新建 编辑 导出) but names DayReview: 查看 导出,
    # so a clerk sees the 日清日审 records and cannot sign them.
    grants = {(resource, action) for _, resource, action in permissions_by_role(app)["客服员"]}
    assert {("DayReview", "view"), ("DayReview", "export")} <= grants
    assert ("DayReview", "create") not in grants
    assert ("ShiftHandover", "create") in grants


def test_matrix_role_without_a_mapping_is_reported_with_its_line(session: Any, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    matrix = data / "03_permissions.yaml"
    edit(matrix, "  店长:\n    J: 全部\n    A: 查看 导出\n    R: 查看\n", "  店长: 全部\n")

    problems = seed_problems(session, data)

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"03_permissions.yaml 第 {line_of(matrix, '店长: 全部')} 行:")


def test_role_named_twice_in_matrix_keeps_its_earlier_grants(app: Flask, session: Any,
                                                             tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    append(data / "03_permissions.yaml", "  客服员:\n    KeyLoan: 删除\n")

    try:
        load(session, data)
    except SeedError as refused:  # refusing the duplicate is as good as taking the union
        assert any(p.startswith("03_permissions.yaml 第 ") for p in refused.problems), refused.problems
    grants = {(resource, action) for _, resource, action in permissions_by_role(app)["客服员"]}
    assert ("CallRecord", "view") in grants


# -- demo data -------------------------------------------------------------------------------------------


def test_no_demo_skips_files_marked_demo(app: Flask, session: Any, tmp_path: Path) -> None:
    report = load(session, only_demo_users_file(tmp_path), demo=False)

    assert report.counts == {}
    assert "trainee" not in password_hashes(app)


def test_demo_file_is_loaded_by_default(app: Flask, session: Any, tmp_path: Path) -> None:
    report = load(session, only_demo_users_file(tmp_path))

    assert report.counts["04_users.yaml"]["新增"] == 1
    assert "trainee" in password_hashes(app)


def test_cli_no_demo_skips_demo_files(app: Flask, tmp_path: Path) -> None:
    directory = only_demo_users_file(tmp_path)
    result = app.test_cli_runner().invoke(args=["seed", "--no-demo", "--dir", str(directory)])

    assert result.exit_code == 0, result.output
    assert "完成:共变更 0 行。" in result.output
    assert "trainee" not in password_hashes(app)
