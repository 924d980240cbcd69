"""The import pages through the client: upload, dry-run page, confirm, status JSON, downloads, and
who may see any of it (everyone else gets a 404 that does not reveal the unit)."""

import pytest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from instruments.models import ImportJob, Instrument
from tests.factories import PASSWORD
from tests.instruments.factories import InstrumentFactory
from tests.instruments.import_fixtures import BY_FIELD, csv_upload, ensure_classification, good_row, table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def classification(db):
    ensure_classification()


@pytest.fixture(autouse=True)
def english():
    """Pages in English so that the assertions read the source strings."""
    with translation.override("en"):
        yield


def client_for(client, user):
    client.login(request=HttpRequest(), email=user.email, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def upload(client, unit, rows, *, callbacks):
    with callbacks(execute=True):
        response = client.post(
            reverse("instruments:import_start", args=[unit.pk]),
            {"file": csv_upload(table(rows))},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    return response


def test_a_manager_uploads_sees_the_dry_run_and_confirms(client, unit, manager, django_capture_on_commit_callbacks):
    client = client_for(client, manager)
    page = client.get(reverse("instruments:import_start", args=[unit.pk]))
    assert page.status_code == 200
    assert reverse("instruments:template", args=["xlsx"]) in page.content.decode()

    response = upload(
        client, unit, [good_row(1), good_row(2, original_value="1,2,3")], callbacks=django_capture_on_commit_callbacks
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("instruments:import_detail", args=[unit.pk, job.pk])
    assert not Instrument.objects.exists()

    detail = client.get(response["Location"]).content.decode()
    assert 'id="count-create">1<' in detail
    assert 'id="count-errors">1<' in detail
    assert BY_FIELD["original_value"].header in detail
    assert "is not an amount in yuan" in detail
    assert 'id="confirm-import"' in detail

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("instruments:import_confirm", args=[unit.pk, job.pk]))
    assert confirmed.status_code == 302
    assert list(Instrument.objects.values_list("asset_number", flat=True)) == ["LC-00001"]
    done = client.get(confirmed["Location"]).content.decode()
    assert "Imported: 1 instruments registered, 0 updated." in done
    assert 'id="confirm-import"' not in done


def test_an_upload_without_a_file_shows_the_form_again(client, unit, manager):
    response = client_for(client, manager).post(reverse("instruments:import_start", args=[unit.pk]), {})
    assert response.status_code == 200
    assert not ImportJob.objects.exists()


def test_the_status_json(client, unit, manager, django_capture_on_commit_callbacks):
    client = client_for(client, manager)
    upload(client, unit, [good_row(1), good_row(2)], callbacks=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    state = client.get(reverse("instruments:import_status", args=[unit.pk, job.pk])).json()
    assert state["status"] == "validated"
    assert state["running"] is False
    assert (state["processed_rows"], state["total_rows"], state["percent"]) == (2, 2, 100)
    assert (state["to_create"], state["to_update"], state["error_rows"]) == (2, 0, 0)


def test_a_running_import_polls_and_falls_back_to_a_refresh(client, unit, manager):
    job = ImportJob.objects.create(
        unit=unit,
        created_by=manager,
        original_name="big.xlsx",
        file="imports/x/big.xlsx",
        status=ImportJob.Status.VALIDATING,
        total_rows=10000,
        processed_rows=2500,
    )
    page = client_for(client, manager).get(reverse("instruments:import_detail", args=[unit.pk, job.pk]))
    html = page.content.decode()
    assert '<progress id="import-progress" max="100" value="25"' in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert reverse("instruments:import_status", args=[unit.pk, job.pk]) in html
    assert "core/job-progress.js" in html and "data-job-status-url" in html


def test_cancel(client, unit, manager, django_capture_on_commit_callbacks):
    client = client_for(client, manager)
    upload(client, unit, [good_row(1)], callbacks=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    response = client.post(reverse("instruments:import_cancel", args=[unit.pk, job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED


def test_downloads(client, unit, manager):
    InstrumentFactory(unit=unit, asset_number="A-1")
    client = client_for(client, manager)
    template = client.get(reverse("instruments:template", args=["xlsx"]))
    assert template.status_code == 200
    assert template["Content-Disposition"].startswith('attachment; filename="instrument-import-template.xlsx"')
    export = client.get(reverse("instruments:export", args=[unit.pk, "csv"]))
    assert b"A-1" in b"".join(export.streaming_content)
    assert client.get(reverse("instruments:export", args=[unit.pk, "pdf"])).status_code == 404


# --- Who may -----------------------------------------------------------------------------------------


def unit_a_pages(unit, job):
    return [
        ("get", reverse("instruments:import_start", args=[unit.pk])),
        ("post", reverse("instruments:import_start", args=[unit.pk])),
        ("get", reverse("instruments:import_detail", args=[unit.pk, job.pk])),
        ("get", reverse("instruments:import_status", args=[unit.pk, job.pk])),
        ("post", reverse("instruments:import_confirm", args=[unit.pk, job.pk])),
        ("post", reverse("instruments:import_cancel", args=[unit.pk, job.pk])),
        ("get", reverse("instruments:export", args=[unit.pk, "csv"])),
        ("get", reverse("instruments:export", args=[unit.pk, "xlsx"])),
    ]


@pytest.fixture
def checked_job(unit, manager, django_capture_on_commit_callbacks):
    from tests.instruments.import_fixtures import upload_and_check

    return upload_and_check(
        actor=manager,
        unit=unit,
        upload=csv_upload(table([good_row(1)])),
        callbacks=django_capture_on_commit_callbacks,
    )


@pytest.mark.parametrize("who", ["member", "outsider", "other_manager", "officer"])
def test_everyone_but_the_units_managers_gets_a_404(client, request, unit, checked_job, who):
    client = client_for(client, request.getfixturevalue(who))
    for method, url in unit_a_pages(unit, checked_job):
        response = getattr(client, method)(url, {"file": csv_upload(table([good_row(9)]))} if method == "post" else {})
        assert response.status_code == 404, (who, url)
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.VALIDATED
    assert not Instrument.objects.exists()
    assert ImportJob.objects.count() == 1


def test_a_missing_unit_looks_the_same_as_a_foreign_one(client, other_manager):
    client = client_for(client, other_manager)
    assert client.get(reverse("instruments:import_start", args=[987654])).status_code == 404


def test_another_units_manager_cannot_reach_a_job_through_their_own_unit(
    client, unit, other_unit, other_manager, checked_job
):
    """The job id of unit A under unit B's URL is as missing as any other id."""
    client = client_for(client, other_manager)
    for name in ("import_detail", "import_status"):
        assert client.get(reverse(f"instruments:{name}", args=[other_unit.pk, checked_job.pk])).status_code == 404
    assert client.post(reverse("instruments:import_confirm", args=[other_unit.pk, checked_job.pk])).status_code == 404
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.VALIDATED


def test_anonymous_people_are_sent_to_log_in(client, unit):
    response = client.get(reverse("instruments:import_start", args=[unit.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_registry_export_is_for_the_bureau_only(client, unit, manager, officer):
    InstrumentFactory(unit=unit, asset_number="A-1")
    assert client_for(client, manager).get(reverse("instruments:registry_export", args=["csv"])).status_code == 404
    client.logout()
    client = client_for(client, officer)
    for fmt in ("csv", "xlsx", "uniquip"):
        response = client.get(reverse("instruments:registry_export", args=[fmt]))
        assert response.status_code == 200, fmt
    assert client.get(reverse("instruments:registry_export", args=["pdf"])).status_code == 404


def test_the_start_page_lists_imports_with_a_fixed_number_of_queries(client, unit, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        for i in range(n):
            ImportJob.objects.create(unit=unit, created_by=manager, original_name=f"{i}.csv", file="imports/x.csv")

    client = client_for(client, manager)
    url = reverse("instruments:import_start", args=[unit.pk])
    make(1)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    make(9)
    with CaptureQueriesContext(connection) as ten:
        page = client.get(url)
    assert page.content.decode().count("/instruments/import/") >= 10
    assert len(ten) == len(one)


# --- In a browser on a phone-sized screen ------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_imports_on_a_phone(page, live_server, screenshot, unit, manager):
    import csv
    import io

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}{reverse('instruments:import_start', args=[unit.pk])}")
    screenshot(page, "start")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table([good_row(1), good_row(2, original_value="1,2,3")]))
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "仪器.csv", "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}],
    )
    page.click("main form button[type=submit]")
    page.wait_for_selector("#error-table")
    assert page.inner_text("#count-create") == "1"
    assert page.inner_text("#error-table tbody td") == "3"  # the spreadsheet's row of LC-00002
    screenshot(page, "dry-run")
    assert not Instrument.objects.exists()

    page.click("#confirm-import")
    page.wait_for_selector("#created-table")
    screenshot(page, "done")
    assert list(Instrument.objects.values_list("asset_number", flat=True)) == ["LC-00001"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_page_follows_a_running_import_until_it_is_done(page, live_server, screenshot, unit, manager):
    job = ImportJob.objects.create(
        unit=unit,
        created_by=manager,
        original_name="big.xlsx",
        file="imports/x/big.xlsx",
        status=ImportJob.Status.VALIDATING,
        total_rows=10000,
        processed_rows=2500,
    )
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}{reverse('instruments:import_detail', args=[unit.pk, job.pk])}")
    assert page.get_attribute("#import-progress", "value") == "25"
    screenshot(page, "running")

    ImportJob.objects.filter(pk=job.pk).update(processed_rows=7500)
    page.wait_for_selector("#import-progress[value='75']", state="attached")  # no eval under the CSP
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.VALIDATED, processed_rows=10000, to_create=9990, error_count=10
    )
    page.wait_for_selector("#count-create")
    assert page.inner_text("#count-create") == "9990"
    screenshot(page, "checked")
