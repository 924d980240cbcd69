"""Shared fixtures, and the rule for real components: in CI a missing one fails, elsewhere it skips."""

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def require(component: str, available: bool, reason: str) -> None:
    """Fail in CI, skip (with the reason printed by -ra) on a developer's machine."""
    if available:
        return
    message = f"{component} is not available: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: every real component must be present)", pytrace=False)
    pytest.skip(message)


def redis_test_url() -> str:
    """The Redis a worker test talks to: REDIS_URL's server (or the local default), on a database
    of its own per pytest-xdist worker so parallel workers never consume each other's tasks."""
    parsed = urlparse(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    database = 15 - int(worker.removeprefix("gw") or 0) % 8
    return parsed._replace(path=f"/{database}").geturl()


def tcp_reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the platform's default language (Chinese), whatever an earlier test or
    request left active in this thread."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def celery_eager_by_default(settings):
    """Tests run Celery tasks in-process unless they ask for the real worker (``celery_worker``),
    even on the real-stack run where REDIS_URL is set: a published task nobody consumes would
    only make a test wait for nothing."""
    from platform_site.celery import app

    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(scope="session", autouse=True)
def cache_keys_of_this_worker():
    """Parallel pytest-xdist workers share one Redis on the real-stack run: each keeps its cache
    keys (job progress, login lockouts, pages) under a prefix of its own, so a test never reads
    or deletes what a test in another worker wrote."""
    from django.conf import settings as django_settings
    from django.test import override_settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    caches = {name: {**options, "KEY_PREFIX": f"test-{worker}"} for name, options in django_settings.CACHES.items()}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def page_cache_of_its_own(monkeypatch):
    """Each test sees only the pages it cached itself: the page cache's keys get a prefix of the
    test's own (a LocMem cache outlives the test's rolled-back data; Redis is shared by workers)."""
    from uuid import uuid4

    from core import pagecache

    monkeypatch.setattr(pagecache, "KEY_PREFIX", f"pagecache-test-{uuid4().hex}")


@pytest.fixture
def redis_url():
    url = redis_test_url()
    require("Redis", tcp_reachable(url, 6379), f"nothing answers at {url}")
    return url


@pytest.fixture
def postgres(db):
    """For tests about PostgreSQL itself (constraints, concurrency). The embedded-default run is
    SQLite by design, so there they are skipped; a run with DATABASE_URL must be on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("DATABASE_URL"):
            pytest.fail(f"DATABASE_URL is set but the database is {connection.vendor}", pytrace=False)
        pytest.skip("this run uses the embedded SQLite default; PostgreSQL runs cover this test")
    return connection


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; never a downloaded browser."""
    path = chromium_path()
    require("Chromium", path is not None, "install Debian's chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - pinned in requirements-dev.txt
        require("Playwright", False, str(err))
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page steps are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield AuditedBrowser(instance)
        instance.close()


# --- axe-core on every page a browser test visits ---------------------------------------------------
# Every HTML page a test's browser loads is recorded; when the test closes its browser context, each
# page it saw is opened again in that context (the same session) and axe-core checks it. A violation
# of serious or critical impact fails the test, naming the page. Tests may also call axe themselves
# at a step they care about (tests/browser/test_subsidy_pages.axe_violations).
AXE_IMPACTS = ("serious", "critical")
AXE_MAX_PAGES = 15  # per context: the distinct addresses first seen


class AuditedBrowser:
    """The session's chromium; its contexts record the pages they load (``AuditedContext``)."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **options):
        return AuditedContext(self._browser.new_context(**options))


class AuditedContext:
    def __init__(self, context):
        self._context = context
        self.visited: list[str] = []
        context.on("page", self._watch)
        OPEN_CONTEXTS.add(self)

    def __getattr__(self, name):
        return getattr(self._context, name)

    def _watch(self, page):
        def seen(response):
            request = response.request
            html = response.headers.get("content-type", "").startswith("text/html")
            main = request.is_navigation_request() and request.frame == page.main_frame
            if main and html and response.status == 200 and response.url not in self.visited:
                self.visited.append(response.url)

        page.on("response", seen)

    def audit(self) -> list[str]:
        """The serious and critical axe violations of the pages seen, opened again now."""
        from tests.browser.test_subsidy_pages import AXE, WCAG

        found = []
        pages = list(self.visited[:AXE_MAX_PAGES])
        self.visited.clear()
        if not pages:
            return found
        checker = self._context.new_page()
        checker.set_default_timeout(15000)
        script = AXE.read_text(encoding="utf-8")
        for url in pages:
            response = checker.goto(url)
            if response is None or response.status != 200 or "text/html" not in response.headers["content-type"]:
                continue  # gone or changed since (a cancelled booking's confirmation page…)
            checker.evaluate(script)
            result = checker.evaluate(
                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
            )
            for v in result["violations"]:
                if v["impact"] in AXE_IMPACTS:
                    targets = [n["target"] for n in v["nodes"]][:5]
                    found.append(f"{url}: {v['id']} ({v['impact']}): {v['help']} at {targets}")
        checker.close()
        return found

    def close(self, **options):
        try:
            AXE_FINDINGS.extend(self.audit())
        finally:
            OPEN_CONTEXTS.discard(self)
            self._context.close(**options)


AXE_FINDINGS: list[str] = []  # of the running test; checked after it (pytest_runtest_call)
OPEN_CONTEXTS: set = set()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a browser test passed: the pages of the contexts it left open are checked too (the
    ``page`` fixture's), and any serious or critical violation found fails the test here, in its
    call, so its fixtures (the database flush) are torn down as usual."""
    AXE_FINDINGS.clear()
    result = yield
    for context in list(OPEN_CONTEXTS):
        AXE_FINDINGS.extend(context.audit())
    found, AXE_FINDINGS[:] = list(AXE_FINDINGS), []
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
    return result


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a screenshot per step into test-artifacts/<test name>/ (an ignored folder)."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(pg, step: str):
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{step}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def bureau_group(db):
    """The bureau group as migrate leaves it: every installed app's bureau_permissions."""
    from platform_site.extensions import ensure_bureau_group

    return ensure_bureau_group()


@pytest.fixture
def officer(bureau_group):
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True, name="局审核员")
    user.groups.add(bureau_group)
    return user


@pytest.fixture
def district(db):
    from tests.factories import DistrictFactory

    return DistrictFactory()


@pytest.fixture
def celery_worker(redis_url, transactional_db, django_db_serialized_rollback, settings):
    """A real Celery worker (in a thread of this process) consuming from real Redis.

    Tasks are published to Redis, not run eagerly; the worker shares the test database, which is
    why the fixture needs ``transactional_db`` (committed data is visible to the worker).
    """
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    from platform_site.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    # The worker thread's database connection is closed after each task (Celery's Django fixup),
    # so none is left open when pytest drops the test database.
    db_settings = connections.settings["default"]
    saved_age = db_settings.get("CONN_MAX_AGE", 0)
    db_settings["CONN_MAX_AGE"] = 0
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=redis_url, task_always_eager=False, result_backend=None)
    reset_celery_connections(app)
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # no stale messages from an earlier run
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)
        db_settings["CONN_MAX_AGE"] = saved_age
        reset_celery_connections(app)


def reset_celery_connections(app):
    """Forget pooled broker connections so the next publish uses the current broker_url."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, timeout=20.0, interval=0.1):
    """Poll until predicate() is truthy (for work done by a worker or a server thread)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()
