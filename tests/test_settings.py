"""Settings come from the environment only: the embedded default, PostgreSQL + Redis, production."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
    "s.TIME_ZONE, s.LANGUAGE_CODE, s.EMAIL_BACKEND]))"
)


def run(code_or_args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="platform_site.settings")
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def test_no_environment_means_the_embedded_default():
    import json

    result = run(PROBE)
    assert result.returncode == 0, result.stderr
    engine, eager, broker, tz, lang, mail = json.loads(result.stdout)
    assert engine == "django.db.backends.sqlite3" and eager is True and broker == "memory://"
    assert tz == "Asia/Shanghai" and lang == "zh-hans"
    assert mail.endswith("console.EmailBackend")


def test_database_url_and_redis_url_switch_to_the_real_stack():
    import json

    result = run(
        PROBE,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/anything",
        REDIS_URL="redis://127.0.0.1:6379/3",
        EMAIL_HOST="smtp.example.org",
    )
    assert result.returncode == 0, result.stderr
    engine, eager, broker, _, _, mail = json.loads(result.stdout)
    assert engine == "django.db.backends.postgresql" and eager is False and broker == "redis://127.0.0.1:6379/3"
    assert mail.endswith("smtp.EmailBackend")


def test_production_without_a_secret_key_fails_fast_with_a_clear_message():
    result = run(PROBE, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_reports_nothing_in_production():
    result = run(
        ["manage.py", "check", "--deploy"],
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="instruments.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
