"""Export and import, each in a process of its own so that its peak memory is its own.

``python -m bench.probe export URL ROWS``: the clerk exports the latest ROWS call records as CSV
through the list's own export button (Flask-Admin's streamed CSV, filtered by 登记时间 > a moment);
time, and the peak resident memory during the export above the resident memory before it (VmHWM, reset
just before the export, less VmRSS).

``python -m bench.probe import URL ROWS BUDGET``: ROWS repair orders through the seed loader
(``seed.loader.load``, the ``flask seed`` path: YAML parsing, natural-key lookup, a savepoint per row,
the model hooks that number the record and write its 办理时限), in files of 5,000 rows, one
transaction each, until ROWS are in or BUDGET seconds have passed; and its floor, the same rows written
again by Core alone (:func:`insert_floor`). The rows are deleted afterwards.
Each prints one JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

CHUNK = 5_000


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (its peak) of this process, from Linux's /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def _reset_peak() -> None:
    """Start VmHWM again from the current RSS (Linux ≥ 4.0). ``ru_maxrss`` would not do: it is kept across
    ``execve``, so a probe started by a big benchmark process inherits its parent's peak."""
    Path("/proc/self/clear_refs").write_text("5")


def export(url: str, rows: int) -> dict[str, Any]:
    from admin_app import create_app
    from bench.pages import filter_arg, sign_in
    from models.front_desk import CallRecord
    from views import view_for

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    session = app.extensions["db_session"]
    with app.app_context():
        nth = session.scalar(sa.select(CallRecord.recorded_at).order_by(CallRecord.recorded_at.desc())
                             .offset(rows - 1).limit(1))
        since = nth - dt.timedelta(seconds=1)
        expected = session.scalar(sa.select(sa.func.count()).select_from(CallRecord)
                                  .where(CallRecord.recorded_at > since))
        session.remove()
    view = view_for(app.extensions["kefu_admin"], CallRecord)
    arg = filter_arg(view, "recorded_at", "DateTimeGreaterFilter")
    client = sign_in(app, "clerk")
    assert client.get("/admin/call_records/").status_code == 200  # warm: templates, mappers, pool
    before = _status_mb("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    response = client.get(f"/admin/call_records/export/csv/?{arg}={since:%Y-%m-%d %H:%M:%S}", buffered=False)
    lines = size = 0
    for chunk in response.response:  # streamed as to a browser; nothing kept
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise AssertionError(f"export answered {response.status_code}")
    if lines - 1 < expected:
        raise AssertionError(f"export gave {lines - 1} lines for {expected} rows")
    return {"rows": expected, "seconds": seconds, "bytes": size,
            "peak_mb": _status_mb("VmHWM") - before, "process_peak_mb": _status_mb("VmHWM")}


def import_rows(url: str, rows: int, budget: float) -> dict[str, Any]:
    from admin_app import create_app
    from bench.fake import REPAIR_ITEMS, RESULTS, Fake
    from models.deadlines import DueItem
    from models.reference import Room
    from models.repairs import RepairOrder
    from seed.loader import load

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    session = app.extensions["db_session"]
    fake = Fake(7)
    with app.app_context():
        last_id = session.scalar(sa.select(sa.func.max(RepairOrder.id))) or 0
        first = session.scalar(sa.select(sa.func.min(RepairOrder.called_at))) or dt.datetime(2026, 1, 1)
        rooms = [f"{r.building.name}/{r.number}" for r in session.scalars(sa.select(Room))]
        session.remove()
    start = first - dt.timedelta(days=rows // 200 + 2)  # an older paper register, 200 orders a day
    done = 0
    seconds = 0.0
    with tempfile.TemporaryDirectory() as folder, app.app_context():
        while done < rows and seconds < budget:
            count = min(CHUNK, rows - done)
            doc = {"model": "RepairOrder", "rows": []}
            for i in range(done, done + count):
                called = start + dt.timedelta(minutes=7 * i)
                doc["rows"].append({
                    "called_at": f"{called:%Y-%m-%d %H:%M}", "resident": fake.name(),
                    "room": fake.pick(rooms),
                    "phone": fake.phone(), "content": fake.pick(REPAIR_ITEMS),
                    "dispatched_at": f"{called + dt.timedelta(minutes=3):%Y-%m-%d %H:%M}",
                    "engineer": "engineer", "done_at": f"{called + dt.timedelta(hours=2):%Y-%m-%d %H:%M}",
                    "result": fake.pick(RESULTS), "recorded_by": "clerk", "department": "客服部",
                    "recorded_at": f"{called + dt.timedelta(minutes=2):%Y-%m-%d %H:%M}",
                })
            text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
            path = Path(folder) / "90_import.yaml"
            path.write_text(text, encoding="utf-8")
            started = time.perf_counter()
            load(session, Path(folder))
            seconds += time.perf_counter() - started
            session.remove()
            done += count
        added = session.scalar(sa.select(sa.func.count()).select_from(RepairOrder)
                               .where(RepairOrder.id > last_id))
        session.remove()
        floor = insert_floor(app.extensions["engine"], last_id)
        session.execute(sa.delete(DueItem).where(DueItem.register == "RepairOrder",
                                                 DueItem.record_id > last_id))
        session.execute(sa.delete(RepairOrder).where(RepairOrder.id > last_id))
        session.commit()
    if added != done:
        raise AssertionError(f"imported {done} rows but {added} are in the table")
    return {"rows": done, "seconds": seconds, "rows_per_s": done / seconds if seconds else 0.0,
            "floor_seconds": floor, "floor_rows_per_s": done / floor if floor else 0.0,
            "path": "seed.loader.load (flask seed), RepairOrder, files of 5,000 rows"}


def insert_floor(engine: sa.Engine, last_id: int) -> float:
    """Seconds the database takes to write what the import wrote, given it ready-made: the imported repair
    orders and their 办理时限 rows, read back, deleted and inserted again with one executemany each through
    Core (the search index's triggers and every index as for the import), in a transaction rolled back.
    The audit entries are left out: the log refuses deletes, so they cannot be written twice."""
    from models.deadlines import DueItem
    from models.repairs import RepairOrder

    orders, items = RepairOrder.__table__, DueItem.__table__
    mine = (items.c.register == "RepairOrder") & (items.c.record_id > last_id)
    with engine.connect() as conn:
        new = orders.c.id > last_id
        order_rows = [dict(r) for r in conn.execute(sa.select(orders).where(new)).mappings()]
        item_rows = [dict(r) for r in conn.execute(sa.select(items).where(mine)).mappings()]
        conn.execute(items.delete().where(mine))
        conn.execute(orders.delete().where(new))
        started = time.perf_counter()
        for at in range(0, len(order_rows), CHUNK):  # the import's files: one statement per 5,000
            conn.execute(orders.insert(), order_rows[at:at + CHUNK])
        for at in range(0, len(item_rows), CHUNK):
            conn.execute(items.insert(), item_rows[at:at + CHUNK])
        seconds = time.perf_counter() - started
        conn.rollback()
    return seconds


def main(argv: list[str]) -> None:
    what, url, rows = argv[0], argv[1], int(argv[2])
    out = export(url, rows) if what == "export" else import_rows(url, rows, float(argv[3]))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
