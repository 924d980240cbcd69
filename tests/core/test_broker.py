"""The per-request note of a broker failure: one timeout per request, never for eager tasks."""

from types import SimpleNamespace

import pytest
from django.core.signals import request_started

from core import broker


class Task:
    """A task stand-in with an app's conf, counting its publishes."""

    def __init__(self, eager=False, fails=True):
        self.app = SimpleNamespace(conf=SimpleNamespace(broker_url="redis://127.0.0.1:1/0", task_always_eager=eager))
        self.fails, self.calls = fails, 0

    def delay(self, *args):
        self.calls += 1
        if self.fails:
            raise ConnectionError("redis down")


@pytest.fixture(autouse=True)
def clean_note():
    broker.broker_reset()
    yield
    broker.broker_reset()


def test_after_a_failure_the_next_publishes_fail_at_once():
    task = Task()
    for _ in range(3):
        with pytest.raises(ConnectionError):
            broker.task_publish(task, 1)
    assert task.calls == 1
    with pytest.raises(broker.BrokerUnavailable):
        broker.task_publish(task, 2)


@pytest.mark.django_db  # request_started also runs Django's close_old_connections
def test_a_new_request_tries_the_broker_again():
    task = Task()
    with pytest.raises(ConnectionError):
        broker.task_publish(task, 1)
    request_started.send(sender=None)
    task.fails = False
    broker.task_publish(task, 1)
    assert task.calls == 2


def test_the_note_expires(monkeypatch):
    task = Task()
    with pytest.raises(ConnectionError):
        broker.task_publish(task, 1)
    monkeypatch.setattr(broker, "DOWN_SECONDS", 0)
    task.fails = False
    broker.task_publish(task, 1)
    assert task.calls == 2


def test_eager_tasks_always_run():
    failing = Task()
    with pytest.raises(ConnectionError):
        broker.task_publish(failing, 1)
    eager = Task(eager=True, fails=False)
    eager.app.conf.broker_url = failing.app.conf.broker_url
    broker.task_publish(eager, 1)
    assert eager.calls == 1
