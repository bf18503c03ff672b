"""IT imports a staff list from Excel in a real browser: the template from the list page, a file with a bad
row refused with the row, column and reason, the corrected file checked and then imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

STAFF = [{"登录名": "zhang3", "姓名": "张三", "部门": "客服部", "角色": "客服员;员工",
          "联系电话": "13800001111"},
         {"登录名": "li4", "姓名": "李四", "部门": "工程部", "职位": "水电工"}]


def test_it_imports_a_staff_list_from_xlsx(open_tab: Any, tmp_path: Path) -> None:
    it = open_tab("it")
    it.go("/admin/users/")
    with it.page.expect_download() as download:
        it.page.get_by_role("link", name="下载模板").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.suffix == ".xlsx"

    bad = _filled(template, tmp_path / "员工名单-有误.xlsx", STAFF[0], {**STAFF[1], "部门": "不存在的部门"})
    _upload(it, bad)
    faults = it.page.locator("table.import-faults tbody tr")
    assert faults.count() == 1
    assert "部门" in faults.first.inner_text() and "不存在的部门" in faults.first.inner_text()
    assert it.page.get_by_role("button", name="确认导入").count() == 0
    it.screenshot("refused")

    _upload(it, _filled(template, tmp_path / "员工名单.xlsx", *STAFF))
    assert it.page.locator("table.import-faults").count() == 0
    with it.page.expect_navigation():
        it.page.get_by_role("button", name="确认导入").click()
    assert it.alert_text().startswith("已从「员工名单.xlsx」导入 2 条"), it.alert_text()

    it.go("/admin/users/?search=张三")
    assert it.page.locator("table.model-list tr", has_text="zhang3").count() == 1
    it.go("/admin/users/?search=李四")
    assert it.page.locator("table.model-list tr", has_text="li4").count() == 1
    it.screenshot("imported")


def _filled(template: Path, out: Path, *staff: dict[str, str]) -> Path:
    book = load_workbook(template)
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for person in staff:
        sheet.append([person.get(h) for h in headers])
    book.save(out)
    return out


def _upload(tab: Any, path: Path) -> None:
    if "/import/" not in tab.page.url:
        with tab.page.expect_navigation():
            tab.page.get_by_role("link", name="导入", exact=True).click()
    tab.page.set_input_files("#import-file", str(path))
    assert tab.page.inner_text(".custom-file-label") == path.name
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="上传并检查").click()
