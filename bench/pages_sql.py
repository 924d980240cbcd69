"""The page benchmark's in-process part, on one database: ``python -m bench.pages_sql DATABASE_URL``.

Picks what the pages need (a public instrument, a district, the next seven days), then requests each
catalogue page once through Django's test client with every query captured
(``connection.execute_wrapper``) and runs ``EXPLAIN (ANALYZE, FORMAT JSON)`` on each captured
SELECT: the SQL time of a page is the sum of its queries' planning and execution times. Prints one
JSON line (``SQL {...}``) for ``bench.pages``.
"""

import json
import sys
import time
from datetime import timedelta
from urllib.parse import urlencode

from bench.django_env import setup

PREFERRED_DISTRICT = "150203"


def parameters() -> dict:
    """A real public instrument (the middle one by id), a district and free-between dates."""
    from django.utils import timezone

    from instruments.models import Instrument
    from members.models import District

    public = Instrument.objects.public().order_by("pk").values_list("pk", flat=True)
    instrument = public[public.count() // 2]
    district = District.objects.filter(code=PREFERRED_DISTRICT).first() or District.objects.order_by("code").first()
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return {
        "instrument": instrument,
        "district": district.code,
        "free_from": f"{start:%Y-%m-%dT%H:%M}",
        "free_to": f"{start + timedelta(days=7):%Y-%m-%dT%H:%M}",
        "instruments": public.count(),
    }


def pages(p: dict) -> list[tuple[str, str, str]]:
    """(key, title, path with query) of every measured page but B0."""
    free = urlencode({"free_from": p["free_from"], "free_to": p["free_to"], "min_hours": 2})
    return [
        ("catalogue", "/instruments/ (no query)", "/instruments/"),
        ("search_zh", "?search=质谱", "/instruments/?" + urlencode({"search": "质谱"})),
        ("search_ms", "?search=ms", "/instruments/?search=ms"),
        ("category_district", f"?category=01&district={p['district']}",
         "/instruments/?" + urlencode({"category": "01", "district": p["district"]})),
        ("api_search", "/api/v1/instruments/?search=质谱", "/api/v1/instruments/?" + urlencode({"search": "质谱"})),
        ("instrument", f"/instruments/{p['instrument']}/", f"/instruments/{p['instrument']}/"),
        ("free_between", "free between (7 days, ≥ 2 h)", "/instruments/?" + free),
    ]  # fmt: skip


def captured(path: str) -> tuple[int, float, list[tuple[str, object]]]:
    """Request a page in this process: its status, seconds and the (sql, params) of its queries."""
    from django.db import connection
    from django.test import Client

    queries = []

    def wrapper(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    began = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        response = Client().get(path)
    return response.status_code, time.perf_counter() - began, queries


def explain(sql: str, params) -> float:
    """Milliseconds PostgreSQL spends planning and running one query (EXPLAIN ANALYZE), the second
    of two runs: with the cache warm, as the served pages have it."""
    from django.db import connection

    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Planning Time"] + plan[0]["Execution Time"]


def measure(p: dict) -> dict:
    result = {}
    for key, _title, path in pages(p):
        status, seconds, queries = captured(path)
        each = []
        for sql, params in queries:
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                each.append((explain(sql, params), sql[:90].replace("\n", " ")))
        result[key] = {
            "status": status,
            "seconds": seconds,
            "queries": len(queries),
            "sql_ms": sum(ms for ms, _ in each),
            "each": each,
        }
    return result


def main(argv) -> int:
    setup(argv[0])
    p = parameters()
    p["sql"] = measure(p)
    print("SQL " + json.dumps(p, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
