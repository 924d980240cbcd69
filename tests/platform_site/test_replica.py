"""With a read replica, the catalogue, the instrument page and report computations read from it;
every write, and every read inside a write, goes to the primary; without one, all is the primary.

The test settings give the replica alias as a test mirror of the primary (the same database
under a second connection), so what is read through it can be told apart from the primary."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.replica import ReplicaRouter, replica_reads
from instruments.models import Instrument
from tests.instruments.catalogue_factories import ensure_classification, instrument

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_REPLICA_ENABLED = True


@pytest.fixture
def public(db):
    ensure_classification()
    return instrument(name="透射电子显微镜")


def catalogue_queries(client):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(reverse("instruments:catalogue"), {"search": "透射"})
    assert response.status_code == 200
    assert [i.name for i in response.context["page"].object_list] == ["透射电子显微镜"]
    return primary, replica


def test_the_catalogue_reads_from_the_replica(client, public, with_replica):
    primary, replica = catalogue_queries(client)
    assert any("instruments_instrument" in q["sql"] for q in replica.captured_queries)
    assert not any("instruments_instrument" in q["sql"] for q in primary.captured_queries)


def test_the_instrument_page_reads_from_the_replica(client, public, with_replica):
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(public.get_absolute_url())
    assert response.status_code == 200 and "透射电子显微镜" in response.content.decode()
    assert any("instruments_instrument" in q["sql"] for q in replica.captured_queries)


def test_without_a_replica_everything_reads_from_the_primary(client, public):
    primary, replica = catalogue_queries(client)
    assert replica.captured_queries == []
    assert any("instruments_instrument" in q["sql"] for q in primary.captured_queries)


def test_writes_and_reads_inside_a_write_go_to_the_primary(public, with_replica):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Instrument) == "replica"
        assert router.db_for_write(Instrument) == "default"
        with transaction.atomic():
            assert router.db_for_read(Instrument) == "default"  # sees its own changes
    assert router.db_for_read(Instrument) == "default"  # only code that asks reads the replica
    assert router.allow_migrate("replica", "instruments") is False


def test_a_report_computes_from_the_replica_and_writes_to_the_primary(public, with_replica):
    from reports.periods import period_year
    from reports.services import report_run_start

    with CaptureQueriesContext(connections["replica"]) as replica:
        run = report_run_start(actor=None, kind="platform", period=period_year(2026))
    run.refresh_from_db()
    assert run.status == "done" and {k: v for k, v, _f in run.result["figures"]}["instruments"] == 1
    sql = [q["sql"] for q in replica.captured_queries]
    assert any("bookings_servicerecord" in q for q in sql)
    assert not any(q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in sql)
