"""Settings for Instrument Commons, read from environment variables only.

With no variable set the portal runs on its embedded default: SQLite under ``var/`` and Celery
tasks executed eagerly in-process. ``DATABASE_URL`` and ``REDIS_URL`` switch it to PostgreSQL and
a real Celery worker.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# A production deployment (DEBUG off) must bring its own secret: fail fast rather than run with a
# key that is public in this repository.
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-not-for-production-use")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "core",
    "members",
    "instruments",
    "bookings",
    "subsidies",
    "reports",
    "platform_site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "platform_site.urls"
WSGI_APPLICATION = "platform_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "platform_site.context_processors.platform",
                "members.context_processors.unread_notifications",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default's database lives here on a fresh clone
    # IMMEDIATE transactions take the write lock at BEGIN, so a check-then-insert inside one
    # transaction cannot interleave with another writer (see DESIGN.md, invariants).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file, not memory, so a live server, a Celery worker and concurrency tests share it.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "SQLITE_TEST_DB", default=str(VAR_DIR / "test-db.sqlite3")
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: the portal's queries are short, and PostgreSQL's JIT compiles for longer than it
    # saves on them (measured: over half of the free-between query at 100,000 instruments).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# A PostgreSQL read replica, when there is one: the catalogue, the instrument page and report
# computations read from it (core/replica.py); every write, and every read inside a write, goes to
# the primary. Without DATABASE_REPLICA_URL the alias mirrors the primary and is never used.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_ENABLED = bool(DATABASE_REPLICA_URL)
DATABASES["replica"] = (
    {
        **env.db_url("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"options": "-c jit=off"},
    }
    if DATABASE_REPLICA_URL
    else {**DATABASES["default"]}
)
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# --- Login lockout (django-axes) --------------------------------------------------------------
# After AXES_FAILURE_LIMIT failed logins for one account, or separately from one address, logins
# are refused for AXES_COOLOFF_MINUTES on the login page, the API token endpoint and the admin.
# Attempts and lockouts are kept in the database; bureau staff unlock in the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's and the token endpoint's field (an e-mail)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "platform_site.lockout.lockout_response"
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)  # no banner on every command

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Files that only their owners and the bureau may read (subsidy evidence): never under MEDIA_URL.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Uploaded photos are served by Django when no web server in front does it (small deployments).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------------
# Console backend on the embedded default; SMTP when EMAIL_HOST is given.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Instrument Commons <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when Redis is down: fail fast, the outbox keeps the
# message and the periodic flush sends it later. One failed publish costs about 0.1 s when Redis
# refuses the connection and about 1 s when it does not answer at all (two connects of 0.5 s);
# core.broker.task_publish makes that once per request, however many tasks the request queues.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": 0.5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_TIMEZONE = TIME_ZONE
# The beat schedule is each app's (its AppConfig's beat_schedule), collected in platform_site/celery.py.

# Redis when there is one, shared by every process. The embedded default keeps Django's per-process
# LocMem cache: right for one runserver process (its own writes move the page cache's version on);
# a write made by another process (a management command) reaches its cached pages only when
# they expire, after PAGE_CACHE_SECONDS.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds an anonymous visitor's catalogue page, instrument page and catalogue API answer stay in
# the cache (core/pagecache.py); every write that changes them invalidates them at once, so this
# bounds only what time alone changes (free-between from now on). 0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)

# Seconds a report run pauses at each progress step: 0 in production; the worker tests set it to
# make a run slow enough to watch its progress and to kill its worker mid-run.
REPORTS_STEP_PAUSE = env.float("REPORTS_STEP_PAUSE", default=0.0)
# PostgreSQL's work_mem for a report's reads (reports.computing.sql.analytic_session).
REPORTS_WORK_MEM = env.str("REPORTS_WORK_MEM", default="64MB")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # django-filter's, refusing an empty value for a filter that is not free text (400).
    "DEFAULT_FILTER_BACKENDS": ["platform_site.api_filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api_pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 20,
    # Every operation lists its 400/401/403/404/409 answers with the one error body.
    "DEFAULT_SCHEMA_CLASS": "platform_site.schema.ErrorAutoSchema",
    # Every error answers {"detail", "code", "fields"}; domain errors become 400/404/409.
    "EXCEPTION_HANDLER": "platform_site.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Instrument Commons API",
    "DESCRIPTION": (
        "Regional large-scale scientific instrument sharing platform.\n\n"
        "Times are ISO 8601 with their offset (e.g. `2030-03-06T09:00:00+08:00`); times are shown in the "
        "platform's zone. Dates and times must lie in the years 1900 to 2199.\n\n"
        "Every error (400 and above) has one body: "
        '`{"detail": "message", "code": "invalid", "fields": {"field": ["message", …]}}`. '
        "`fields` gives messages by field of the request (nested fields as `fee_items.1.name`; in a 400, "
        "`non_field_errors` for messages about no one field) and is empty when the answer is not about the "
        "request's fields. Codes: 400 `invalid` (a broken rule) or "
        "`parse_error`; 401/403 `not_authenticated`, `authentication_failed`, `permission_denied`; "
        "404 `not_found` (missing or not yours: the same answer); 409 `invalid_transition` (the object's "
        "state does not allow the step) or `conflict` (e.g. the slot is taken)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets come from the drf-spectacular-sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Content security policy (django-csp) ---------------------------------------------------
# Everything comes from this origin: no CDN, no third-party script. A script on a page needs the
# request's nonce (``<script nonce="{{ CSP_NONCE }}">``); inline styles stay allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# --- Platform settings (differ between cities; see shared/DOMAIN.md) -------------------------
PLATFORM_NAME = env.str("PLATFORM_NAME", default="")
PLATFORM_CITY = env.str("PLATFORM_CITY", default="")

# --- Security (manage.py check --deploy is clean with DEBUG off) -----------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
