"""A service-record spreadsheet refused for its type or size keeps the page's form with the reason;
the limit is the service's, the same as the instrument import's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bookings.models import ServiceRecordImport
from bookings.services import imports

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("upload", "limit", "message"),
    [
        (SimpleUploadedFile("records.pdf", b"%PDF-1.4 not a sheet"), None, ".xlsx or .csv"),
        (SimpleUploadedFile("records.csv", b"a,b\n" * 600), 1024, "split it into several files"),
    ],
    ids=["type", "size"],
)
def test_a_refused_file_keeps_the_form_with_the_reason(
    client, instrument, manager, monkeypatch, upload, limit, message
):
    if limit:
        monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", limit)
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("bookings:record_import"), {"unit": instrument.unit.pk, "file": upload})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not ServiceRecordImport.objects.exists()
