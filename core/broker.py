"""Publishing a task without paying for a broker outage more than once per request.

When the broker is down, each publish waits for its timeout before it fails. A request that
queues many tasks on commit (a booking that notifies ten managers) would pay that timeout once
per task. ``task_publish`` notes the first failure for this thread and lets the later publishes of
the same request fail at once, so the request pays one timeout whatever it queues. The note is
cleared when a request starts (each request tries the broker again), by ``broker_reset`` and on
its own after ``DOWN_SECONDS`` (commands, tasks and shells, which have no request).

Tasks run in-process (eager mode, the embedded default) never touch the broker: they always run.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)

DOWN_SECONDS = 10.0  # how long a failed publish keeps this thread from trying that broker again

_state = threading.local()


class BrokerUnavailable(ConnectionError):
    """The broker failed a moment ago in this thread (request): the task was not published."""


def _broker_of(task) -> tuple[str, bool]:
    """The broker URL the task publishes to, and whether it runs in-process instead."""
    conf = getattr(getattr(task, "app", None), "conf", None)
    if conf is None:  # not a Celery task (a stand-in in a test): always try it
        return "", False
    return str(conf.broker_url or ""), bool(conf.task_always_eager)


def broker_reset(**kwargs) -> None:
    """Forget a failure noted in this thread (also a ``request_started`` receiver)."""
    _state.down = {}


def broker_is_down(url: str) -> bool:
    """A publish to ``url`` failed in this thread less than ``DOWN_SECONDS`` ago."""
    failed_at = getattr(_state, "down", {}).get(url)
    return failed_at is not None and time.monotonic() - failed_at < DOWN_SECONDS


def task_publish(task, *args, **kwargs):
    """``task.delay(*args, **kwargs)``, failing at once with ``BrokerUnavailable`` when the broker
    already failed in this request; a publish error is noted, then raised to the caller (which
    keeps the work in its outbox or fails its job)."""
    url, eager = _broker_of(task)
    if not eager and broker_is_down(url):
        raise BrokerUnavailable(f"the broker failed a moment ago; {getattr(task, 'name', task)} not published")
    try:
        return task.delay(*args, **kwargs)
    except Exception:
        if not eager:
            if not hasattr(_state, "down"):
                _state.down = {}
            _state.down[url] = time.monotonic()
        raise
