"""Calendar feed tokens and service-record imports."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.jobs import BackgroundJob
from members.models import Unit


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """The secret in a person's iCal feed URLs; resetting it makes the old URLs stop working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self):
        return f"{self.user}"


def import_file_path(instance, filename):
    return f"imports/service-records/{instance.unit_id}/{filename}"


class ServiceRecordImport(BackgroundJob):
    """A spreadsheet of service records: checked in a dry run, written only when confirmed.

    The dry run and the write are Celery tasks that record their progress here (``core.jobs``),
    so the review page polls this row instead of waiting on a long request.
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking the file")
        VALIDATED = "validated", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.VALIDATING: {Status.VALIDATED, Status.FAILED},
        Status.VALIDATED: {Status.IMPORTING, Status.CANCELLED},
        Status.IMPORTING: {Status.DONE, Status.FAILED},
    }
    ACTIVE_STATUSES = (Status.VALIDATING, Status.IMPORTING)
    FAILED_STATUS = Status.FAILED

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    file = models.FileField(_("file"), upload_to=import_file_path)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.VALIDATING, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    to_create = models.PositiveIntegerField(_("rows to create"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    # Each status step keeps who and why; the report (up to hundreds of listed errors) is not copied.
    history = HistoricalRecords(excluded_fields=["report"])

    class Meta(BackgroundJob.Meta):
        verbose_name = _("service record import")
        verbose_name_plural = _("service record imports")

    def __str__(self):
        return self.original_name
