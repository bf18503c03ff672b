"""The load script runs end to end against gunicorn and reports the agreed JSON shape (no timing is
asserted). PostgreSQL only, like the script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import postgres_url
from tests.test_two_servers import reachable

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"list", "search", "edit", "save", "create", "submit", "inbox", "approve"}
SUMMARY = {"requests", "rps", "median_ms", "p95_ms", "errors", "conflicts"}


def test_traffic_prints_one_json_object_of_every_kind() -> None:
    base = postgres_url()
    if base is None or not reachable(base):
        pytest.skip("PostgreSQL 不可用(127.0.0.1:5432 或 TEST_DATABASE_URL)")
    command = [sys.executable, "-m", "bench.traffic", "--seconds", "4", "--users", "2", "--rows", "300",
               "--pending", "30", "--json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "BENCH_DATABASE_URL": base})
    assert done.returncode == 0, done.stderr[-3000:]

    data = json.loads(done.stdout)

    assert set(data["kinds"]) == KINDS
    for kind, summary in [*data["kinds"].items(), ("overall", data["overall"])]:
        assert set(summary) == SUMMARY, kind
    assert data["overall"]["requests"] > 0 and data["overall"]["errors"] == 0, done.stderr[-3000:]
    assert data["info"]["server_tracebacks"] == 0
    assert data["info"]["written"]["leave_requests"] == data["kinds"]["create"]["requests"]
