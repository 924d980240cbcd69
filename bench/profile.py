"""Where the utilisation report's time goes: each of its queries timed on its own (``--explain``)."""

import time


def report_queries(period):
    """(name, callable) of every database read ``reports.computing.utilisation.compute`` makes."""
    from reports.computing.usage import instrument_rows, monthly_use, use_levels
    from reports.scope import Scope

    scope = Scope()
    return [
        ("use_levels (every level, one pass)", lambda: list(use_levels(period, scope))),
        ("instrument_rows", lambda: list(instrument_rows(period, scope).iterator(chunk_size=2000))),
        ("monthly_use (the months)", lambda: monthly_use(period, scope)),
    ]


def profile(period) -> float:
    total = 0.0
    for name, read in report_queries(period):
        began = time.perf_counter()
        read()
        seconds = time.perf_counter() - began
        total += seconds
        print(f"  {name:<36} {seconds:6.2f} s")
    print(f"  {'all of the reads':<36} {total:6.2f} s")
    return total
