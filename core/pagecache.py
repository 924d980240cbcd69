"""Anonymous pages served from the cache for a short while, invalidated by a namespace version.

Public pages (the catalogue, an instrument's page, the catalogue API) cost tens of milliseconds
of SQL and Python each; a visitor who is not signed in sees the same page as every other such
visitor, so it is kept in the cache (Redis, or the process's LocMem on the embedded default) for
``PAGE_CACHE_SECONDS``. Every write that changes what a namespace's pages show calls
``namespace_changed()``: the namespace's version counter moves on and every key built from the
old version is never read again (it expires by itself).

Never cached: signed-in users (pages show their name and their unit's actions), requests other
than GET, answers other than 200, a page that shows or leaves messages, a page that carries the
response's CSP nonce. The per-visitor CSRF token of a cached page is stored as a placeholder and
each visitor gets their own (``get_token``): a cached page never hands one visitor's token, and
so their CSRF secret, to another.

The cache is an accelerator, never a point of failure: when it does not answer, pages are
rendered as if nothing were cached, and the error is logged.
"""

import hashlib
import logging
import re
import time
from contextlib import contextmanager
from functools import partial, wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

KEY_PREFIX = "pagecache"  # tests give each test its own (tests/conftest.py)
CSRF_PLACEHOLDER = "\x00csrf-token\x00"
STATUS_HEADER = "X-Page-Cache"  # hit or miss: for the benchmark and for people reading headers
# Django's {% csrf_token %} writes exactly this.
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def _seconds() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def _version_key(namespace: str) -> str:
    return f"{KEY_PREFIX}:{namespace}:version"


# --- The namespace version -----------------------------------------------------------------------


def namespace_version(namespace: str) -> int:
    """The namespace's current version; a new one starts at the clock in nanoseconds, so a version
    key lost to eviction never comes back with a number an older page was stored under."""
    key = _version_key(namespace)
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key)
    return version


def _bump(namespace: str) -> None:
    key = _version_key(namespace)
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there (never read, or evicted): any new start is a new version
            cache.add(key, time.time_ns(), timeout=None)
    except Exception:  # the cache is down: pages fall back to their timeout
        logger.exception("The page cache's version of %r could not be moved on", namespace)


def namespace_changed(namespace: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Call on every write that changes what the namespace's pages show.

    The version moves on now (a page rendered from this point on is not served to anyone after
    the commit) and once more after the commit (a page rendered meanwhile from the data before
    the commit is stored under a version nobody reads any more). The second move is registered
    once per transaction, however many rows it writes: the connection remembers, per namespace,
    the list of commit hooks it was registered in. Django starts a new list after a commit, a
    rollback or a savepoint's rollback (which may have dropped the hook), and a new list means
    registering again, so the check is constant time, not a scan of the transaction's hooks.
    """
    _bump(namespace)
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    registered = connection.__dict__.setdefault("_page_cache_hooks", {})
    if registered.get(namespace) is connection.run_on_commit:
        return
    transaction.on_commit(partial(_bump, namespace), using=using)
    registered[namespace] = connection.run_on_commit


# --- Who may be served a cached page -----------------------------------------------------------


def is_cacheable_request(request) -> bool:
    """An anonymous GET with no messages waiting to be shown, while the page cache is on."""
    if _seconds() <= 0 or request.method != "GET" or request.user.is_authenticated:
        return False
    return len(get_messages(request)) == 0


def page_key(request, namespace: str, view_name: str) -> str:
    """The namespace's version, the view (with the options the site gave it), the host, the path,
    the query in sorted order and the language."""
    query = sorted((name, tuple(values)) for name, values in request.GET.lists())
    raw = repr((view_name, request.get_host(), request.scheme, request.path, query, get_language()))
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"{KEY_PREFIX}:{namespace}:{namespace_version(namespace)}:{digest}"


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:
        logger.exception("The page cache could not be read")
        return None


def _cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, _seconds())
    except Exception:
        logger.exception("The page cache could not be written")


# The first request for a page nobody has stored renders it; others asking for the same page
# meanwhile wait for it (up to RENDER_WAIT_SECONDS) instead of rendering it too. At national scale
# a page costs up to a second of SQL: after an invalidation or an expiry every worker would
# otherwise render the same page at once, each slower for the others.
RENDER_WAIT_SECONDS = 10
RENDER_POLL_SECONDS = 0.05


@contextmanager
def render_turn(key: str | None):
    """The stored value of the page at ``key``, or None: then this request renders it. Yields the
    value found in the cache, or that appeared there while waiting for another request's render;
    yields None when this request is to render (holding the render lock until the block ends) or
    when there is no key (the cache did not answer)."""
    if key is None:
        yield None
        return
    stored, lock = _stored_or_lock(key)
    try:
        yield stored
    finally:
        if lock is not None:
            try:
                cache.delete(lock)
            except Exception:
                logger.exception("The page cache's render lock could not be released")


def _stored_or_lock(key: str):
    """(stored value, None) when the page is in the cache or appears there while waiting; else
    (None, the render lock's key or None when it could not be taken or waiting timed out)."""
    stored = _cache_get(key)
    if stored is not None:
        return stored, None
    lock = f"{key}:rendering"
    try:
        if cache.add(lock, 1, RENDER_WAIT_SECONDS):
            return None, lock
    except Exception:
        logger.exception("The page cache's render lock could not be taken")
        return None, None
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL_SECONDS)
        stored = _cache_get(key)
        if stored is not None:
            return stored, None
        if _cache_get(lock) is None:  # released: stored just now, or not storable (an error page…)
            return _cache_get(key), None
    return None, None


def _key_or_none(request, namespace: str, view_name: str) -> str | None:
    try:
        return page_key(request, namespace, view_name)
    except Exception:
        logger.exception("The page cache's version could not be read")
        return None


def mark_anonymous(response, status: str) -> None:
    """Anonymous answers: a browser may keep its own copy but asks again (the HTML carries the
    visitor's own CSRF token, so no shared cache may keep it); the answer depends on the cookies
    (the session: signed in or not) and the language."""
    response[STATUS_HEADER] = status
    patch_cache_control(response, private=True, max_age=0)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))


