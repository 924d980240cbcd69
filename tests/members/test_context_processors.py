"""The header's unread-notification count: the signed-in reader's own unread messages, counted with
one query, in the page's language; never counted for, nor shown on, the pages anonymous visitors get
(the ones the page cache keeps)."""

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CATALOGUE = "/instruments/"


def notify(user, *, read=False):
    return Notification.objects.create(
        recipient=user,
        subject_msgid="通知",
        body_msgid="正文",
        params={},
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def reader():
    user = UserFactory()
    for _ in range(3):
        notify(user)
    notify(user, read=True)
    notify(UserFactory())  # someone else's
    return user


def signed_in(user, language=None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def notification_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if Notification._meta.db_table in q["sql"]]


def test_the_header_shows_the_readers_unread_count_in_chinese(reader):
    html = signed_in(reader).get(reverse("home")).content.decode()
    assert '<span class="badge" aria-hidden="true">3</span>' in html
    assert "3 条未读通知" in html
    assert f'href="{reverse("members:notifications")}"' in html


def test_the_header_shows_the_readers_unread_count_in_english(reader):
    html = signed_in(reader, "en").get(reverse("home")).content.decode()
    assert '<span class="badge" aria-hidden="true">3</span>' in html
    assert "3 unread notifications" in html


def test_one_unread_message_reads_in_the_singular():
    user = UserFactory()
    notify(user)
    html = signed_in(user, "en").get(reverse("home")).content.decode()
    assert "1 unread notification<" in html


def test_no_badge_when_everything_is_read():
    user = UserFactory()
    notify(user, read=True)
    html = signed_in(user).get(reverse("home")).content.decode()
    assert 'class="badge"' not in html and "未读通知" not in html
    assert f'href="{reverse("members:notifications")}"' in html


def test_the_count_costs_one_query(reader):
    client = signed_in(reader)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("home"))
    assert len(notification_queries(ctx.captured_queries)) == 1


def test_anonymous_pages_neither_count_nor_show_it(client, reader):
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("home")).content.decode()
    assert notification_queries(ctx.captured_queries) == []
    assert 'class="badge"' not in html and reverse("members:notifications") not in html


def test_the_count_never_reaches_a_cached_page(settings, reader):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "badge"}}
    settings.PAGE_CACHE_SECONDS = 60
    own = signed_in(reader).get(CATALOGUE)
    assert "3 条未读通知" in own.content.decode()
    anonymous = Client()
    first, second = anonymous.get(CATALOGUE), anonymous.get(CATALOGUE)
    assert second["X-Page-Cache"] == "hit"
    for response in (first, second):
        assert "未读通知" not in response.content.decode() and 'class="badge"' not in response.content.decode()
