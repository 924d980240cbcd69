"""Evidence files: checked by their content (PDF or image), never by their name, and size-limited."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import DomainError, PermissionDenied

from ..models import Application, Evidence
from ..permissions import can_apply_for

MAX_BYTES_DEFAULT = 10 * 1024 * 1024

# Leading bytes of the file kinds accepted, and the content type each is served as.
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def max_bytes() -> int:
    return getattr(settings, "SUBSIDY_EVIDENCE_MAX_BYTES", MAX_BYTES_DEFAULT)


def _check_image(upload) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise DomainError(
            _("The image could not be read; scan or photograph the document again."), field="file"
        ) from err
    finally:
        upload.seek(0)


@transaction.atomic
def evidence_add(*, actor, application: Application, kind: str, file, invoice_number: str = "") -> Evidence:
    """Attach a PDF, PNG or JPEG (by content) of at most ``SUBSIDY_EVIDENCE_MAX_BYTES``; an invoice
    needs its number."""
    application = Application.objects.select_for_update().select_related("unit").get(pk=application.pk)
    if not can_apply_for(actor, application.unit):
        raise PermissionDenied
    if application.status not in Application.EDITABLE_STATUSES:
        raise DomainError(_("Evidence can be added only while the application is a draft or returned to you."))
    if kind not in Evidence.Kind.values:
        raise DomainError(_("Choose what kind of document this is."), field="kind")
    invoice_number = invoice_number.strip()
    if kind == Evidence.Kind.INVOICE and not invoice_number:
        raise DomainError(_("Give the invoice number printed on the invoice."), field="invoice_number")
    if len(invoice_number) > 50:
        raise DomainError(_("An invoice number has at most 50 characters."), field="invoice_number")
    if file.size > max_bytes():
        raise DomainError(
            _("The file is %(size).1f MB; at most %(max).0f MB is accepted.")
            % {"size": file.size / 1048576, "max": max_bytes() / 1048576},
            field="file",
        )
    file.seek(0)
    found = sniff(file.read(16))
    file.seek(0)
    if found is None:
        raise DomainError(_("Attach a PDF, PNG or JPEG file (this file is none of them)."), field="file")
    content_type, extension = found
    if content_type != "application/pdf":
        _check_image(file)
    original = (getattr(file, "name", "") or f"evidence.{extension}").rsplit("/", 1)[-1][:200]
    evidence = Evidence(
        application=application,
        kind=kind,
        invoice_number=invoice_number,
        original_name=original,
        content_type=content_type,
        size=file.size,
        uploaded_by=actor,
    )
    evidence.file.save(f"{kind}.{extension}", file, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence) -> None:
    application = Application.objects.select_for_update().select_related("unit").get(pk=evidence.application_id)
    if not can_apply_for(actor, application.unit):
        raise PermissionDenied
    if application.status not in Application.EDITABLE_STATUSES:
        raise DomainError(_("Evidence can be removed only while the application is a draft or returned to you."))
    evidence.file.delete(save=False)
    evidence.delete()
