"""Residence changes leave a trail: each check-in, room change, renewal, hold and check-out writes its
异动表 row by itself, in the same transaction; a refused change writes none; nobody edits the log."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from models.reference import Room, User
from models.residence import ResidenceChange, Resident

CASES = {
    "入住": ("/admin/resident_admissions/new/", {"move_in_at": "2026-11-30 10:00:00"}),
    "换房": ("/admin/room_changes/new/", {"changed_at": "2026-11-23 15:00:00", "reason": "想住朝南的房间"}),
    "续签": ("/admin/contract_renewals/new/", {"renewed_at": "2026-11-23 11:00:00",
                                           "new_end_on": "2027-11-30"}),
    "保留": ("/admin/room_holds/new/", {"held_from": "2026-12-01", "reason": "回家过年", "fee": "6000"}),
    "退房": ("/admin/resident_check_outs/new/", {"check_out_at": "2026-11-23 16:00:00",
                                             "deposit_handling": "申请退回"}),
}


def room(session: Any, number: str) -> int:
    return session.scalar(sa.select(Room.id).where(Room.number == number).limit(1))


@pytest.fixture
def resident(session: Any) -> int:
    person = Resident(name="测试长者", member_card_no="HY-T-001", status="在住")
    session.add(person)
    session.commit()
    return person.id


def changes(session: Any, resident_id: int) -> list[ResidenceChange]:
    session.expire_all()
    return list(session.scalars(sa.select(ResidenceChange).where(ResidenceChange.resident_id == resident_id)
                                .order_by(ResidenceChange.id)))


def form(session: Any, resident_id: int, extra: dict[str, str]) -> dict[str, Any]:
    return {"resident": str(resident_id), "room": str(room(session, "101")),
            "from_room": str(room(session, "101")), "to_room": str(room(session, "203")), **extra}


@pytest.mark.parametrize("kind", list(CASES))
def test_each_residence_change_writes_its_row(head: Any, session: Any, resident: int, kind: str) -> None:
    url, extra = CASES[kind]
    response = head.post(url, form(session, resident, extra))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    rows = changes(session, resident)
    assert [r.kind for r in rows] == [kind]
    head_id = session.scalar(sa.select(User.id).where(User.username == "head"))
    assert rows[0].recorded_by_id == head_id
    assert rows[0].source


def test_room_change_row_names_both_rooms_and_the_time(head: Any, session: Any, resident: int) -> None:
    url, extra = CASES["换房"]
    head.post(url, form(session, resident, extra))
    (row,) = changes(session, resident)
    assert "101" in row.summary and "203" in row.summary
    assert row.effective_at.isoformat(sep=" ") == "2026-11-23 15:00:00"


def test_a_refused_change_writes_no_row(head: Any, session: Any, resident: int) -> None:
    url, extra = CASES["换房"]
    data = form(session, resident, {**extra, "to_room": "999999"})
    assert head.post(url, data).status_code == 200
    data = form(session, resident, {**extra, "changed_at": "不是时间"})
    assert head.post(url, data).status_code == 200
    assert changes(session, resident) == []


def test_correcting_a_change_writes_a_correction_row(head: Any, session: Any, resident: int) -> None:
    url, extra = CASES["换房"]
    head.post(url, form(session, resident, extra))
    from models.residence import RoomChange

    change_id = session.scalar(sa.select(sa.func.max(RoomChange.id)))
    data = form(session, resident, {**extra, "to_room": str(room(session, "305"))})
    assert head.post(f"/admin/room_changes/edit/?id={change_id}", data).status_code == 302
    kinds = [r.kind for r in changes(session, resident)]
    assert kinds == ["换房", "换房(更正)"]
    assert "305" in changes(session, resident)[-1].summary


def test_the_change_log_cannot_be_written_by_hand(head: Any, session: Any, resident: int) -> None:
    url, extra = CASES["换房"]
    head.post(url, form(session, resident, extra))
    (row,) = changes(session, resident)
    assert head.get("/admin/residence_changes/").status_code == 200
    assert head.get("/admin/residence_changes/new/").status_code == 403
    forged = {"resident": str(resident), "kind": "换房"}
    assert head.post("/admin/residence_changes/new/", forged).status_code == 403
    assert head.get(f"/admin/residence_changes/edit/?id={row.id}").status_code == 403
    assert head.post("/admin/residence_changes/delete/", {"id": row.id}).status_code == 403
    assert head.post("/admin/residence_changes/action/",
                     {"action": "delete", "rowid": row.id}).status_code == 403
    assert [r.id for r in changes(session, resident)] == [row.id]
