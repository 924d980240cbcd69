"""Anonymous visitors get the catalogue, instrument pages and catalogue API from the page cache
(core/pagecache.py); signed-in users never do; the catalogue's writes show at once; every visitor
gets a CSRF token of their own. With Django's LocMem cache (the embedded default) and with Redis."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bookings.services import booking_request
from core import pagecache
from instruments import services as instrument_services
from instruments.invalidation import catalogue_changed
from tests.bookings.factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CATALOGUE = "/instruments/"
API = "/api/v1/instruments/"
TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache on, in LocMem or in Redis (a database of this pytest worker's own)."""
    if request.param == "redis":
        location = request.getfixturevalue("redis_url")
        backend = "django.core.cache.backends.redis.RedisCache"
    else:
        location = "page-cache-tests"
        backend = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}
    settings.PAGE_CACHE_SECONDS = 60
    return request.param


@pytest.fixture
def instrument(db):
    """A public instrument open every day, with one fee item, of a unit with a manager."""
    row = InstrumentFactory(unit=UnitFactory(name="内蒙古科技大学"), name="场发射扫描电镜")
    weekday_hours(row)
    FeeItemFactory(instrument=row)
    return row


@pytest.fixture
def unit(instrument):
    return instrument.unit


@pytest.fixture
def manager(unit):
    return member_of(unit, role="manager", name="赵磊")


def cache_status(response):
    return response.get(pagecache.STATUS_HEADER)


def html(response):
    return response.content.decode()


def csrf_tokens(response):
    return set(TOKEN_INPUT.findall(html(response)))


# --- Served from the cache ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["catalogue", "detail", "api-list", "api-detail"])
def test_an_anonymous_second_request_is_served_from_the_cache(page_cache, instrument, django_assert_num_queries, url):
    path = {
        "catalogue": CATALOGUE,
        "detail": instrument.get_absolute_url(),
        "api-list": API,
        "api-detail": f"{API}{instrument.pk}/",
    }[url]
    first = Client().get(path)
    assert first.status_code == 200 and cache_status(first) == "miss"
    with django_assert_num_queries(0):
        second = Client().get(path)
    assert second.status_code == 200 and cache_status(second) == "hit"
    assert "场发射扫描电镜" in html(second)
    assert "private" in second["Cache-Control"] and "Cookie" in second["Vary"]


def test_the_query_string_in_another_order_is_the_same_page(page_cache, instrument):
    assert cache_status(Client().get(CATALOGUE, {"search": "电镜", "per_page": "50"})) == "miss"
    assert cache_status(Client().get(f"{CATALOGUE}?per_page=50&search=电镜")) == "hit"
    assert cache_status(Client().get(CATALOGUE, {"search": "电镜", "per_page": "10"})) == "miss"


def test_answers_other_than_200_are_not_stored(page_cache, instrument):
    missing = reverse("instruments:detail", args=[instrument.pk + 1000])
    assert Client().get(missing).status_code == 404
    assert cache_status(Client().get(missing)) != "hit"
    assert APIClient().get(API, {"page_size": "x"}).status_code == 400
    assert cache_status(APIClient().get(API, {"page_size": "x"})) != "hit"


def test_with_the_page_cache_off_nothing_is_stored(page_cache, settings, instrument):
    settings.PAGE_CACHE_SECONDS = 0
    Client().get(CATALOGUE)
    assert cache_status(Client().get(CATALOGUE)) is None


def test_when_the_cache_does_not_answer_pages_are_rendered_anyway(settings, instrument):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    settings.PAGE_CACHE_SECONDS = 60
    response = Client().get(CATALOGUE)
    assert response.status_code == 200 and "场发射扫描电镜" in html(response)
    assert APIClient().get(API).status_code == 200


# --- Never for signed-in users -------------------------------------------------------------------


def test_a_signed_in_user_is_never_served_the_cached_page(page_cache, client, instrument, manager):
    for path in (CATALOGUE, instrument.get_absolute_url()):
        Client().get(path)
        assert cache_status(Client().get(path)) == "hit"
        client.force_login(manager)
        response = client.get(path)
        assert cache_status(response) is None and reverse("logout") in html(response)
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        client.logout()


def test_a_signed_in_users_page_is_never_stored(page_cache, client, instrument, manager):
    client.force_login(manager)
    client.get(CATALOGUE)
    anonymous = Client().get(CATALOGUE)
    assert cache_status(anonymous) == "miss" and reverse("logout") not in html(anonymous)


def test_an_api_token_caller_is_never_served_the_cached_answer(page_cache, instrument, manager):
    APIClient().get(API)
    assert cache_status(APIClient().get(API)) == "hit"
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    response = caller.get(API)
    assert response.status_code == 200 and cache_status(response) is None
    assert "no-store" in response["Cache-Control"]


