"""The benchmark tool runs end to end and reports the agreed JSON shape (no timing is asserted)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench import load, report
from models.deadlines import DueItem
from models.repairs import RepairOrder

ROOT = Path(__file__).resolve().parent.parent
PAGE_KEYS = {"median_ms", "floor_ms", "ratio", "queries"}


def test_bench_prints_one_json_object_of_every_case(tmp_path: Path) -> None:
    # Few repetitions and a small backlog keep the run short; the shape does not depend on them.
    command = [sys.executable, "-m", "bench", "--rows", "1000", "--backend", "sqlite", "--json",
               "--repeat", "2", "--pending", "300", "--import-budget", "5", "--workdir", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]

    data = json.loads(done.stdout)

    assert set(data) == {"sqlite_1000", "export_100k", "import_rows_per_s", "import_floor_rows_per_s"}
    pages = data["sqlite_1000"]
    for register in ("calls", "repairs", "loans"):
        for case in ("list", "deep_page", "page_500", "search_name", "filter_status", "filter_dates",
                     "edit_form", "save", "details"):
            assert f"{register}.{case}" in pages
    assert {"board_no_backlog", "inbox", "board", "calls.list_with_backlog",
            "repairs.filter_status_overdue_backlog", "board_overdue_backlog"} <= set(pages)
    for name, page in pages.items():
        assert set(page) == PAGE_KEYS, name
        assert all(isinstance(page[k], int | float) and page[k] > 0 for k in PAGE_KEYS), (name, page)
        assert isinstance(page["queries"], int)
    assert set(data["export_100k"]) == {"seconds", "peak_mb"}
    assert data["export_100k"]["seconds"] > 0 and data["export_100k"]["peak_mb"] >= 0
    assert data["import_rows_per_s"] > 0 and data["import_floor_rows_per_s"] > 0
    assert not list(tmp_path.glob("*.db")), "databases are dropped unless --keep"


def test_scaling_holds_the_same_page_to_the_target_and_not_pages_at_different_offsets() -> None:
    medians = {"sqlite_10000": {"calls.list": 10.0, "calls.page_500": 10.0, "calls.deep_page": 10.0},
               "sqlite_1000000": {"calls.list": 20.0, "calls.page_500": 12.0, "calls.deep_page": 20.0}}

    lines = report.scaling(medians)
    rows = {line.split(" | ")[0].strip("| "): line for line in lines if line.startswith("| calls")}

    assert rows["calls.list"].endswith("| 2.00× | MISSED |")
    assert rows["calls.page_500"].endswith("| 1.20× | met |")
    assert "| 2.00× | — (page 1000 at 1M, the last page at 10k" in rows["calls.deep_page"]


def test_the_overdue_backlog_is_put_back_as_it_was(app: Flask) -> None:
    engine = app.extensions["engine"]
    load.populate(engine, 200, log=lambda _line: None)
    items = DueItem.__table__
    repairs = items.c.register == RepairOrder.__name__

    def met() -> dict[int, Any]:
        with engine.connect() as conn:
            return dict(conn.execute(sa.select(items.c.id, items.c.done_at).where(repairs)).all())

    before = met()
    reopened = load.reopen_overdue(engine, share=1.0, older_than=-dt.timedelta(days=1))  # every one met

    assert reopened == sum(at is not None for at in before.values()) > 0
    assert all(at is None for at in met().values())
    load.restore_overdue(engine)
    assert met() == before
