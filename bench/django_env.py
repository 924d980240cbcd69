"""Django set up on the benchmark's own PostgreSQL database (``BENCH_DATABASE_URL``), Celery eager."""

import os

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ic_bench"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def setup() -> None:
    os.environ["DATABASE_URL"] = database_url()
    os.environ.pop("REDIS_URL", None)  # the report runs in this process; no broker, local cache
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