def test_the_browsable_api_is_not_served_from_the_cache(page_cache, instrument):
    APIClient().get(API, {"format": "api"})
    response = APIClient().get(API, {"format": "api"})
    assert response.status_code == 200 and cache_status(response) != "hit"
    assert cache_status(APIClient().get(API)) == "miss"  # the JSON answer is stored on its own


def test_a_page_with_a_message_waiting_is_neither_served_from_nor_stored_in_the_cache(page_cache, instrument):
    Client().get(CATALOGUE)
    visitor = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    visitor.cookies[storage.cookie_name] = storage._encode([Message(constants.SUCCESS, "您已退出登录。")])
    with_message = visitor.get(CATALOGUE)
    assert cache_status(with_message) != "hit" and "您已退出登录。" in html(with_message)
    after = visitor.get(CATALOGUE)  # the message was shown: the cached page again
    assert cache_status(after) == "hit" and "您已退出登录。" not in html(after)


# --- Writes show at once -------------------------------------------------------------------------


def test_an_instrument_edit_through_the_service_shows_on_the_next_anonymous_request(
    page_cache, instrument, manager, django_capture_on_commit_callbacks
):
    paths = (CATALOGUE, instrument.get_absolute_url(), API, f"{API}{instrument.pk}/")
    for path in paths:
        Client().get(path)
        assert cache_status(Client().get(path)) == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        instrument_services.instrument_update(actor=manager, instrument=instrument, fields={"name": "冷场发射电镜"})
    for path in paths:
        response = Client().get(path)
        assert cache_status(response) == "miss" and "冷场发射电镜" in html(response), path


def test_retiring_an_instrument_takes_it_out_of_the_cached_pages(page_cache, instrument, manager):
    assert Client().get(instrument.get_absolute_url()).status_code == 200
    instrument_services.instrument_retire(actor=manager, instrument=instrument)
    assert Client().get(instrument.get_absolute_url()).status_code == 404
    assert "场发射扫描电镜" not in html(Client().get(CATALOGUE))


def test_writes_that_go_round_the_services_show_too(page_cache, instrument, unit):
    """The admin's forms save the rows themselves: the signals move the version on."""
    Client().get(instrument.get_absolute_url())
    unit.name = "包头稀土研究院"
    unit.save()
    assert "包头稀土研究院" in html(Client().get(instrument.get_absolute_url()))
    category = instrument.category
    category.name = "新的中类名称"
    category.save()
    assert "新的中类名称" in html(Client().get(instrument.get_absolute_url()))
    instrument.fee_items.get().delete()
    FeeItemFactory(instrument=instrument, name="新的收费项目")
    assert "新的收费项目" in html(Client().get(instrument.get_absolute_url()))


def test_a_data_migration_shows_on_the_next_anonymous_request(page_cache, instrument):
    """A migration rewrites rows without signals (as 0009 did the search documents); ``migrate``
    tells the apps what it ran (post_migrate), and a run that applied something moves the version
    on. The receiver is called here as ``migrate`` calls it (sending the signal itself would also
    run every other app's receivers, which create groups and permissions)."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.models.signals import post_migrate

    from instruments.invalidation import _migrated, connect_migrations

    config = apps.get_app_config("instruments")
    assert post_migrate.disconnect(sender=config, dispatch_uid="catalogue-pages-migrate")  # it is connected
    connect_migrations(config)

    Client().get(instrument.get_absolute_url())
    type(instrument).objects.filter(pk=instrument.pk).update(name="改名后的扫描电镜")  # no signal
    _migrated(sender=config, plan=[], using="default")  # an up-to-date database: nothing changed
    assert "改名后的扫描电镜" not in html(Client().get(instrument.get_absolute_url()))
    graph = MigrationLoader(connection).graph
    applied = graph.nodes[graph.leaf_nodes("instruments")[0]]
    _migrated(sender=config, plan=[(applied, False)], using="default")
    assert "改名后的扫描电镜" in html(Client().get(instrument.get_absolute_url()))


def test_a_booking_changes_the_free_between_result(page_cache, instrument, unit, django_capture_on_commit_callbacks):
    now = datetime(2030, 3, 4, 10, tzinfo=SHANGHAI)
    wed = (now + timedelta(days=2)).date()
    params = {"free_from": f"{wed}T08:00", "free_to": f"{wed}T18:00", "min_hours": "5"}
    assert "场发射扫描电镜" in html(Client().get(CATALOGUE, params))
    assert cache_status(Client().get(CATALOGUE, params)) == "hit"
    assert APIClient().get(API, params).json()["count"] == 1
    requester = member_of(UnitFactory(unit_type="enterprise"), name="张伟")
    with django_capture_on_commit_callbacks(execute=True):
        booking_request(
            user=requester,
            unit=requester.memberships.get().unit,
            instrument=instrument,
            starts_at=datetime.combine(wed, time(11), tzinfo=SHANGHAI),
            ends_at=datetime.combine(wed, time(13), tzinfo=SHANGHAI),
            purpose="表面形貌观察",
            now=now,
        )
    response = Client().get(CATALOGUE, params)
    assert cache_status(response) == "miss" and "场发射扫描电镜" not in html(response)
    assert APIClient().get(API, params).json()["count"] == 0


def test_a_transaction_moves_the_version_on_now_and_once_after_its_commit(
    page_cache, django_capture_on_commit_callbacks
):
    before = pagecache.namespace_version("catalogue")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        catalogue_changed()
        catalogue_changed()
        assert pagecache.namespace_version("catalogue") == before + 2
    assert len(callbacks) == 1
    assert pagecache.namespace_version("catalogue") == before + 3
    assert connection.in_atomic_block  # the test's own transaction: callbacks were run by the fixture


def test_a_savepoint_rolled_back_with_the_hook_in_it_registers_it_again(page_cache, django_capture_on_commit_callbacks):
    """The hook registered inside a savepoint that is rolled back is gone: the next change in the
    same transaction registers it again, so the commit still moves the version on."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                catalogue_changed()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        for _ in range(500):  # a bulk import: one hook, not one per row
            catalogue_changed()
        before_commit = pagecache.namespace_version("catalogue")
    assert len(callbacks) == 1
    assert pagecache.namespace_version("catalogue") == before_commit + 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("path", [CATALOGUE, API])