def mark_private(response) -> None:
    """A signed-in user's page: never stored anywhere."""
    add_never_cache_headers(response)
    patch_vary_headers(response, ("Cookie",))


# --- HTML pages -----------------------------------------------------------------------------------


def _storable_html(request, response) -> bytes | None:
    """The page with its CSRF tokens as a placeholder, or None when it must not be stored."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if getattr(request, "_csp_nonce", None) is not None or len(get_messages(request)) != 0:
        return None
    content = response.content.decode(response.charset)
    tokens = set(_CSRF_INPUT.findall(content))
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not tokens:
        return None  # the token was asked for but went somewhere this does not recognise
    for token in tokens:
        content = content.replace(token, CSRF_PLACEHOLDER)
    return content.encode(response.charset)


def _cached_response(request, stored: dict) -> HttpResponse:
    content = stored["content"]
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content, content_type=stored["content_type"])
    mark_anonymous(response, "hit")
    return response


def cached_page(namespace: str):
    """Serve the view's page to anonymous visitors from the cache (see the module's docstring).

    The view's keyword options (the filter and the template the site gives it) are part of the
    key, so one view wired twice with other options never answers with the other's page.
    """

    def decorator(view):
        name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_cacheable_request(request):
                response = view(request, *args, **kwargs)
                if request.user.is_authenticated:
                    mark_private(response)
                return response
            key = _key_or_none(request, namespace, repr((name, args, sorted(kwargs.items()))))
            with render_turn(key) as stored:
                if stored is not None:
                    return _cached_response(request, stored)
                response = view(request, *args, **kwargs)
                content = _storable_html(request, response) if key else None
                if content is not None:
                    _cache_set(key, {"content": content, "content_type": response["Content-Type"]})
            mark_anonymous(response, "miss")
            return response

        return wrapped

    return decorator


# --- API data ---------------------------------------------------------------------------------------


def cached_api_data(request, namespace: str, view_name: str, answer):
    """An API answer for an anonymous caller: its data from the cache, else from ``answer()``
    (a DRF Response) and then stored. For JSON only: the browsable API's page also shows the
    paginator's links, which a stored answer has no paginator for. ``request`` is DRF's (its user
    is authenticated by the API's own schemes: a token caller is never anonymous)."""
    from rest_framework.response import Response

    json = getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "json"
    if not (json and is_cacheable_request(request)):
        response = answer()
        if request.user.is_authenticated:
            mark_private(response)
        return response
    key = _key_or_none(request, namespace, view_name)
    with render_turn(key) as stored:
        if stored is not None:
            response, status = Response(stored), "hit"
        else:
            response, status = answer(), "miss"
            if key and response.status_code == 200:
                _cache_set(key, response.data)
    mark_anonymous(response, status)
    patch_vary_headers(response, ("Accept",))
    return response
