"""Where the utilisation report's time goes: each of its queries timed on its own (``--explain``)."""

import time


def report_queries(period):
    """(name, callable) of every database read ``reports.computing.utilisation.compute`` makes."""
    from reports.computing.usage import group_use, instrument_use, monthly_hours, total_use
    from reports.scope import Scope

    scope = Scope()
    return [
        ("instrument_use (per instrument)", lambda: list(instrument_use(period, scope).iterator(chunk_size=2000))),
        ("group_use unit", lambda: list(group_use(period, scope, "unit"))),
        ("group_use category", lambda: list(group_use(period, scope, "category"))),
        ("group_use district", lambda: list(group_use(period, scope, "district"))),
        ("total_use", lambda: total_use(period, scope)),
        ("monthly_hours (12 months)", lambda: monthly_hours(period, scope)),
    ]


def grouping_sets(period) -> float:
    """Seconds of ``bench/proposals/grouping_sets.sql``: every rollup level of the report in one pass."""
    from pathlib import Path

    from django.db import connection

    start, end = period.bounds()
    sql = (Path(__file__).resolve().parent / "proposals" / "grouping_sets.sql").read_text()
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute(sql, {"start": start, "end": end, "end_day": period.end})
        cursor.fetchall()
        return time.perf_counter() - began


def profile(period) -> float:
    total = 0.0
    for name, read in report_queries(period):
        began = time.perf_counter()
        read()
        seconds = time.perf_counter() - began
        total += seconds
        print(f"  {name:<34} {seconds:6.2f} s")
    print(f"  {'all of the reads':<34} {total:6.2f} s")
    print(
        f"  {'proposal: all levels, one pass':<34} {grouping_sets(period):6.2f} s  (bench/proposals/grouping_sets.sql)"
    )
    return total
