"""Document numbers (单据编号) and 002's archive numbers: format, per-day sequences counted in the
database, numbers given back by a rollback, never typed, distinct under concurrent clerks."""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from admin_app import migrate
from admin_app.clock import today
from admin_app.database import make_engine
from admin_app.numbering import (
    NumberSequence,
    archive_number,
    check_prefixes,
    document_number,
    next_number,
    prefix_of,
    reserve_numbers,
)
from models.archives import GuestProfile
from models.base import Record, registers
from models.finance import PurchaseOrder
from models.front_desk import CallRecord
from seed.loader import SeedError, load

CALL = {
    "received_at": "2026-11-23 09:30:00",
    "channel": "来电",
    "caller": "欧阳伯伯",
    "phone": "13800001111",
    "matter_type": "咨询",
    "content": "问本月餐费",
}
FAR_DAY = dt.date(2030, 2, 14)  # no seeded record is numbered on it


def call(day: dt.date, hour: int = 9, caller: str = "王阿姨") -> CallRecord:
    moment = dt.datetime.combine(day, dt.time(hour))
    return CallRecord(received_at=moment, recorded_at=moment, caller=caller, matter_type="咨询",
                      content="问路")


def newest(session: Any, model: type[Any]) -> Any:
    session.expire_all()
    return session.scalars(sa.select(model).order_by(model.id.desc()).limit(1)).one()


# -- format ---------------------------------------------------------------------------------------


def test_document_number_is_form_code_day_and_three_digit_sequence() -> None:
    assert document_number("XST-HD-KF-006", dt.date(2026, 12, 2), 1) == "XST-HD-KF-006-20261202-001"


def test_archive_number_is_stay_day_as_yymmdd_and_daily_sequence() -> None:
    assert archive_number(dt.date(2004, 2, 14), 1) == "040214001"  # handbook 002's own example


def test_a_saved_form_gets_its_code_and_todays_next_number(clerk: Any, session: Any) -> None:
    assert clerk.post("/admin/call_records/new/", CALL).status_code == 302
    record = newest(session, CallRecord)
    last = session.get(NumberSequence, ("XST-HD-KF-002", today())).last
    assert record.number == f"XST-HD-KF-002-{today():%Y%m%d}-{last:03d}"


def test_a_register_without_form_code_uses_its_declared_prefix() -> None:
    assert prefix_of(PurchaseOrder) == "CGD"
    assert prefix_of(CallRecord) == "XST-HD-KF-002"


def test_every_register_has_a_prefix_of_its_own() -> None:
    check_prefixes()
    with pytest.raises(LookupError, match="前缀都是 XST-HD-KF-002"):
        check_prefixes([CallRecord, CallRecord])


def test_seeded_records_are_numbered_with_their_prefix(session: Any) -> None:
    for model in registers():
        if issubclass(model, Record):
            numbers = session.scalars(sa.select(model.number)).all()
            pattern = re.compile(re.escape(prefix_of(model)) + r"-\d{8}-\d{3}")
            assert all(pattern.fullmatch(n) for n in numbers), model.__name__


# -- the daily sequence ---------------------------------------------------------------------------


def test_sequence_counts_per_day_and_restarts_at_001_the_next_day(session: Any) -> None:
    next_day = FAR_DAY + dt.timedelta(days=1)
    records = [call(FAR_DAY, 9), call(FAR_DAY, 10), call(next_day, 9)]
    session.add_all(records)
    session.commit()
    assert [r.number for r in records] == [
        "XST-HD-KF-002-20300214-001", "XST-HD-KF-002-20300214-002", "XST-HD-KF-002-20300215-001"]


def test_a_rolled_back_save_gives_its_number_back(session: Any) -> None:
    first = call(FAR_DAY)
    session.add(first)
    session.flush()
    assert first.number == "XST-HD-KF-002-20300214-001"
    session.rollback()
    second = call(FAR_DAY, caller="李阿姨")
    session.add(second)
    session.commit()
    assert second.number == "XST-HD-KF-002-20300214-001"


def test_next_number_counts_in_the_callers_transaction(session: Any) -> None:
    assert [next_number(session, "TEST", FAR_DAY) for _ in range(3)] == [1, 2, 3]
    session.rollback()
    assert next_number(session, "TEST", FAR_DAY) == 1
    session.rollback()


def test_reserving_numbers_takes_a_block_and_the_next_follows_it(session: Any) -> None:
    assert reserve_numbers(session, "TEST", FAR_DAY, 5) == 1
    assert next_number(session, "TEST", FAR_DAY) == 6
    session.rollback()


