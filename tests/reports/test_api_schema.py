"""The reports API fuzzed against its OpenAPI schema as bureau staff, who may start and read every
run (``tests/test_schemathesis.py`` fuzzes it anonymously and as an instrument manager, who see none):
no input, a year 9999, a huge id, an over-long or a malformed table name, gives a server error or an
answer its schema does not document, and every schema-invalid request is refused."""

import datetime as dt

import pytest
import schemathesis
from rest_framework.authtoken.models import Token

from platform_site.wsgi import application
from reports.models import ReportRow, ReportRun
from tests.bookings.factories import InstrumentFactory
from tests.factories import UnitFactory
from tests.test_schemathesis import fuzz_config, keep_the_test_connection  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

TOKEN = "fuzz0bureau00token0000000000000000000000"
RUN, UNIT, INSTRUMENT = 9101, 9102, 9201  # ids the shared fuzz configuration draws half the time


@pytest.fixture(autouse=True)
def seeded(keep_the_test_connection, officer):  # noqa: F811
    """A bureau officer's token, a unit with an instrument, and a done run with a row."""
    Token.objects.create(user=officer, key=TOKEN)
    unit = UnitFactory(pk=UNIT)
    InstrumentFactory(pk=INSTRUMENT, unit=unit)
    run = ReportRun.objects.create(
        pk=RUN,
        kind="utilisation",
        period_kind="year",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 1, 1),
        status=ReportRun.Status.DONE,
        checksum="0" * 64,
        row_count=1,
        result={
            "figures": [["instruments", 1, "int"], ["effective_hours", "12.50", "hours"], ["rating", None, "rating"]],
            "tables": [
                {"key": "instruments", "columns": [["instrument_id", "int"], ["instrument", "text"]], "count": 1}
            ],
            "charts": [
                {"key": "utilisation_bands", "kind": "bar", "labels": ["band_0_25"], "series": [["instruments", [1]]]}
            ],
            "errors": [],
            "notes": [],
        },
    )
    ReportRow.objects.create(run=run, table="instruments", position=0, values=[INSTRUMENT, "场发射扫描电镜"])


as_bureau = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json", application, config=fuzz_config(TOKEN)
).include(path_regex=r"^/api/v1/reports/")


@as_bureau.parametrize()
def test_the_reports_api_keeps_its_schema_for_the_bureau(case):
    case.call_and_validate()
