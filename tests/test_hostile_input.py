"""Hostile and random values in every register's forms, lists, pickers and reports (issue #6 item 6).

Property tests: never a 500; a saved value is shown escaped on the list and details pages and goes into
the XLSX export; a refused form says why in Chinese and keeps what was typed; rows change only when a
save succeeds. Few examples per register (the run must stay short on two cores); each run draws others.

Each test gets a fresh database from the fixtures and hypothesis reuses it for all of that test's
examples (hence ``HealthCheck.function_scoped_fixture``): the examples pile rows up like a busy day.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from admin_app.reports import REPORTS
from models.base import declared_models
from tests.factories import form_data, make_row, model_named
from tests.test_bad_input import field_errors, has_cjk
from tests.test_registers_walk import user_with
from views import view_for

settings.register_profile(
    "hostile", max_examples=5, deadline=None, database=None, print_blob=True,
    phases=[Phase.explicit, Phase.generate],  # shrinking replays whole HTTP round trips: minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large])
HOSTILE = settings.get_profile("hostile")

WRITABLE = [m.__name__ for m in declared_models()
            if m.__register__.kind != "line" and not m.__register__.readonly]
#: Raw markup that must never reach a page: it would run in the reader's browser.
MARKERS = ("<script>alert(1)", "<img src=x onerror")



class Long(str):
    """A 10,000-character value that a failing example prints short."""

    def __repr__(self) -> str:
        return f"{self[:1]!r} * {len(self)}"


TEXTS = [
    Long("x" * 10_000), Long("长" * 10_000),
    "\x00", "前\x00后", "\x1b[2J清屏", "第一行\r\n第二行", "\u202egnp.exe", "零宽\u200b空格", "\ufeff", "\t",
    "😀👍🏽👨‍👩‍👧", "𠀀𪚥𰻝𰻞",
    "'; DROP TABLE users; --", "%' OR 1=1 --", "%", "_", "\\", "' OR ''='",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}", "javascript:alert(1)",
    "=HYPERLINK(\"http://x\")", "", " ",
]
NUMBERS = ["1e30", "-1", "NaN", "Infinity", "-Infinity", "12.345678", str(2**70), str(-(2**70)),
           "0", "１２", "1,000", "0x1F", "一百", "9" * 40]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "0000-00-00", "2026-13-01", "10000-01-01",
         "-0001-01-01", "昨天"]
DATETIMES = ["0001-01-01 00:00:00", "9999-12-31 23:59:59", "2026-02-30 09:30:00", "2026-11-23 25:61:00",
             "2026-11-23T09:30", "9999-12-31"]
PERIODS = ["9999-12", "0001-01", "9999-W52", "0001-W01", "9999-Q4", "0001-Q1", "2026-W99", "2026-13",
           "2026-Q5", "0001-01-01~9999-12-31", "2026-12-31~2026-01-01", "2026-02-30~2026-03-01"]
IDS = ["-1", "0", str(2**70), "abc", "1; DROP TABLE users", "1.5", "NaN", "__None"]
TYPED = {"integer": NUMBERS, "decimal": NUMBERS, "date": DATES, "datetime": DATETIMES,
         "link": IDS, "links": IDS, "checklist": IDS}
#: Fields whose typed text a refused form shows again (pickers, drop-downs and boxes cannot).
KEPT = ("string", "text", "integer", "decimal", "date", "datetime")

hostile_text = st.sampled_from(TEXTS) | st.text(max_size=30)


def scalar(kind: str) -> st.SearchStrategy[str]:
    return st.sampled_from(TEXTS + TYPED.get(kind, [])) | st.text(max_size=30)


def value_for(kind: str) -> st.SearchStrategy[Any]:
    """One posted value: hostile text, a wrong type for the field, or a list where one value goes."""
    return scalar(kind) | st.lists(scalar(kind), min_size=2, max_size=3)


_catalogue: dict[str, dict[str, Any]] = {}


def entry_of(app: Flask, name: str) -> dict[str, Any]:
    """``registers --json --all``, read once per run: the fields do not change between databases."""
    if not _catalogue:
        result = app.test_cli_runner().invoke(args=["registers", "--json", "--all"])
        assert result.exit_code == 0, result.output
        _catalogue.update({e["name"]: e for e in json.loads(result.output)})
    return _catalogue[name]


def form_fields(entry: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(posted name, field) for the form and the first line of each line table."""
    out = [(f["name"], f) for f in entry["fields"]]
    for relation, line in entry.get("lines", {}).items():
        out += [(f"{relation}-0-{f['name']}", f) for f in line["fields"]]
    return out