def test_records_saved_together_are_numbered_in_the_order_they_were_added(session: Any) -> None:
    later = FAR_DAY + dt.timedelta(days=1)
    records = [call(FAR_DAY, 9, "甲"), call(later, 9, "乙"), call(FAR_DAY, 10, "丙"), call(FAR_DAY, 11, "丁")]
    session.add_all(records)
    session.flush()
    assert [r.number for r in records] == [
        "XST-HD-KF-002-20300214-001", "XST-HD-KF-002-20300215-001",
        "XST-HD-KF-002-20300214-002", "XST-HD-KF-002-20300214-003"]
    assert next_number(session, "XST-HD-KF-002", FAR_DAY) == 4
    session.rollback()


def test_a_posted_number_is_ignored(clerk: Any, session: Any) -> None:
    posted = {**CALL, "number": "XST-HD-KF-002-20300214-999"}
    assert clerk.post("/admin/call_records/new/", posted).status_code == 302
    assert newest(session, CallRecord).number.startswith(f"XST-HD-KF-002-{today():%Y%m%d}-")


def test_editing_keeps_the_number(clerk: Any, session: Any) -> None:
    record = call(FAR_DAY)
    session.add(record)
    session.commit()
    url = f"/admin/call_records/edit/?id={record.id}"
    assert clerk.post(url, {**CALL, "caller": "改名", "number": "X-1"}).status_code == 302
    assert newest(session, CallRecord).number == "XST-HD-KF-002-20300214-001"


def test_a_seed_file_may_not_give_a_number(session: Any, tmp_path: Path) -> None:
    (tmp_path / "01.yaml").write_text(
        "model: CallRecord\nrows:\n  - {received_at: 2026-11-23 09:00, caller: 甲, matter_type: 咨询,\n"
        "     content: 问, number: XST-HD-KF-002-20261123-001}\n", encoding="utf-8")
    with pytest.raises(SeedError) as refused:
        load(session, tmp_path)
    assert refused.value.problems == [
        "01.yaml 第 4 行:字段 number:「单据编号」由系统自动填写,不能在文件中填写"]