def test_visitors_asking_at_once_for_a_page_nobody_stored_wait_for_one_render(page_cache, monkeypatch, path):
    """The first request renders; the others wait for its page instead of rendering it too (at
    national scale every worker would otherwise compute the same second of SQL at once)."""
    import threading

    from instruments import api as instruments_api
    from instruments import views_catalogue

    renders = []
    slow = threading.Event()

    def counted(original):
        def render(*args, **kwargs):
            renders.append(1)
            slow.wait(0.5)  # long enough for the others to arrive meanwhile
            return original(*args, **kwargs)

        return render

    monkeypatch.setattr(views_catalogue, "render", counted(views_catalogue.render))
    paginate = instruments_api.InstrumentViewSet.paginate_queryset  # run by a render, not by a hit
    monkeypatch.setattr(instruments_api.InstrumentViewSet, "paginate_queryset", counted(paginate))
    statuses = []

    def visit():
        response = Client().get(path)
        statuses.append((response.status_code, cache_status(response)))

    visitors = [threading.Thread(target=visit) for _ in range(4)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(30)
    assert len(renders) == 1
    assert sorted(statuses) == [(200, "hit")] * 3 + [(200, "miss")]


def test_a_page_that_is_not_stored_lets_the_next_visitor_render_at_once(page_cache):
    """An answer that is not stored (a 404) releases the render lock: nobody waits for it."""
    import time as clock

    Client().get("/instruments/999999/")
    began = clock.monotonic()
    assert Client().get("/instruments/999999/").status_code == 404
    assert clock.monotonic() - began < pagecache.RENDER_WAIT_SECONDS / 2


def test_a_lost_version_starts_again_at_a_number_never_used(page_cache):
    from django.core.cache import cache

    first = pagecache.namespace_version("catalogue")
    cache.delete(pagecache._version_key("catalogue"))
    catalogue_changed()
    assert pagecache.namespace_version("catalogue") > first


# --- CSRF and language ---------------------------------------------------------------------------


def test_two_anonymous_visitors_get_each_their_own_working_csrf_token(page_cache, instrument):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_a = first.get(CATALOGUE)
    page_b = second.get(CATALOGUE)
    assert cache_status(page_a) == "miss" and cache_status(page_b) == "hit"
    (token_a,), (token_b,) = csrf_tokens(page_a), csrf_tokens(page_b)
    assert token_a != token_b and token_a not in html(page_b)
    assert pagecache.CSRF_PLACEHOLDER not in html(page_b)
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # The language switch works from the cached page, with its own token only.
    switched = second.post(
        reverse("set_language"), {"language": "en", "next": CATALOGUE, "csrfmiddlewaretoken": token_b}
    )
    assert switched.status_code == 302 and second.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    refused = Client(enforce_csrf_checks=True)
    refused.get(CATALOGUE)
    assert refused.post(reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": token_b}).status_code == 403
    english = second.get(CATALOGUE)
    assert "Instrument catalogue" in html(english) and "仪器目录" not in html(english)


def test_english_and_chinese_pages_are_cached_separately(page_cache, instrument):
    chinese, english = Client(), Client()
    english.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "仪器目录" in html(chinese.get(CATALOGUE))
    page = english.get(CATALOGUE)
    assert cache_status(page) == "miss" and "Instrument catalogue" in html(page)
    again = english.get(CATALOGUE)
    assert cache_status(again) == "hit" and "Instrument catalogue" in html(again) and "仪器目录" not in html(again)
    again = chinese.get(CATALOGUE)
    assert cache_status(again) == "hit" and "仪器目录" in html(again)
    by_header = Client(headers={"accept-language": "en"}).get(CATALOGUE)
    assert cache_status(by_header) == "hit" and "Instrument catalogue" in html(by_header)