@st.composite
def hostile_changes(draw: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """Either one hostile text in every text field (cut to fit or not), or a few fields of any type."""
    fields = form_fields(entry)
    texts = [(k, f) for k, f in fields if f["type"] in ("string", "text")]
    if texts and draw(st.booleans()):
        text, fit = draw(hostile_text), draw(st.booleans())
        return {k: text[: f["max_length"]] if fit and "max_length" in f else text for k, f in texts}
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique_by=lambda kf: kf[0]))
    return {k: draw(value_for(f["type"])) for k, f in chosen}


def valid_form(session: Any, entry: dict[str, Any]) -> dict[str, Any]:
    data = form_data(session, entry)
    if entry["name"] == "User":
        data["new_password"] = "hostile-secret-1"
    return data


def count(session: Any, name: str) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model_named(name)))


def stored(session: Any, name: str, row_id: int) -> tuple[Any, ...]:
    session.expire_all()
    table = model_named(name).__table__
    return tuple(session.execute(sa.select(table).where(table.c.id == row_id)).one())


def messages(html: str) -> list[str]:
    """The flashed alerts and the field errors of a page."""
    alerts = re.findall(r'<div class="alert alert-\w+ alert-dismissable">.*?</button>(.*?)</div>', html, re.S)
    return [a.strip() for a in alerts] + [m for ms in field_errors(html).values() for m in ms]


def assert_page(response: Any, what: str) -> str:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    html = response.get_data(as_text=True)
    for marker in MARKERS:
        assert marker not in html, f"{what}: raw markup on the page"
    return html


def assert_refused(html: str, changes: dict[str, Any]) -> None:
    """A refused form says why in Chinese and shows again what was typed."""
    said = messages(html)
    assert said and all(has_cjk(m) for m in said), said
    for key, value in changes.items():
        if isinstance(value, str) and value.strip() and value.isprintable():
            assert str(escape(value)) in html, f"{key}: typed value lost"


def assert_details(user: Any, url: str, row_id: int) -> None:
    response = user.get(url + f"details/?id={row_id}")
    assert response.status_code == 200
    assert_page(response, "details")


def assert_list_and_export(user: Any, url: str) -> None:
    """After the examples: every row they saved shows on the list and goes into a spreadsheet."""
    assert_page(user.get(url + "?page_size=100"), "list")
    assert user.get(url + "export/xlsx/").status_code == 200


def editor(app: Flask, session: Any, as_user: Any, name: str, row: Any = None) -> Any:
    """A user who may write ``name`` (and whose row scope reaches ``row``)."""
    with app.app_context():
        return as_user(user_with(session, name, {"create", "edit", "view", "export"}, row))


@pytest.mark.parametrize("name", WRITABLE)
def test_create_form_survives_hostile_values(app: Flask, session: Any, as_user: Any, name: str) -> None:
    entry = entry_of(app, name)
    url = entry["url"]
    user = editor(app, session, as_user, name)
    kept = {k for k, f in form_fields(entry) if f["type"] in KEPT}

    @HOSTILE
    @given(changes=hostile_changes(entry))
    def post(changes: dict[str, Any]) -> None:
        before = count(session, name)
        response = user.post(url + "new/", {**valid_form(session, entry), **changes})
        html = assert_page(response, "create")
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302:
            assert count(session, name) == before + 1, "a save adds exactly one row"
            assert_details(user, url, session.scalar(sa.select(sa.func.max(model_named(name).id))))
        else:
            assert count(session, name) == before, "a refused form stores nothing"
            assert_refused(html, {k: v for k, v in changes.items() if k in kept})

    post()
    assert_list_and_export(user, url)


@pytest.mark.parametrize("name", WRITABLE)
def test_edit_form_survives_hostile_values(app: Flask, session: Any, as_user: Any, name: str) -> None:
    entry = entry_of(app, name)
    url = entry["url"]
    user = editor(app, session, as_user, name)
    assert user.post(url + "new/", valid_form(session, entry)).status_code == 302
    row_id = session.scalar(sa.select(sa.func.max(model_named(name).id)))
    kept = {k for k, f in form_fields(entry) if f["type"] in KEPT}

    @settings(HOSTILE, max_examples=4)
    @given(changes=hostile_changes(entry))
    def post(changes: dict[str, Any]) -> None:
        before, row = count(session, name), stored(session, name, row_id)
        response = user.post(url + f"edit/?id={row_id}", {**valid_form(session, entry), **changes})
        html = assert_page(response, "edit")
        assert response.status_code in (200, 302, 400), response.status_code
        assert count(session, name) == before
        if response.status_code == 302:
            assert_details(user, url, row_id)
        else:
            assert stored(session, name, row_id) == row, "a refused form changes nothing"
            assert_refused(html, {k: v for k, v in changes.items() if k in kept})

    post()
    assert_list_and_export(user, url)


