"""The issue's targets (#7), the table and the JSON."""

from __future__ import annotations

from typing import Any

#: Median time a page may take, in ms, by case kind (a save has no target of its own).
TIME_TARGETS = {"list": 25, "deep": 40, "status": 30, "dates": 30, "search": 50, "edit": 25, "details": 25,
                "inbox": 50, "board": 50}
MAX_QUERIES = 5
MAX_SCALING = 1.3  # a page at 1M rows against the same page at 10k
EXPORT_PEAK_MB = 200
IMPORT_ROWS_PER_S = 20_000
SMALL, LARGE = 10_000, 1_000_000
#: Cases whose 1M and 10k pages differ by more than the table: not held to MAX_SCALING.
NOT_COMPARED = {"deep_page": "page 1000 at 1M, the last page at 10k: compare page_500"}


def mark(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "MISSED")


def as_json(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``{"<backend>_<rows>": {case: {median_ms, floor_ms, ratio, queries}}, "export_100k": …,
    "import_rows_per_s": …}``; with several runs the two last are the worst of them, and
    ``per_run`` holds each run's."""
    out: dict[str, Any] = {}
    for key, run in runs.items():
        out[key] = {name: {"median_ms": round(t.median_ms, 2),
                           "floor_ms": round(t.floor_ms, 2) if t.floor_ms is not None else None,
                           "ratio": round(t.ratio, 2) if t.ratio is not None else None,
                           "queries": t.queries}
                    for name, t in run["pages"].items()}
    exports = [r["export"] for r in runs.values() if r.get("export")]
    imports = [r["import"] for r in runs.values() if r.get("import")]
    if exports:
        out["export_100k"] = {"seconds": round(max(e["seconds"] for e in exports), 2),
                              "peak_mb": round(max(e["peak_mb"] for e in exports), 1)}
    if imports:
        out["import_rows_per_s"] = round(min(i["rows_per_s"] for i in imports), 1)
        out["import_floor_rows_per_s"] = round(min(i.get("floor_rows_per_s", 0.0) for i in imports), 1)
    if len(runs) > 1:
        out["per_run"] = {key: {"export_100k": _export(r.get("export")),
                                "import_rows_per_s": round(r["import"]["rows_per_s"], 1) if r.get("import")
                                else None,
                                "import_floor_rows_per_s": round(r["import"].get("floor_rows_per_s", 0.0), 1)
                                if r.get("import") else None}
                          for key, r in runs.items()}
    return out


def _export(export: dict[str, Any] | None) -> dict[str, float] | None:
    if export is None:
        return None
    return {"seconds": round(export["seconds"], 2), "peak_mb": round(export["peak_mb"], 1)}


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(key: str, run: dict[str, Any]) -> list[str]:
    info = run["info"]
    load = " → ".join(f"{x:.1f}" for x in info.get("load", []))
    lines = [f"## {key}: {info['backend']}, {info['rows']:,} rows in each big register, "
             f"{info['pending']:,} approvals pending for head (machine load average {load})", ""]
    lines += ["| case | median ms | floor ms | page/floor | SQL | n | target | time | SQL ≤ 5 |",
              "|---|---:|---:|---:|---:|---:|---|---|---|"]
    for name, t in run["pages"].items():
        kind = t.kind
        target = TIME_TARGETS.get(kind)
        ratio = f"{t.ratio:.1f}×" if t.ratio is not None else "—"
        sql_ok = None if kind == "save" else t.queries <= MAX_QUERIES
        note = f" ({t.note})" if t.note else ""
        lines.append(f"| {name}{note} | {_ms(t.median_ms)} | {_ms(t.floor_ms)} | {ratio} | {t.queries} | "
                     f"{t.repeat} | {f'≤ {target} ms' if target else '—'} | "
                     f"{mark(t.median_ms <= target if target else None)} | {mark(sql_ok)} |")
    lines.append("")
    export = run.get("export")
    if export:
        scaled = "" if export["rows"] >= 100_000 else " (scaled down: fewer rows than 100k)"
        lines.append(f"- export CSV of {export['rows']:,} call records{scaled}: {export['seconds']:.1f} s, "
                     f"peak +{export['peak_mb']:.0f} MB (process {export['process_peak_mb']:.0f} MB) — "
                     f"target < {EXPORT_PEAK_MB} MB: {mark(export['peak_mb'] < EXPORT_PEAK_MB)}")
    imported = run.get("import")
    if imported:
        floor = imported.get("floor_rows_per_s")
        met = mark(imported["rows_per_s"] >= IMPORT_ROWS_PER_S)
        lines.append(f"- import via {imported['path']}: {imported['rows']:,} rows in "
                     f"{imported['seconds']:.1f} s = {imported['rows_per_s']:,.0f} rows/s"
                     + (f" (floor: the same rows by Core executemany {floor:,.0f} rows/s)" if floor else "")
                     + f" — target ≥ {IMPORT_ROWS_PER_S:,}: {met}")
    lines.append("")
    return lines


def scaling(medians: dict[str, dict[str, float]]) -> list[str]:
    """Each page at 1M rows against 10k rows, per backend, where both were measured.
    ``medians``: ``{"<backend>_<rows>": {case: median_ms}}``, e.g. the JSON of two runs merged."""
    lines: list[str] = []
    for backend in ("sqlite", "postgresql"):
        small, large = medians.get(f"{backend}_{SMALL}"), medians.get(f"{backend}_{LARGE}")
        if not small or not large:
            continue
        lines += [f"## {backend}: 1M rows against 10k rows (target ≤ {MAX_SCALING}×)", "",
                  "| case | 10k ms | 1M ms | 1M/10k | ≤ 1.3× |", "|---|---:|---:|---:|---|"]
        for name, median in large.items():
            if name not in small:
                continue
            factor = median / small[name]
            why = NOT_COMPARED.get(name.rpartition(".")[2])
            lines.append(f"| {name} | {_ms(small[name])} | {_ms(median)} | {factor:.2f}× | "
                         f"{f'— ({why})' if why else mark(factor <= MAX_SCALING)} |")
        lines.append("")
    return lines


def medians_of_json(files: list[Any]) -> dict[str, dict[str, float]]:
    """The page medians of saved ``--json`` outputs, merged."""
    import json

    out: dict[str, dict[str, float]] = {}
    for path in files:
        for key, block in json.loads(path.read_text(encoding="utf-8")).items():
            if key.split("_")[0] in ("sqlite", "postgresql") and isinstance(block, dict):
                out.setdefault(key, {}).update({name: page["median_ms"] for name, page in block.items()})
    return out
