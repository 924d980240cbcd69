"""Calendar feed tokens and service-record imports."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from instruments.models import SpreadsheetImport
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


class ServiceRecordImport(SpreadsheetImport):
    """A spreadsheet of service records (see ``instruments.models.SpreadsheetImport``)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    file = models.FileField(_("file"), upload_to=import_file_path)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    # Each status step keeps who and why; the report (up to hundreds of listed errors) is not copied.
    history = HistoricalRecords(excluded_fields=["report"])

    class Meta(SpreadsheetImport.Meta):
        verbose_name = _("service record import")
        verbose_name_plural = _("service record imports")

    def __str__(self):
        return self.original_name
