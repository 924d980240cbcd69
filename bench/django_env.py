"""Django set up on a benchmark's own PostgreSQL database (``BENCH_DATABASE_URL`` for the report
benchmark), Celery eager."""

import os
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ic_bench"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def ensure_database(url: str | None = None) -> None:
    """Create the benchmark's database when it is missing."""
    import psycopg

    parsed = urlparse(url or database_url())
    name = parsed.path.lstrip("/")
    server = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"  created database {name}")


def setup(url: str | None = None) -> None:
    os.environ["DATABASE_URL"] = url or database_url()
    os.environ.pop("REDIS_URL", None)  # the report runs in this process; no broker, local cache
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
