"""Pages that combine the apps: the home page and the signed-in dashboard."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from core.panels import render_panels
from instruments.catalogue import headline_figures

from . import extensions


def home(request):
    """The platform's front page: its headline figures, computed from the database, and a search
    box into the catalogue."""
    panels = render_panels(extensions.home_panels(), request)
    return render(request, "home.html", {**headline_figures(), "panels": panels})


@login_required
def dashboard(request):
    """The signed-in person's workspace: each installed app's panel, in INSTALLED_APPS order
    (their AppConfigs' ``dashboard_panel``)."""
    return render(request, "dashboard.html", {"panels": render_panels(extensions.dashboard_panels(), request)})


_redis_clients = {}


def _redis(url: str):
    """One client (and its connection pool) per process and URL, with short timeouts."""
    import redis

    if url not in _redis_clients:
        _redis_clients[url] = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    return _redis_clients[url]


def health(request):
    """For load balancers and docker compose: the database answers, and Redis when it is
    configured. 200 with every check "ok", else 503 naming what failed. Two round trips at most."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure of the database is the answer, not a server error
        checks["database"] = f"error: {type(exc).__name__}"
    if settings.REDIS_URL:
        try:
            _redis(settings.REDIS_URL).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    else:
        checks["redis"] = "not configured"
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response
