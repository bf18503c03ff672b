"""A CSV export is streamed from the database while the download runs: memory stays flat (measured by
``python -m bench``), and on SQLite it reads on a connection of its own, so that a download in progress
never holds the write lock that every save needs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models.front_desk import CallRecord
from tests.test_auth import call_record_form

CALLS = "/admin/call_records/"


def test_a_save_goes_through_while_a_download_is_half_read(session: Any, as_user: Any) -> None:
    before = session.scalar(sa.select(sa.func.count()).select_from(CallRecord))
    download = as_user("head").get(CALLS + "export/csv/", buffered=False)
    assert download.status_code == 200
    chunks = iter(download.response)
    header, first = next(chunks), next(chunks)  # the query is open now
    saved = as_user("head").post(CALLS + "new/", call_record_form() | {"caller": "下载时来电"})
    rest = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
    download.close()
    assert saved.status_code == 302
    lines = (header + first if isinstance(header, bytes) else (header + first).encode()) + rest
    assert lines.decode("utf-8").count("\n") == before + 1  # the header and the rows it began with
    session.expire_all()
    assert session.scalar(sa.select(CallRecord.id).where(CallRecord.caller == "下载时来电")) is not None
