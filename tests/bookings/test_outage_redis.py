"""Redis down: a booking that notifies ten managers still answers at once (one broker timeout for
the whole request), keeps its ten outbox rows, and each is e-mailed exactly once after Redis returns.

The tests start a redis-server of their own on a free loopback port and stop it; the shared Redis
on 6379 is never touched.
"""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.availability import local
from bookings.models import Booking
from core import broker
from members.models import Notification
from members.tasks import notifications_flush_task
from platform_site.celery import app as celery_app
from tests.conftest import require, reset_celery_connections

from .factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours

MANAGERS = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on 127.0.0.1:port, with nothing saved to disk."""

    def __init__(self, binary: str, port: int):
        self.binary, self.port, self.process = binary, port, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    require("redis-server", binary is not None, "install it (apt-get install -y redis-server)")
    server = RedisServer(binary, free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_on(settings):
    """Point Celery at a broker (publish for real, no eager run), then restore it."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}

    def point(url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        celery_app.conf.update(broker_url=url, task_always_eager=False)
        reset_celery_connections(celery_app)
        broker.broker_reset()

    yield point
    celery_app.conf.update(saved)
    reset_celery_connections(celery_app)
    broker.broker_reset()


def run_queued_tasks() -> int:
    """Do a worker's part for what waits in Redis: run each queued task once, in this process."""
    ran = 0
    with celery_app.connection_for_read() as conn:
        queue = conn.SimpleQueue(celery_app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    return ran
                args, kwargs, _embed = message.decode()
                celery_app.tasks[message.headers["task"]].apply(args=args, kwargs=kwargs)
                message.ack()
                ran += 1
        finally:
            queue.close()


@pytest.fixture
def booking_for_ten(transactional_db, django_db_serialized_rollback, settings):
    """An instrument that needs approval, its unit with ten managers, and a requester from outside."""
    from tests.factories import UnitFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # eleven accounts, fast

    owner = UnitFactory(name="内蒙古科技大学")
    managers = [member_of(owner, role="manager", email=f"m{i}@example.cn") for i in range(MANAGERS)]
    instrument = InstrumentFactory(unit=owner, name="透射电子显微镜", needs_approval=True)
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument)
    requester = member_of(UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise"), name="张伟")
    day = local(timezone.now()).date() + timedelta(days=3)
    payload = {
        "instrument": instrument.pk,
        "starts_at": f"{day}T09:00:00+08:00",
        "ends_at": f"{day}T11:00:00+08:00",
        "purpose": "断口分析",
        "service_way": "commission",
    }
    return requester, managers, payload


def post_booking(requester, payload):
    api = APIClient()
    api.force_authenticate(requester)
    started = time.monotonic()
    response = api.post("/api/v1/bookings/", payload, format="json")
    return response, time.monotonic() - started


def test_redis_down_costs_one_timeout_and_the_outbox_is_sent_once_it_returns(redis_server, celery_on, booking_for_ten):
    requester, managers, payload = booking_for_ten
    celery_on(redis_server.url)
    redis_server.stop()

    response, elapsed = post_booking(requester, payload)

    assert response.status_code == 201, response.content
    assert elapsed < 2.0, f"the booking answered in {elapsed:.2f} s with Redis down"
    rows = Notification.objects.filter(recipient__in=managers)
    assert rows.count() == MANAGERS and not rows.filter(sent_at__isnull=False).exists()
    assert Booking.objects.count() == 1 and not mail.outbox

    # Redis returns on the same port; beat's flush queues the rows (twice over: a duplicated run),
    # the worker delivers, and each manager gets one e-mail.
    redis_server.start()
    assert notifications_flush_task.apply(kwargs={"older_than_seconds": 0}).get() == MANAGERS
    assert notifications_flush_task.apply(kwargs={"older_than_seconds": 0}).get() == MANAGERS
    assert run_queued_tasks() == 2 * MANAGERS
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in managers)
    assert not rows.filter(sent_at__isnull=True).exists()

    # A second flush finds nothing left to send.
    assert notifications_flush_task.apply(kwargs={"older_than_seconds": 0}).get() == 0
    assert run_queued_tasks() == 0
    assert len(mail.outbox) == MANAGERS


def test_with_redis_up_the_booking_is_delivered_at_once(redis_server, celery_on, booking_for_ten):
    """The per-request note of a failure does not outlive the request: the next one publishes."""
    requester, managers, payload = booking_for_ten
    celery_on(redis_server.url)
    redis_server.stop()
    assert post_booking(requester, payload)[0].status_code == 201
    redis_server.start()

    later = {**payload, "starts_at": payload["starts_at"].replace("09:00", "13:00")}
    later["ends_at"] = payload["ends_at"].replace("11:00", "15:00")
    assert post_booking(requester, later)[0].status_code == 201
    assert run_queued_tasks() == MANAGERS  # the second booking's ten, published at once
    assert len(mail.outbox) == MANAGERS


@pytest.fixture
def silent_broker():
    """A TCP port that never accepts a connection (its backlog is full): a Redis host that is
    unreachable rather than refusing, the slow kind of outage."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    yield f"redis://127.0.0.1:{port}/0"
    for sock in (*fillers, listener):
        sock.close()


def test_a_broker_that_does_not_answer_also_costs_one_timeout(silent_broker, celery_on, booking_for_ten):
    requester, managers, payload = booking_for_ten
    celery_on(silent_broker)

    response, elapsed = post_booking(requester, payload)

    assert response.status_code == 201, response.content
    assert elapsed < 2.0, f"the booking answered in {elapsed:.2f} s with the broker silent"
    assert Notification.objects.filter(recipient__in=managers, sent_at__isnull=True).count() == MANAGERS
