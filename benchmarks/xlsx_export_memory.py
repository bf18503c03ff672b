"""Peak memory and time of a register's XLSX export: the streamed write-only workbook against
Flask-Admin's in-memory tablib export, on N records (default 20,000).

    .venv/bin/python benchmarks/xlsx_export_memory.py [N]

Builds a throw-away SQLite database (migrated and seeded as `make run` does). Not a test: the numbers
depend on the machine; the tests check what the file holds.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_admin.contrib.sqla import ModelView
from flask_login import login_user

from admin_app import create_app, migrate
from models.finance import TeaRoomIncome
from models.reference import User
from seed.loader import load


def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "TESTING": True})
    migrate.upgrade(app.extensions["engine"])
    with app.app_context():
        load(app.extensions["db_session"])
    rows = [{"number": f"B-{i:06d}", "sold_on": dt.date(2026, 11, 20), "item": f"普洱茶{i}",
             "qty": Decimal(1), "amount": Decimal("12345.60"), "payment_method": "现金",
             "receipt_no": f"R{i}", "remarks": "=1+1" if i % 100 == 0 else "备注"} for i in range(count)]
    with app.extensions["engine"].begin() as conn:
        conn.execute(sa.insert(TeaRoomIncome), rows)
    view = next(v for v in app.extensions["kefu_admin"]._views if getattr(v, "model", None) is TeaRoomIncome)
    with app.app_context():
        clerk = app.extensions["db_session"].scalar(sa.select(User.id).where(User.username == "clerk"))

    def measure(label: str, export: object) -> None:
        with app.test_request_context("/admin/tea_room_incomes/export/xlsx/"):
            login_user(app.extensions["db_session"].get(User, clerk))
            tracemalloc.start()
            started = time.perf_counter()
            response = export()  # type: ignore[operator]
            body = b"".join(response.response) if response.is_streamed else response.get_data()
            seconds = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            response.close()
        print(f"{label:<28} {count} 行  峰值 {peak / 2**20:7.1f} MB  用时 {seconds:6.1f} s  "
              f"文件 {len(body) / 2**20:.1f} MB")

    measure("流式 write-only(现在)", lambda: view._export_tablib("xlsx", "/"))
    measure("tablib 内存中(Flask-Admin)", lambda: ModelView._export_tablib(view, "xlsx", "/"))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