# -- lists, pickers, reports ----------------------------------------------------------------------

query_value = (st.sampled_from(TEXTS + NUMBERS + DATES + IDS) | st.text(max_size=30)).map(
    lambda v: v[:2000])  # a URL longer than that is the web server's business


@st.composite
def list_params(draw: Any, filters: int) -> dict[str, Any]:
    params: dict[str, Any] = {"search": draw(query_value)}
    for i in range(draw(st.integers(0, 2))):
        index = draw(st.integers(0, filters + 1) | st.sampled_from(["x", "-1", str(2**70)]))
        params[f"flt{i}_{index}"] = draw(query_value)
    for name in ("sort", "page", "page_size", "desc"):
        if draw(st.booleans()):
            params[name] = draw(st.sampled_from(["99", "-1", "100000", str(2**70), "abc", ""]) | query_value)
    return params


@pytest.mark.parametrize("name", WRITABLE)
def test_list_survives_hostile_queries(app: Flask, session: Any, as_user: Any, name: str) -> None:
    entry = entry_of(app, name)
    url = entry["url"]
    row = make_row(session, model_named(name))
    row_id = row.id
    user = editor(app, session, as_user, name, row)
    filters = len(view_for(app.extensions["kefu_admin"], model_named(name))._filters or [])
    pickers = [f["name"] for f in entry["fields"] if f["type"] in ("link", "links")]

    @settings(HOSTILE, max_examples=3)
    @given(params=list_params(filters), term=query_value, picker=st.sampled_from([*pickers, "nope"]),
           row=st.sampled_from(IDS))
    def browse(params: dict[str, Any], term: str, picker: str, row: str) -> None:
        assert_page(user.get(url, query_string=params), f"list {params}")
        assert_page(user.get(url + "ajax/lookup/", query_string={"name": picker, "query": term,
                                                               "offset": row, "limit": row}), "lookup")
        assert_page(user.get(url + "details/", query_string={"id": row}), f"details/?id={row}")
        assert_page(user.post(url + "delete/", {"id": row}), "delete")
        assert_page(user.post(url + "action/", {"action": "delete", "rowid": [row, term]}), "action")

    browse()
    assert user.get(url + f"details/?id={row_id}").status_code == 200


@pytest.mark.parametrize("slug", [r.slug for r in REPORTS])
def test_report_survives_hostile_parameters(as_user: Any, slug: str) -> None:
    gm = as_user("gm")
    report = next(r for r in REPORTS if r.slug == slug)
    names = ["period", *(f.name for f in report.filters)]

    @HOSTILE
    @given(params=st.dictionaries(st.sampled_from(names), st.sampled_from(PERIODS) | query_value, min_size=1))
    def open_report(params: dict[str, str]) -> None:
        for suffix in ("", "/xlsx"):
            response = gm.get(f"/admin/reports/{slug}{suffix}", query_string=params)
            assert response.status_code in (200, 400), (params, response.status_code)
            if response.status_code == 400:  # the report's form, saying what to type instead
                errors = re.findall(r'<div class="alert alert-danger" role="alert">(.*?)</div>',
                                    assert_page(response, slug), re.S)
                assert errors and all(has_cjk(e) for e in errors), errors

    open_report()


def test_board_and_callback_rates_survive_hostile_dates(head: Any) -> None:
    dates = st.sampled_from(DATES) | query_value

    @HOSTILE
    @given(day=dates, start=dates, end=dates)
    def open_pages(day: str, start: str, end: str) -> None:
        assert_page(head.get("/admin/board/", query_string={"date": day}), "board")
        assert_page(head.get("/admin/callback-rates/", query_string={"start": start, "end": end}), "rates")

    open_pages()


def test_approval_forms_survive_hostile_values(session: Any, as_user: Any) -> None:
    """The inbox's batch form and a record's signing form: ids and opinions as typed by anyone."""
    head = as_user("head")
    row_id = make_row(session, model_named("LeaveRequest")).id

    @HOSTILE
    @given(ids=st.lists(st.sampled_from(IDS) | query_value, max_size=3), opinion=hostile_text,
           decision=st.sampled_from(["同意", "退回"]) | query_value)
    def decide(ids: list[str], opinion: str, decision: str) -> None:
        form = {"approval": ids, "opinion": opinion, "decision": decision}
        assert_page(head.post("/admin/inbox/", form), "inbox")
        for target in (ids[0] if ids else "", str(row_id)):
            for step in ("submit", "decide", "withdraw"):
                response = head.post(f"/admin/leave_requests/approval/{step}/?id={target}",
                                     {**form, "version": target})
                assert_page(response, step)

    decide()
