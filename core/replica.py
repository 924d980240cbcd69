"""Reads that may go to a PostgreSQL read replica (``DATABASE_REPLICA_URL``), through a router.

Only the code that asks for it reads from the replica: the catalogue, the instrument page and the
report computations wrap their reads in ``replica_reads()``. Everything else, every write, and
every read made while a transaction is open on the primary (a read inside a write, which must see
its own changes) goes to the primary. Without a replica, ``replica_reads()`` changes nothing.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and bool(getattr(settings, "DATABASE_REPLICA_ENABLED", False))


@contextmanager
def replica_reads():
    """Reads inside go to the replica, when there is one."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_view(view):
    """A view whose reads go to the replica (a GET page that writes nothing)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Reads asked for by ``replica_reads()`` to the replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if _reading.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's data: objects from either relate

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS
