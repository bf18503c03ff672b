"""Rows of a register whose rows are independent (``Register.independent_rows``) are written a batch at a
time; what the file does is what it did row by row: every fault reported at its line, nothing written on a
fault, a key named twice updating one record, each record numbered and given its 办理时限."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from models.deadlines import DueItem
from models.repairs import RepairOrder
from seed import loader
from seed.loader import SeedError, load


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "BATCH", 3)


def order(minute: int, **values: Any) -> dict[str, Any]:
    return {"called_at": f"2026-11-20 09:{minute:02d}", "resident": f"住户{minute}", "room": "A栋/101",
            "phone": "13800000000", "content": "水龙头漏水", "recorded_by": "clerk", "department": "客服部",
            "dispatched_at": f"2026-11-20 10:{minute:02d}"} | values


def write(folder: Path, rows: list[dict[str, Any]]) -> Path:
    folder.mkdir()
    text = yaml.safe_dump({"model": "RepairOrder", "rows": rows}, allow_unicode=True, sort_keys=False)
    (folder / "90_orders.yaml").write_text(text, encoding="utf-8")
    return folder


def orders(session: Any) -> list[RepairOrder]:
    return list(session.scalars(sa.select(RepairOrder).where(RepairOrder.content.like("水龙头%"))
                                .order_by(RepairOrder.called_at)))


def test_the_register_declares_its_rows_independent() -> None:
    assert RepairOrder.__register__.independent_rows


def test_rows_of_several_batches_are_numbered_and_given_their_deadline(session: Any, tmp_path: Path) -> None:
    load(session, write(tmp_path / "data", [order(m) for m in range(7)]))
    written = orders(session)
    assert [o.resident for o in written] == [f"住户{m}" for m in range(7)]
    assert len({o.number for o in written}) == 7 and all(o.number for o in written)
    due = session.scalars(sa.select(DueItem.record_id).where(DueItem.register == "RepairOrder")).all()
    assert {o.id for o in written} <= set(due)


def test_bad_rows_in_two_batches_are_each_reported_and_nothing_is_written(session: Any,
                                                                         tmp_path: Path) -> None:
    rows = [order(m) for m in range(7)]
    rows[1]["room"] = "A栋/999"
    rows[5]["phone"] = None
    with pytest.raises(SeedError) as refused:
        load(session, write(tmp_path / "data", rows))
    problems = refused.value.problems
    assert len(problems) == 2
    assert "找不到" in problems[0] and "A栋/999" in problems[0]
    assert "phone" in problems[1] or "联系电话" in problems[1]
    assert orders(session) == []


def test_a_key_named_twice_in_one_batch_updates_one_record(session: Any, tmp_path: Path) -> None:
    rows = [order(0), order(1, content="水龙头漏水(首次)"), order(1, content="水龙头漏水(复查)"), order(2)]
    load(session, write(tmp_path / "data", rows))
    written = orders(session)
    assert [o.content for o in written] == ["水龙头漏水", "水龙头漏水(复查)", "水龙头漏水"]


def test_a_second_load_of_the_same_file_changes_nothing(session: Any, tmp_path: Path) -> None:
    data = write(tmp_path / "data", [order(m) for m in range(5)])
    load(session, data)
    first = [(o.id, o.number) for o in orders(session)]
    report = load(session, data)
    assert [(o.id, o.number) for o in orders(session)] == first
    assert report.counts["90_orders.yaml"] == {"新增": 0, "更新": 0, "未变": 5}


def test_a_natural_key_through_a_link_is_looked_up_row_by_row(session: Any) -> None:
    from models.reference import Building, Room

    rows = [{"building": "A栋", "number": "101", "__line__": 1}]
    assert loader.keyed_rows(session, Room, rows, loader.SEED) == {}
    building = loader.resolve(session, Building, "A栋")
    room = loader.find_keyed(session, Room, {"building": building, "number": "101"})
    assert (room.building.name, room.number) == ("A栋", "101")
