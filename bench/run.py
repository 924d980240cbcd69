"""``make bench``: the utilisation report against one hand-written SQL aggregate, and its memory.

On PostgreSQL (``BENCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/ic_bench; the
database is created when missing): 2,000 instruments of 200 units, 100,000 service records in 2024
and 1,000,000 in 2025 (made once, kept for later runs). For each year the report runs in a fresh
process (as a worker would) and is timed; ``bench/hand.sql`` computes the same per-instrument
figures in one query, timed too, and every one of its numbers is compared with the report's rows.
Both run three times in turns; the medians are compared (the peak memory is the largest).
Targets: report time ≤ 2 × the hand SQL's, and peak memory at 1M records ≤ 1.2 × at 100k.
``--explain`` also prints EXPLAIN ANALYZE of the report's pass over the records and of the hand SQL.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from bench.django_env import database_url, ensure_database, setup

HERE = Path(__file__).resolve().parent
YEARS = {2024: 100_000, 2025: 1_000_000}
REPETITIONS = 3
TIME_TARGET = 2.0
MEMORY_TARGET = 1.2
# (report column, hand SQL column) compared for "the same output"
COMPARED = {
    "effective_hours": 1,
    "external_hours": 2,
    "services": 3,
    "internal_users": 4,
    "external_users": 5,
    "enterprises": 6,
    "external_income": 7,
    "rating": 8,
}


def hand_sql(period):
    """Seconds of the hand SQL, on a session tuned as the report's is (the same work_mem, no JIT),
    so the ratio compares the work each does, not their settings."""
    from django.db import DEFAULT_DB_ALIAS, connection

    from reports.computing.sql import analytic_session

    start, end = period.bounds()
    params = {"start": start, "end": end, "end_day": period.end}
    sql = (HERE / "hand.sql").read_text()
    with analytic_session(DEFAULT_DB_ALIAS), connection.cursor() as cursor:
        cursor.execute(sql, params)  # once to warm the cache as the report's run had it
        cursor.fetchall()
        began = time.perf_counter()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        return time.perf_counter() - began, rows


def report_in_subprocess(period) -> tuple[dict, int]:
    from reports.models import ReportRun

    run = ReportRun.objects.create(
        kind="utilisation", period_kind=period.kind, period_start=period.start, period_end=period.end
    )
    out = subprocess.run(
        [sys.executable, "-m", "bench.run_report", str(run.pk)],
        cwd=HERE.parent,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1]), run.pk


def compare(run_id: int, hand_rows) -> list[str]:
    """Every figure of every instrument, the report's against the hand SQL's; the differences."""
    from reports.computing.utilisation import INSTRUMENT_COLUMNS
    from reports.models import ReportRow

    index = {key: n for n, (key, _fmt) in enumerate(INSTRUMENT_COLUMNS)}
    report = {
        values[0]: values
        for values in ReportRow.objects.filter(run_id=run_id, table="instruments").values_list("values", flat=True)
    }
    differences = []
    if set(report) != {row[0] for row in hand_rows}:
        differences.append(f"instruments differ: {len(report)} in the report, {len(hand_rows)} by hand")
    for row in hand_rows:
        values = report.get(row[0])
        if values is None:
            continue
        for key, column in COMPARED.items():
            mine = row[column]
            mine = None if mine is None else (mine if isinstance(mine, int) else str(mine))
            if values[index[key]] != mine:
                differences.append(f"instrument {row[0]} {key}: report {values[index[key]]!r}, hand SQL {mine!r}")
    return differences


def explain(period) -> None:
    from django.db import connection

    from reports.computing.usage import _pairs
    from reports.scope import Scope

    start, end = period.bounds()
    sql, params = _pairs(period, Scope(), connection.vendor).query.sql_with_params()
    with connection.cursor() as cursor:
        for title, text, args in (
            ("report: its pass over the records (usage._pairs)", sql, params),
            ("hand SQL", (HERE / "hand.sql").read_text(), {"start": start, "end": end, "end_day": period.end}),
        ):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + text, args)
            print(f"\n--- EXPLAIN ANALYZE {title}")
            print("\n".join(line for (line,) in cursor.fetchall()))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv) -> int:
    print(f"Benchmark database: {urlparse(database_url()).path.lstrip('/')}")
    ensure_database()
    setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import ensure_base, ensure_records
    from reports.periods import period_year

    call_command("migrate", verbosity=0)
    ensure_base()
    for year, count in YEARS.items():
        ensure_records(year, count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics: bulk-written tables have none

    results, same = {}, True
    for year, count in YEARS.items():
        period = period_year(year)
        # Report and hand SQL in turns, REPETITIONS times; the median of each (a moment of load
        # on the machine then moves one figure, not the ratio).
        runs, hand_times = [], []
        for _ in range(REPETITIONS):
            run, run_id = report_in_subprocess(period)
            if run["status"] != "done":
                print(f"  the {year} report failed: {run['error']}")
                return 1
            runs.append(run)
            hand_seconds, hand_rows = hand_sql(period)
            hand_times.append(hand_seconds)
        peak = max(runs, key=lambda r: r["vmhwm_kib"])
        run = {**peak, "seconds": statistics.median(r["seconds"] for r in runs)}
        hand_seconds = statistics.median(hand_times)
        differences = compare(run_id, hand_rows)
        same = same and not differences
        results[year] = (count, run, hand_seconds)
        print(
            f"{count:>9,} records ({year}): report {run['seconds']:6.2f} s, hand SQL {hand_seconds:6.2f} s, "
            f"ratio {run['seconds'] / hand_seconds:5.2f}; peak memory {run['vmhwm_kib'] / 1024:6.1f} MiB "
            f"({(run['vmhwm_kib'] - run['vmhwm_before_kib']) / 1024:+.1f} MiB over the process before the run); "
            f"same output: {'yes' if not differences else f'NO ({len(differences)} differences)'}"
        )
        for line in differences[:10]:
            print(f"    {line}")
    small, large = results[min(YEARS)], results[max(YEARS)]
    ratio = large[1]["seconds"] / large[2]
    memory = large[1]["vmhwm_kib"] / small[1]["vmhwm_kib"]
    print()
    print(f"{verdict(ratio <= TIME_TARGET)}  report ÷ hand SQL at 1M records: {ratio:.2f} (target ≤ {TIME_TARGET})")
    print(f"{verdict(memory <= MEMORY_TARGET)}  peak memory 1M ÷ 100k: {memory:.2f} (target ≤ {MEMORY_TARGET})")
    print(f"{verdict(same)}  the report's per-instrument figures equal the hand SQL's")
    if "--explain" in argv:
        from bench.profile import profile

        print(f"\nThe report's reads at {max(YEARS)} one by one:")
        profile(period_year(max(YEARS)))
        explain(period_year(max(YEARS)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
