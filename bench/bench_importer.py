"""Benchmark of the ledger importer (importers.read_ledger): reading + validation time and
peak memory on synthetic valid ledgers.

    .venv/bin/python bench/bench_importer.py [--rows 1000000] [--xlsx-rows 200000] [--bad-rows 10000]

Files are generated once into bench/out/ (git-ignored). Each measurement runs in a fresh
process so that its peak resident memory (getrusage ru_maxrss) is its own; the file's bytes
are read (and a small file imported once, to warm up) before the baseline is taken.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
OUT = HERE / "out"


def peak_rss_mb() -> float:
    """Peak resident memory of this process. VmHWM, unlike ru_maxrss, does not inherit the
    parent's peak across fork + exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def generate_csv(rows: int, bad_rows: int = 0) -> Path:
    path = OUT / (f"ledger_{rows}.csv" if not bad_rows else f"ledger_{rows}_bad{bad_rows}.csv")
    if not path.exists():
        from synthetic_ledger import synthetic_ledger

        frame = synthetic_ledger(rows)
        if bad_rows:  # spread errors: unknown 举报类型, empty 承办人, a duplicate 举报编号
            step = max(1, rows // bad_rows)
            frame.loc[::step, "举报类型"] = "涉政"
            frame.loc[1::step, "承办人"] = ""
            frame.loc[2::step, "举报编号"] = frame.loc[0, "举报编号"]
        OUT.mkdir(exist_ok=True)
        frame.to_csv(path, index=False, encoding="utf-8")
    return path


def generate_xlsx(rows: int) -> Path:
    path = OUT / f"ledger_{rows}.xlsx"
    if not path.exists():
        import pandas as pd
        from openpyxl import Workbook
        from synthetic_ledger import synthetic_ledger

        frame = synthetic_ledger(rows, seed=2)
        # 受理时间 as real date-time cells, the rest as text, like a sheet typed in Excel
        received = pd.to_datetime(frame["受理时间"]).dt.to_pydatetime()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("台账")
        sheet.append(list(frame.columns))
        for stamp, values in zip(received, frame.itertuples(index=False, name=None)):
            values = list(values)
            values[3] = stamp
            sheet.append(values)
        OUT.mkdir(exist_ok=True)
        workbook.save(path)
    return path


def measure(path: Path) -> dict:
    """Run in a fresh process: time importers.read_ledger on the file."""
    from importers import read_ledger
    from importers import validate as validation
    from importers.reader import read_sheet

    from synthetic_ledger import synthetic_ledger

    warm_up = synthetic_ledger(50).to_csv(index=False).encode()  # first-call imports of pandas
    read_ledger(warm_up, "warm_up.csv", "2026-10")
    data = path.read_bytes()
    baseline = peak_rss_mb()
    start = time.perf_counter()
    sheet = read_sheet(data, path.name)
    read_seconds = time.perf_counter() - start
    checked = validation.validate(sheet.text, "2026-10", sheet.row_numbers, sheet.raw_column, sheet.date1904)
    total_seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    del sheet, checked
    start = time.perf_counter()
    result = read_ledger(data, path.name, "2026-10")
    api_seconds = time.perf_counter() - start
    errors = len(result.error_frame)
    workbook_seconds = None
    if not result.ok:
        from importers import build_error_workbook

        start = time.perf_counter()
        build_error_workbook(result)
        workbook_seconds = round(time.perf_counter() - start, 2)
    return {
        "file": path.name, "megabytes": round(len(data) / 1e6, 1), "rows": result.rows_read,
        "errors": errors, "accepted": result.ok,
        "read_s": round(read_seconds, 2), "validate_s": round(total_seconds - read_seconds, 2),
        "read_plus_validate_s": round(total_seconds, 2), "read_ledger_s": round(api_seconds, 2),
        "rows_per_s": int(result.rows_read / api_seconds),
        "baseline_rss_mb": round(baseline), "peak_rss_mb": round(peak),
        "peak_over_baseline_mb": round(peak - baseline), "error_workbook_s": workbook_seconds,
    }


def run_measurement(path: Path) -> dict:
    output = subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000, help="0 to skip the .xlsx case")
    parser.add_argument("--bad-rows", type=int, default=10_000, help="0 to skip the rejected-file case")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    cases = [generate_csv(args.rows)]
    if args.bad_rows:
        cases.append(generate_csv(args.rows, args.bad_rows))
    if args.xlsx_rows:
        cases.append(generate_xlsx(args.xlsx_rows))
    for path in cases:
        figures = run_measurement(path)
        print(
            f"{figures['file']}: {figures['megabytes']} MB, {figures['rows']:,} rows, "
            f"{'accepted' if figures['accepted'] else 'rejected with ' + format(figures['errors'], ',') + ' errors'}; "
            f"read {figures['read_s']} s + validate {figures['validate_s']} s = {figures['read_plus_validate_s']} s "
            f"(read_ledger {figures['read_ledger_s']} s, {figures['rows_per_s']:,} rows/s); "
            f"peak RSS {figures['peak_rss_mb']} MB ({figures['peak_over_baseline_mb']} MB over the file in memory)"
            + (f"; error workbook {figures['error_workbook_s']} s" if figures["error_workbook_s"] is not None else "")
        )
        print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
