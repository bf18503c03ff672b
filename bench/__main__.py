"""``python -m bench [--rows N[,N…]] [--backend sqlite|postgresql|both] [--json]``: see bench/__init__.py."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from admin_app.database import make_engine
from bench import database, load, pages, report


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rows", default="10000",
                        help="rows in each big register; several separated by commas (default 10000)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--json-out", type=Path, help="also write the JSON to this file")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case (default 30)")
    parser.add_argument("--case-budget", type=float, default=120,
                        help="seconds a case may take: a page slower than budget/repeat is requested "
                             "fewer times (at least 5); 0 = always --repeat (default 120)")
    parser.add_argument("--pending", type=int, default=None,
                        help="approvals pending for head (default 100,000; 10 per row below 10,000 rows)")
    parser.add_argument("--import-budget", type=float, default=120,
                        help="seconds the import may run; rows/s is counted on what it did (default 120)")
    parser.add_argument("--only", default="", help="only the cases whose name contains one of these "
                                                   "comma-separated words; export and import only if named")
    parser.add_argument("--sql", type=int, nargs="?", const=160, default=0,
                        help="list each page's statements (their first SQL characters, default 160)")
    parser.add_argument("--compare", type=Path, nargs="+", metavar="JSON",
                        help="measure nothing: compare 1M with 10k rows in saved --json-out files")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="folder of the SQLite files (default /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the databases (kefu_bench_<rows>)")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database instead of building it")
    args = parser.parse_args(argv)
    args.sizes = [int(r.replace("_", "")) for r in args.rows.split(",") if r]
    args.backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    return args


def probe(*args: Any) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.probe", *map(str, args)], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode:
        raise RuntimeError(f"bench.probe {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(url: str, args: argparse.Namespace, chosen: Callable[[Flask], list[pages.Case]] | None,
            rows: int = 0) -> dict[str, pages.Timing]:
    """Time the cases ``chosen`` gives for the app, or the register cases when ``None``."""
    from admin_app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    runner = pages.Runner(app, repeat=args.repeat, budget=args.case_budget)
    wanted = [w for w in args.only.split(",") if w]
    out = {}
    for case in pages.cases(app, rows) if chosen is None else chosen(app):
        if wanted and not any(w in case.name for w in wanted):
            continue
        timing = runner.measure(case)
        out[case.name] = timing
        floor = f"{timing.floor_ms:.1f}" if timing.floor_ms is not None else "—"
        log(f"  {case.name:24} {timing.median_ms:10.1f} ms  floor {floor:>8} ms  "
            f"{timing.queries:4} SQL  n={timing.repeat}")
        if args.sql:
            shapes = Counter(" ".join(s[0].split())[:args.sql] for s in pages.counted(timing.statements))
            for shape, count in shapes.most_common():
                log(f"      {count:4}× {shape}")
            for ms, statement in sorted(timing.durations, reverse=True)[:3]:
                log(f"      slowest {ms:9.1f} ms  {' '.join(statement.split())[:args.sql]}")
    app.extensions["db_session"].remove()
    app.extensions["engine"].dispose()
    return out


def prepare(backend: str, rows: int, url: str, args: argparse.Namespace, templates: dict[str, str]) -> None:
    """A database with ``rows`` in each big register and no approval backlog."""
    if args.reuse and database.is_ready(url):
        log(f"{backend} {rows:,}: reusing {url}")
        engine = make_engine(url)
        load.remove_backlog(engine)
        load.settle(engine)  # PostgreSQL: the backlog's deleted rows would otherwise weigh on every page
        engine.dispose()
        return
    if backend not in templates:
        log(f"{backend}: migrating and seeding the template database …")
        templates[backend] = database.template(backend, args.workdir)
    log(f"{backend} {rows:,}: loading …")
    started = time.perf_counter()
    database.create(url, templates[backend], lambda engine: load.populate(engine, rows, log=log))
    log(f"{backend} {rows:,}: loaded in {time.perf_counter() - started:.0f} s")


def run(backend: str, rows: int, args: argparse.Namespace, templates: dict[str, str]) -> dict[str, Any]:
    """Register pages, export and import without the backlog; then the backlog and the pages it weighs on."""
    url = database.database_url(backend, rows, args.workdir)
    pending = load.pending_for_rows(rows) if args.pending is None else args.pending
    result: dict[str, Any] = {"info": {"backend": backend, "rows": rows, "pending": pending, "url": url}}
    prepare(backend, rows, url, args, templates)
    result["info"]["load"] = [os.getloadavg()[1]]  # the machine's 5-minute load average, before and after
    try:
        result["pages"] = measure(url, args, None, rows)
        size = min(100_000, rows)
        words = args.only.split(",") if args.only else ["export", "import"]
        if "export" in words:
            log(f"  export of {size:,} rows …")
            result["export"] = probe("export", url, size)
        if "import" in words:
            log(f"  import of up to {size:,} rows …")
            result["import"] = probe("import", url, size, args.import_budget)
        if pending:
            engine = make_engine(url)
            load.add_backlog(engine, pending, log=log)
            engine.dispose()
            result["pages"] |= measure(url, args, lambda _app: pages.backlog_cases())
        engine = make_engine(url)
        log(f"  已超时 {load.reopen_overdue(engine):,} 项(报修接报 5 分钟时限重新打开)")
        engine.dispose()
        result["pages"] |= measure(url, args, pages.overdue_cases)
    finally:
        result["info"]["load"].append(os.getloadavg()[1])
        if not args.keep:
            database.drop(url)
    return result


def machine() -> str:
    load1, load5, _ = os.getloadavg()
    return (f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load1:.1f} / {load5:.1f} at the end")


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.compare:
        print("\n".join(report.scaling(report.medians_of_json(args.compare))))
        return
    templates: dict[str, str] = {}
    runs: dict[str, dict[str, Any]] = {}
    try:
        for backend in args.backends:
            for rows in args.sizes:
                runs[f"{backend}_{rows}"] = run(backend, rows, args, templates)
    finally:
        for url in templates.values():
            database.drop(url)
    data = report.as_json(runs)
    if args.json_out:
        args.json_out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return
    lines = [f"# python -m bench — {machine()}", ""]
    for key, result in runs.items():
        lines += report.table(key, result)
    lines += report.scaling({key: {name: t.median_ms for name, t in run["pages"].items()}
                             for key, run in runs.items()})
    print("\n".join(lines))


if __name__ == "__main__":
    main()
