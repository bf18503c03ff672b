"""Large registers: the search answered by the trigram index finds what a substring search finds, and list
counts stop a bounded number of rows past the page (issue #7)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from models.base import search_columns
from models.front_desk import CallRecord
from models.keys import KeyLoan
from models.search import condition, doubled, is_search_index, like_pattern, search_text
from views import counting
from views.counting import AtLeast, count_query

CALLERS = (("张伟", "13812345678", "卫生间漏水"), ("王张伟", "0755-2345678", "灯不亮"),
           ("欧阳伯伯", "13900001111", "问餐费 50%"), ("李娜", "13700002222", "张 伟的快递"))


def add_calls(session: Any) -> None:
    for caller, phone, content in CALLERS:
        session.add(CallRecord(received_at=sa.func.now(), caller=caller, phone=phone, matter_type="咨询",
                               content=content))
    session.commit()


def found(head: Any, term: str) -> set[str]:
    html = head.get("/admin/call_records/", query_string={"search": term}).get_data(as_text=True)
    return {caller for caller, _, _ in CALLERS if caller in html}


# -- the doubled text ---------------------------------------------------------------------------------------


def test_doubling_keeps_substrings_exact() -> None:
    for text, part in (("王张伟", "张伟"), ("aaab", "aab"), ("138-1234", "8-1")):
        assert doubled(part) in doubled(text)
    for text, part in (("张三伟", "张伟"), ("ab", "ba"), ("aba", "aa")):
        assert doubled(part) not in doubled(text)


def test_fields_are_kept_apart() -> None:
    text = search_text(["张", "伟"])
    assert doubled("张伟") not in text and doubled("张") in text


def test_like_pattern_escapes_wildcards() -> None:
    assert like_pattern("5%_") == "%55\\%\\%\\_\\_%"


def test_search_index_tables_are_recognised() -> None:
    assert is_search_index("call_records_search") and is_search_index("call_records_search_idx")
    assert is_search_index("ix_call_records_search_text")
    assert not is_search_index("call_records") and not is_search_index("research")


def test_a_large_register_searches_its_number_first() -> None:
    assert search_columns(CallRecord)[:2] == ["number", "caller"]
    assert "key.label" in search_columns(KeyLoan)


# -- search through HTTP ------------------------------------------------------------------------------------


def test_a_two_character_name_finds_every_record_holding_it(head: Any, session: Any) -> None:
    add_calls(session)
    assert found(head, "张伟") == {"张伟", "王张伟"}


def test_a_search_is_a_substring_not_a_word(head: Any, session: Any) -> None:
    add_calls(session)
    assert found(head, "阳伯") == {"欧阳伯伯"}
    assert found(head, "2345678") == {"张伟", "王张伟"}


def test_terms_must_all_be_found(head: Any, session: Any) -> None:
    add_calls(session)
    assert found(head, "张伟 漏水") == {"张伟"}


def test_a_term_never_spans_two_fields(head: Any, session: Any) -> None:
    add_calls(session)
    assert "李娜" not in found(head, "娜1370")  # name 李娜 + phone 1370…


def test_wildcards_are_searched_as_typed(head: Any, session: Any) -> None:
    add_calls(session)
    assert found(head, "50%") == {"欧阳伯伯"}
    assert found(head, "_") == set()


def test_one_character_finds_by_scanning(head: Any, session: Any) -> None:
    add_calls(session)
    assert found(head, "娜") == {"李娜"}


def test_the_document_number_is_searched(head: Any, session: Any) -> None:
    add_calls(session)
    number = session.scalar(sa.select(CallRecord.number).where(CallRecord.caller == "欧阳伯伯"))
    assert found(head, number) == {"欧阳伯伯"}


def test_an_edit_is_found_by_its_new_text(head: Any, session: Any) -> None:
    add_calls(session)
    row = session.scalar(sa.select(CallRecord).where(CallRecord.caller == "李娜"))
    row.caller = "李娜娜"
    session.commit()
    assert "李娜" in found(head, "娜娜")


def test_the_index_answers_what_a_plain_scan_answers(app: Flask, session: Any) -> None:
    add_calls(session)
    dialect = session.get_bind().dialect.name
    columns = search_columns(CallRecord)
    rows = session.scalars(sa.select(CallRecord)).all()
    for term in ("张伟", "伟", "13", "问餐费 50", "x", "-"):
        indexed = set(session.scalars(sa.select(CallRecord.id).where(condition(CallRecord, term, dialect))))
        scanned = {r.id for r in rows
                   if any(term.lower() in str(getattr(r, c) or "").lower() for c in columns)}
        assert indexed == scanned, term


# -- bounded counts -----------------------------------------------------------------------------------------


@pytest.fixture
def small_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counting, "AHEAD", 2)


def test_a_count_past_its_bound_reads_as_at_least(app: Flask, session: Any, small_bound: None) -> None:
    add_calls(session)
    with app.app_context():
        total = session.scalar(sa.select(sa.func.count()).select_from(CallRecord))
        count = count_query(session, CallRecord, page=0, page_size=1).scalar()
        assert isinstance(count, AtLeast) and count == 3 and str(count) == "3+"
        assert count_query(session, CallRecord, page=total, page_size=1).scalar() == total


def test_a_filtered_count_is_bounded_too(app: Flask, session: Any, small_bound: None) -> None:
    add_calls(session)
    with app.app_context():
        query = count_query(session, CallRecord, page=0, page_size=20).filter(CallRecord.caller == "张伟")
        assert query.scalar() == 1


def test_the_list_shows_a_bounded_count_and_keeps_its_pager(head: Any, session: Any, small_bound: None
                                                             ) -> None:
    for i in range(25):
        session.add(CallRecord(received_at=sa.func.now(), caller=f"来电人{i}", matter_type="咨询",
                               content="问"))
    session.commit()
    html = head.get("/admin/call_records/").get_data(as_text=True)
    assert "(22+)" in html  # page 1 of 20 rows, counted 2 rows further
    assert "page=1" in html  # the pager offers the page the count reached
    page2 = head.get("/admin/call_records/?page=1").get_data(as_text=True)
    assert "来电人" in page2



def overdue_page(app: Flask, client: Any) -> tuple[list[str], str]:
    """The residents the 已超时 list shows, in order, and the SQL of its page statement."""
    from bench.pages import Recorder

    with Recorder(app.extensions["engine"]) as recorder:
        html = client.get("/admin/repair_orders/?flt0_0=已超时").get_data(as_text=True)
    page = next(s for s, _, _ in recorder.statements if "AS page" in s)
    return list(dict.fromkeys(re.findall(r"超时户\d\d", html))), page


def test_many_overdue_records_are_found_along_the_list_order(app: Flask, clerk: Any, session: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from admin_app.clock import now
    from models.repairs import RepairOrder

    for i in range(30):
        called = now() - dt.timedelta(hours=2, minutes=i)
        session.add(RepairOrder(called_at=called, recorded_at=called, resident=f"超时户{i:02}",
                                phone="13800000000", content="漏水"))
    session.commit()
    few, few_sql = overdue_page(app, clerk)  # counted exactly (30): the overdue items drive the query
    monkeypatch.setattr(counting, "AHEAD", 2)
    many, many_sql = overdue_page(app, clerk)  # the count stops at 22: the page walks its order

    assert many == few == [f"超时户{i:02}" for i in range(20)]
    assert " + 0 IN " not in few_sql and " + 0 IN " in many_sql


def ranged_page(app: Flask, client: Any, column: str, start: dt.datetime, end: dt.datetime | None = None,
                operation: str = "DateTimeBetweenFilter") -> tuple[list[str], str]:
    """The residents the repair orders list shows for ``column`` between two moments (or compared with
    ``start`` by ``operation``), in order, and the SQL of its page statement."""
    from bench.pages import Recorder, filter_arg
    from models.repairs import RepairOrder
    from views import view_for

    arg = filter_arg(view_for(app.extensions["kefu_admin"], RepairOrder), column, operation)
    value = f"{start:%Y-%m-%d %H:%M:%S}" + (f" to {end:%Y-%m-%d %H:%M:%S}" if end else "")
    with Recorder(app.extensions["engine"]) as recorder:
        html = client.get(f"/admin/repair_orders/?{arg}={value}").get_data(as_text=True)
    page = next(s for s, _, _ in recorder.statements if "AS page" in s)
    return list(dict.fromkeys(re.findall(r"区间户\d\d", html))), page


def add_dated_repairs(session: Any, start: dt.datetime) -> None:
    """Thirty orders called an hour apart from ``start``, each recorded a day after its call, the newest
    call recorded first: the list (newest recorded first) and the calls run in opposite orders."""
    from models.repairs import RepairOrder

    for i in range(30):
        session.add(RepairOrder(called_at=start + dt.timedelta(hours=i),
                                recorded_at=start + dt.timedelta(days=1, hours=-i),
                                resident=f"区间户{i:02}", phone="13800000000", content="漏水"))
    session.commit()


def test_a_date_range_on_another_column_is_sorted_without_walking_the_list_order(
        app: Flask, clerk: Any, session: Any) -> None:
    start = dt.datetime(2025, 3, 1, 8, 0)
    add_dated_repairs(session, start)

    shown, sql = ranged_page(app, clerk, "called_at", start + dt.timedelta(hours=5),
                             start + dt.timedelta(hours=29))

    assert shown == [f"区间户{i:02}" for i in range(5, 25)]  # in the range, the newest recorded first
    assert "coalesce(repair_orders.recorded_at, repair_orders.recorded_at) DESC" in sql


def test_a_bound_on_one_side_alone_keeps_the_list_order(
        app: Flask, clerk: Any, session: Any) -> None:
    start = dt.datetime(2025, 3, 1, 8, 0)
    add_dated_repairs(session, start)

    shown, sql = ranged_page(app, clerk, "called_at", start + dt.timedelta(hours=4, minutes=30),
                             operation="DateTimeGreaterFilter")

    # called after: all but the first five, newest recorded first, below the seeded sample orders (newer)
    assert shown and shown == [f"区间户{i:02}" for i in range(5, 5 + len(shown))]
    assert "coalesce(" not in sql


def test_a_date_range_on_the_sorted_column_walks_its_index(app: Flask, clerk: Any, session: Any) -> None:
    start = dt.datetime(2025, 3, 1, 8, 0)
    add_dated_repairs(session, start)

    shown, sql = ranged_page(app, clerk, "recorded_at", start + dt.timedelta(hours=1),
                             start + dt.timedelta(hours=23))

    assert shown == [f"区间户{i:02}" for i in range(1, 21)]
    assert "coalesce(" not in sql


# -- list pages: ids first, then the page's rows with their badges -----------------------------------------


def sent(app: Flask, client: Any, url: str) -> tuple[list[str], int]:
    """The test residents a list page shows, in its order, and how many SQL statements it sent
    (transaction control left out)."""
    from bench.pages import Recorder, counted

    with Recorder(app.extensions["engine"]) as recorder:
        response = client.get(url)
    assert response.status_code == 200, url
    shown = list(dict.fromkeys(re.findall(r"分页户\d\d", response.get_data(as_text=True))))
    return shown, len(counted(recorder.statements))


def test_a_list_page_is_five_statements_at_any_size_or_depth(app: Flask, head: Any, session: Any) -> None:
    from models.repairs import RepairOrder
    from views import view_for

    for i in range(45):
        session.add(RepairOrder(called_at=sa.func.now(), resident=f"分页户{i:02}", phone="13800000000",
                                content="漏水"))
    session.commit()
    view = view_for(app.extensions["kefu_admin"], RepairOrder)
    by_resident = next(i for i, (name, _) in enumerate(view._list_columns) if name == "resident")
    base = f"/admin/repair_orders/?search=分页户&sort={by_resident}"
    pages = {0: range(20), 1: range(20, 40), 2: range(40, 45)}
    for page, wanted in pages.items():
        shown, statements = sent(app, head, f"{base}&page={page}")
        assert shown == [f"分页户{i:02}" for i in wanted] and statements <= 5, page
    for url in (f"{base}&page_size=100", "/admin/key_loans/?page_size=100", "/admin/call_records/?page=1"):
        assert sent(app, head, url)[1] <= 5, url


def test_a_details_page_of_a_register_with_a_chain_reads_the_approval_with_the_record(
        app: Flask, head: Any, session: Any) -> None:
    from bench.pages import Recorder, counted
    from models.keys import KeyLoan

    loan_id = session.scalar(sa.select(sa.func.max(KeyLoan.id)))
    with Recorder(app.extensions["engine"]) as recorder:
        response = head.get(f"/admin/key_loans/details/?id={loan_id}")
    assert response.status_code == 200 and "审批" in response.get_data(as_text=True)
    statements = [s for s, _, _ in counted(recorder.statements)]
    assert not any(s.lstrip().startswith("SELECT approvals.") for s in statements)
    assert len(statements) <= 5