@pytest.mark.parametrize("threads", [8])
def test_concurrent_clerks_get_distinct_consecutive_numbers(app: Flask, threads: int) -> None:
    url = app.config["DATABASE_URL"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite serialises writers with BEGIN IMMEDIATE")
    start = threading.Barrier(threads)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def clerk_saves(index: int) -> None:
        engine = make_engine(url)
        try:
            with Session(engine) as own:
                record = call(FAR_DAY, caller=f"并发{index}")
                own.add(record)
                start.wait()
                own.commit()
                numbers.append(record.number)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            engine.dispose()

    workers = [threading.Thread(target=clerk_saves, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sorted(numbers) == [f"XST-HD-KF-002-20300214-{n:03d}" for n in range(1, threads + 1)]


# -- 002's archive numbers ---------------------------------------------------------------------------


def guest(clerk: Any, **values: str) -> Any:
    data = {"guest_name": "周志明", "kind": "散客", "phone": "13912340021", "stay_on": FAR_DAY.isoformat(),
            **values}
    return clerk.post("/admin/guest_profiles/new/", data)


def test_guests_are_numbered_by_stay_day_and_daily_sequence(clerk: Any, session: Any) -> None:
    assert guest(clerk, guest_name="周志明").status_code == 302
    assert guest(clerk, guest_name="何丽萍", kind="团队", team_name="夕阳红旅行团").status_code == 302
    session.expire_all()
    numbers = session.scalars(sa.select(GuestProfile.archive_no).where(GuestProfile.stay_on == FAR_DAY)
                              .order_by(GuestProfile.id)).all()
    assert numbers == ["300214001", "300214002"]


def test_a_vip_guest_is_filed_by_card_number(clerk: Any, session: Any) -> None:
    assert guest(clerk, guest_name="吴德胜", kind="VIP", card_no="VIP0123").status_code == 302
    profile = newest(session, GuestProfile)
    assert (profile.archive_no, profile.kind) == ("VIP0123", "VIP")
    assert session.get(NumberSequence, ("客人档案编号", FAR_DAY)) is None  # no day number used


def test_a_vip_guest_without_card_number_is_refused(clerk: Any, session: Any) -> None:
    response = guest(clerk, guest_name="吴德胜", kind="VIP")
    assert response.status_code == 200
    assert "VIP客人以会员卡号为档案编号,请填写会员卡号" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(sa.select(GuestProfile.id).where(GuestProfile.guest_name == "吴德胜",
                                                           GuestProfile.stay_on == FAR_DAY)) is None


def test_a_typed_archive_number_is_ignored(clerk: Any, session: Any) -> None:
    assert guest(clerk, archive_no="261116001").status_code == 302
    assert newest(session, GuestProfile).archive_no == "300214001"


def test_seeded_guests_have_the_handbooks_archive_numbers(session: Any) -> None:
    numbers = dict(session.execute(sa.select(GuestProfile.guest_name, GuestProfile.archive_no)).all())
    assert numbers == {"周志明": "261116001", "何丽萍": "261118001", "孙海燕": "261118002",
                       "吴德胜": "VIP0088", "郑晓东": "261120001"}


# -- lists ------------------------------------------------------------------------------------------


def test_numbers_lead_the_list_and_are_searchable(head: Any, session: Any) -> None:
    records = [call(FAR_DAY, caller="欧阳伯伯"), call(FAR_DAY, 10, caller="李阿姨")]
    session.add_all(records)
    session.commit()
    page = head.get("/admin/call_records/").get_data(as_text=True)
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)
    labels = [re.sub(r"<[^>]+>|&nbsp;", "", h).strip() for h in headers]
    assert next(label for label in labels if label) == "单据编号"  # after the row-action column
    found = head.get("/admin/call_records/?search=XST-HD-KF-002-20300214-002").get_data(as_text=True)
    assert "XST-HD-KF-002-20300214-002" in found and "李阿姨" in found and "欧阳伯伯" not in found


def test_the_number_is_on_the_details_page(head: Any, session: Any) -> None:
    record = call(FAR_DAY)
    session.add(record)
    session.commit()
    page = head.get(f"/admin/call_records/details/?id={record.id}").get_data(as_text=True)
    assert "单据编号" in page and "XST-HD-KF-002-20300214-001" in page


# -- the migration ----------------------------------------------------------------------------------


def test_migration_numbers_existing_rows_by_recorded_at_then_id(empty_db: str) -> None:
    engine = make_engine(empty_db)
    migrate.upgrade(engine, "0004")
    at = dt.datetime.fromisoformat
    rows = [("甲", at("2026-11-20 15:00")), ("乙", at("2026-11-20 09:00")), ("丙", at("2026-11-21 08:00")),
            ("丁", at("2026-11-20 09:00"))]  # 乙 and 丁 at the same minute: by id
    with engine.begin() as conn:
        for caller, moment in rows:
            conn.execute(sa.text("INSERT INTO call_records (received_at, channel, caller, matter_type,"
                                 " content, recorded_at) VALUES (:at, '来电', :caller, '咨询', '问', :at)"),
                         {"caller": caller, "at": moment})
        conn.execute(sa.text("INSERT INTO guest_profiles (archive_no, guest_name, kind, stay_on, recorded_at)"
                             " VALUES ('261116004', '周志明', '散客', :day, :at)"),
                     {"day": dt.date(2026, 11, 16), "at": at("2026-11-16 10:00")})
        # a row that refers to a rebuilt table: SQLite's batch mode must not refuse the rebuild
        archive = conn.execute(sa.text("INSERT INTO customer_archives (archive_no, household, opened_on,"
                                       " recorded_at) VALUES ('DA-A204', '王淑芬', :day, :at) RETURNING id"),
                               {"day": dt.date(2026, 11, 16), "at": at("2026-11-16 10:00")}).scalar_one()
        conn.execute(sa.text("INSERT INTO archive_reads (archive_id, reader, purpose, read_at, recorded_at)"
                             " VALUES (:archive, '王淑芬', '查装修资料', :at, :at)"),
                     {"archive": archive, "at": at("2026-11-17 10:00")})
    migrate.upgrade(engine)
    with Session(engine) as session:
        numbers = dict(session.execute(sa.text("SELECT caller, number FROM call_records")).all())
        assert numbers == {"乙": "XST-HD-KF-002-20261120-001", "丁": "XST-HD-KF-002-20261120-002",
                           "甲": "XST-HD-KF-002-20261120-003", "丙": "XST-HD-KF-002-20261121-001"}
        session.add(call(dt.date(2026, 11, 20), 17))
        session.add(GuestProfile(guest_name="何丽萍", kind="散客", stay_on=dt.date(2026, 11, 16)))
        session.commit()
        assert newest(session, CallRecord).number == "XST-HD-KF-002-20261120-004"
        assert newest(session, GuestProfile).archive_no == "261116005"
        linked = sa.text("SELECT a.number, r.number FROM archive_reads r"
                         " JOIN customer_archives a ON a.id = r.archive_id")
        assert session.execute(linked).one() == ("KHDA-20261116-001", "XST-HD-KF-025-20261117-001")
    engine.dispose()
