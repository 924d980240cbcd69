"""Refused uploads: a page keeps its form with the reason beside the file field; the API accepts
no file at all, so none of its endpoints can answer a refused upload with a 200."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruments import images
from instruments.importing import jobs as import_jobs
from instruments.models import ImportJob, Photo

from .factories import InstrumentFactory, image_upload

pytestmark = pytest.mark.django_db


def test_a_photo_over_the_limit_keeps_the_form_with_the_limit(client, manager, unit, monkeypatch):
    monkeypatch.setattr(images, "MAX_PHOTO_BYTES", 1024)
    instrument = InstrumentFactory(unit=unit)
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("instruments:manage_photos", args=[instrument.pk]),
        {"image": image_upload("PNG", size=(400, 300), noise=True), "caption": "全景"},
    )
    assert response.status_code == 200
    assert "the limit is 1.0\xa0KB" in response.context["form"].errors["image"][0]
    assert not Photo.objects.exists()


@pytest.mark.parametrize(
    ("upload", "limit", "message"),
    [
        (SimpleUploadedFile("仪器.xls", b"\xd0\xcf\x11\xe0old excel"), None, ".xlsx or .csv"),
        (SimpleUploadedFile("仪器.csv", b"a,b\n" * 600), 1024, "split it into several files"),
    ],
    ids=["type", "size"],
)
def test_an_import_file_refused_for_type_or_size_keeps_the_form(
    client, manager, unit, monkeypatch, upload, limit, message
):
    if limit:
        monkeypatch.setattr(import_jobs, "MAX_UPLOAD_BYTES", limit)
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("instruments:import_start", args=[unit.pk]), {"file": upload})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_no_api_endpoint_takes_a_file(client):
    """Every upload goes through a page. An API endpoint that takes a file must answer a refused
    one with 400 (or 413) in the one error shape, tested here, instead of being listed as none."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    takes_files = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
        and any(kind.startswith("multipart/") for kind in operation.get("requestBody", {}).get("content", {}))
        and '"format": "binary"' in str(operation["requestBody"]).replace("'", '"')
    ]
    assert takes_files == []
