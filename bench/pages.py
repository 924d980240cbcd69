"""``make bench`` (second part) or ``make bench-pages``: the portal's pages served by production
gunicorn, against the trivial ``/healthz/`` (B0) in the same run, at 945 and 100,000 instruments
(and 1,000,000 with ``--million``).

Data sets (each in its own database, made once and kept; see ``bench.catalogue_data``):

* 945 instruments: the demo data (``manage.py seed_demo``) in ``BENCH_PAGES_945_DATABASE_URL``
  (default postgres://postgres@127.0.0.1:5432/ic_bench_pages_945);
* 100,000 instruments in ``BENCH_PAGES_DATABASE_URL`` (default …/ic_bench_pages);
* 1,000,000 with ``--million`` in ``BENCH_PAGES_1M_DATABASE_URL`` (default …/ic_bench_pages_1m): the
  registry alone, without bookings (``bench.catalogue_data``), for its one target, the search SQL
  against 100,000; its pages are timed by SQL only, not served.

For each data set: ``bench.pages_sql`` (in a subprocess) picks the instrument, district and dates
and times every catalogue query with EXPLAIN ANALYZE; then ``gunicorn platform_site.wsgi -w 3``
(DEBUG=0, Redis ``BENCH_REDIS_URL``, default redis://127.0.0.1:6379/2, flushed first) serves the
portal on ``BENCH_PORT`` (default 8101) and ``wrk -c6 -t2 -d10s --latency`` measures B0 and each
page, three rounds, each page once a round; the median of the three is printed with the target.
``--rounds N`` and ``--duration S`` change the rounds and wrk's seconds (quick trials only);
``--sql-only`` prints the SQL table alone (``--million --sql-only``: the search SQL at 1M against 100k).
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from bench.pages_sql import pages

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
SERVER = "postgres://postgres@127.0.0.1:5432/"
B0 = ("healthz", "B0 /healthz/", "/healthz/")
LOG = ROOT / "var" / "bench-gunicorn.log"
# key: (minimum RPS / B0, maximum p95 / B0's p95 or None, longest request in seconds or None), at 100k
TARGETS_100K = {
    "catalogue": (0.25, None, None),
    "search_zh": (0.05, 40, None),
    "search_ms": (0.05, 40, None),
    "category_district": (0.05, 40, None),
    "api_search": (0.05, 40, None),
    "instrument": (0.1, None, None),
    "free_between": (0.02, None, 2.0),
}
TARGET_945 = 0.1  # every page, RPS / B0
SEARCH_SQL_GROWTH = 2.0  # search SQL at 1M ÷ at 100k
SEARCH_PAGES = ("search_zh", "search_ms", "api_search")


def data_sets(million: bool) -> list[tuple[str, str, int]]:
    sets = [
        ("945", os.environ.get("BENCH_PAGES_945_DATABASE_URL", SERVER + "ic_bench_pages_945"), 945),
        ("100k", os.environ.get("BENCH_PAGES_DATABASE_URL", SERVER + "ic_bench_pages"), 100_000),
    ]
    if million:
        sets.append(("1M", os.environ.get("BENCH_PAGES_1M_DATABASE_URL", SERVER + "ic_bench_pages_1m"), 1_000_000))
    return sets


def run(args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, check=True, **kwargs)


def ensure_data(url: str, count: int) -> None:
    """The data set in its database, made when missing (the demo for 945, else the generator)."""
    if count == 945:
        from bench.django_env import ensure_database

        env = {"DATABASE_URL": url, "REDIS_URL": "", "LOG_LEVEL": "WARNING"}  # no broker: tasks run eagerly
        ensure_database(url)
        run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env=env)
        # seed_demo is idempotent: a database holding the demo is left as it is.
        run([PYTHON, "manage.py", "seed_demo"], env=env, capture_output=True)
    else:
        registry_only = ["--registry-only"] if count >= 1_000_000 else []
        run([PYTHON, "-m", "bench.catalogue_data", url, str(count), *registry_only], env={"REDIS_URL": ""})


def sql_times(url: str) -> dict:
    out = run([PYTHON, "-m", "bench.pages_sql", url], env={"REDIS_URL": ""}, capture_output=True, text=True)
    line = next(line for line in out.stdout.splitlines() if line.startswith("SQL "))
    return json.loads(line[4:])


# -- serving ------------------------------------------------------------------------------------
def server_env(url: str, redis_url: str) -> dict:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "LOG_LEVEL": "WARNING",
    }


class Server:
    """``gunicorn platform_site.wsgi -w 3`` on the benchmark's port, as production runs it."""

    def __init__(self, url: str, redis_url: str, port: int):
        self.env, self.port, self.process = server_env(url, redis_url), port, None

    def __enter__(self):
        run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env=self.env)
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        # Its errors (worker timeouts of the slow pages) go to a log, not into the table.
        self.log = open(LOG, "a")  # noqa: SIM115  (closed in __exit__)
        self.process = subprocess.Popen(
            [gunicorn, "platform_site.wsgi", "-w", "3", "-b", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT,
            env={**os.environ, **self.env},
            start_new_session=True,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(120):
            try:
                with urllib.request.urlopen(self.url("/healthz/"), timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise SystemExit("gunicorn did not answer /healthz/")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def settle(self, limit: float = 150) -> None:
        """Wait until the three workers are free again (requests wrk left behind have finished):
        three concurrent /healthz/ answered within 0.2 s."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            times = []

            def ping(times=times):
                began = time.perf_counter()
                try:
                    urllib.request.urlopen(self.url("/healthz/"), timeout=limit).read()
                except OSError:
                    times.append(limit)
                    return
                times.append(time.perf_counter() - began)

            threads = [threading.Thread(target=ping) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if max(times) < 0.2:
                return
            time.sleep(0.5)


def wrk(url: str, duration: int) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-c6",
            "-t2",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "60s",
            "-s",
            str(HERE / "wrk_report.lua"),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(line for line in out.stdout.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[6:])
    result["rps"] = result["requests"] / result["seconds"]
    result["errors"] = result["non2xx"] + result["connect"] + result["read"] + result["write"] + result["timeout"]
    return result


def measure(server: Server, page_list, rounds: int, duration: int) -> dict:
    """Every page (B0 first) once a round; per page the list of wrk results."""
    results = {key: [] for key, _title, _path in page_list}
    for _ in range(rounds):
        for key, _title, path in page_list:
            results[key].append(wrk(server.url(path), duration))
            server.settle()
    return results


# -- report -------------------------------------------------------------------------------------
def summary(runs: list[dict]) -> dict:
    """Median RPS and p95 of the rounds (p95 of the rounds that completed a request: None when none
    did), the slowest request (at least wrk's duration in a round without a response), the errors."""
    answered = [r["p95_us"] / 1e6 for r in runs if r["requests"]]
    # A round without a single response had its requests running for all of wrk's duration.
    longest = max(r["max_us"] / 1e6 if r["requests"] else r["seconds"] for r in runs)
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p95": statistics.median(answered) if answered else None,
        "max": longest,
        "unanswered": sum(1 for r in runs if not r["requests"]),
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
    }


def pad(text: str, width: int) -> str:
    """Left-aligned in ``width`` columns, a Chinese character taking two."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def milliseconds(seconds) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f}"


def longest(figures) -> str:
    """The slowest request in ms; "≥ …" when a round got no response at all (still running at its end)."""
    text = f"{figures['max'] * 1000:.0f}"
    return f"≥ {text}" if figures["unanswered"] else text


def times(value, base) -> str:
    return "—" if value is None else f"{value / base:.1f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def judge(key: str, figures: dict, base: dict, scale: str) -> tuple[str, bool]:
    """The target of a page at a scale, written out, and whether it is met (no error responses)."""
    ratio = figures["rps"] / base["rps"]
    p95_ratio = figures["p95"] / base["p95"] if figures["p95"] is not None else float("inf")
    if scale == "945":
        return f"RPS ≥ {TARGET_945} × B0", ratio >= TARGET_945 and not figures["errors"]
    if scale != "100k" or key not in TARGETS_100K:
        return "", not figures["errors"]
    rps, p95, longest = TARGETS_100K[key]
    text, ok = [f"RPS ≥ {rps} × B0"], ratio >= rps
    if p95 is not None:
        text.append(f"p95 ≤ {p95} × B0")
        ok = ok and p95_ratio <= p95
    if longest is not None:
        text.append(f"max ≤ {longest:g} s")
        ok = ok and figures["max"] <= longest
    return ", ".join(text), ok and not figures["errors"]


def print_table(scale: str, count: int, page_list, results: dict) -> list[bool]:
    base = summary(results[B0[0]])
    print(f"\n{scale}: {count:,} public instruments; wrk -c6 -t2, median of {len(results[B0[0]])} rounds")
    print(f"{'page':<36} {'RPS':>9} {'RPS/B0':>8} {'p95 ms':>9} {'p95/B0':>8} {'max ms':>9} {'non-2xx':>8}  target")
    verdicts = []
    for key, title, _path in page_list:
        f = summary(results[key])
        if key == B0[0]:
            target, ok = "", not f["errors"]
        else:
            target, ok = judge(key, f, base, scale)
            verdicts.append(ok)
        mark = "" if key == B0[0] and ok else verdict(ok)
        print(
            f"{pad(title, 36)} {f['rps']:>9.2f} {f['rps'] / base['rps']:>8.4f} {milliseconds(f['p95']):>9} "
            f"{times(f['p95'], base['p95']):>8} {longest(f):>9} {f['errors']:>8}  {target} {mark}".rstrip()
        )
    return verdicts


def print_sql(sql: dict, explain: bool) -> list[bool]:
    """The SQL time of each catalogue page at each scale (EXPLAIN ANALYZE, warm cache)."""
    scales = list(sql)
    first = sql[scales[0]]["sql"]
    titles = {key: title for key, title, _path in pages(sql[scales[-1]])}
    titles["instrument"] = "/instruments/<id>/"
    print("\nSQL per page (EXPLAIN ANALYZE, planning + execution, warm cache): queries, ms")
    print(pad("page", 36) + " ".join(f"{s:>17}" for s in scales))
    for key in first:
        cells = []
        for s in scales:
            page = sql[s]["sql"][key]
            cells.append(f"{page['queries']:>3} q {page['sql_ms']:>9.1f} ms")
        print(pad(titles[key], 36) + " ".join(f"{c:>17}" for c in cells))
        if explain:
            for s in scales:
                for ms, text in sql[s]["sql"][key]["each"]:
                    print(f"    {s:>5} {ms:>9.1f} ms  {text}")
    verdicts = []
    if "1M" in sql and "100k" in sql:
        for key in SEARCH_PAGES:
            small, large = sql["100k"]["sql"][key]["sql_ms"], sql["1M"]["sql"][key]["sql_ms"]
            ok = large <= SEARCH_SQL_GROWTH * small
            verdicts.append(ok)
            ratio = large / small
            print(f"{verdict(ok)}  search SQL of {titles[key]} at 1M ÷ at 100k: {ratio:.2f} (≤ {SEARCH_SQL_GROWTH})")
    return verdicts


def main(argv) -> int:
    parser = argparse.ArgumentParser(prog="bench.pages", description=__doc__.splitlines()[0])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 instruments (generated once)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--explain", action="store_true", help="print every query's SQL time")
    parser.add_argument("--only", choices=["945", "100k", "1M"], help="one data set (a quick trial)")
    parser.add_argument("--sql-only", action="store_true", help="the SQL table alone, no served pages")
    args, _rest = parser.parse_known_args(argv)  # make bench passes the report benchmark's flags too
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    port = int(os.environ.get("BENCH_PORT", "8101"))
    import redis

    sql, verdicts = {}, []
    for scale, url, count in data_sets(args.million):
        if args.only and scale != args.only:
            continue
        print(f"Page benchmark at {scale} instruments: database {urlparse(url).path.lstrip('/')}", flush=True)
        ensure_data(url, count)
        sql[scale] = sql_times(url)
        if count >= 1_000_000 or args.sql_only:
            continue  # the registry alone: its target is the search SQL (below), not served pages
        page_list = [B0, *pages(sql[scale])]
        redis.Redis.from_url(redis_url).flushdb()  # no cached page of another data set
        with Server(url, redis_url, port) as server:
            for _key, _title, path in page_list:  # warm up: one request each
                try:
                    urllib.request.urlopen(server.url(path), timeout=120).read()
                except OSError as error:  # counted in the runs that follow
                    print(f"  warm-up {path}: {error}")
            server.settle()
            results = measure(server, page_list, args.rounds, args.duration)
        verdicts += print_table(scale, sql[scale]["instruments"], page_list, results)
        sys.stdout.flush()
    verdicts += print_sql(sql, args.explain)
    print(f"\n{sum(verdicts)} of {len(verdicts)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
