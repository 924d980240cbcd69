"""A search's newest matches read month by month (PostgreSQL, ``search_limit._newest_by_month``)
give the same first results as ranking every match: registrations spread over ten years, a few a
month and some months none, so that each try (the newest month, 4, 16, 64 months, then all) is
the one that finds enough for some query and limit. On SQLite the same test runs the plain lists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from instruments import search_limit
from instruments.models import Instrument
from tests.instruments.catalogue_factories import demo_catalogue
from tests.instruments.test_search import assert_the_first_results_are_the_oracles


@pytest.fixture(scope="module")
def demo_over_ten_years(django_db_setup, django_db_blocker):
    with demo_catalogue(django_db_blocker):
        with django_db_blocker.unblock():
            now = timezone.now()
            instruments = list(Instrument.objects.order_by("pk"))
            for n, instrument in enumerate(instruments):
                instrument.created_at = now - timedelta(days=(n * 7919) % 3650, minutes=n)
            Instrument.objects.bulk_update(instruments, ["created_at"], batch_size=500)
        yield


@pytest.mark.parametrize("limit", [1, 4, 30])
@pytest.mark.parametrize("query", ["质谱", "ms", "ms 质谱", "x射", "仪", "x", "jem 2100", "分析仪器"])
def test_a_limited_search_gives_the_first_results_whichever_month_window_finds_them(
    demo_over_ten_years, db, monkeypatch, query, limit
):
    monkeypatch.setattr(search_limit, "SEARCH_LIMIT", limit)
    assert_the_first_results_are_the_oracles(query, limit)
