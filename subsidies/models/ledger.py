"""The append-only ledger from which every subsidy total is derived or checked."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MONEY_FIELD

from .application import Application
from .programme import Programme
from .reward import ProviderReward
from .voucher import Voucher, VoucherRedemption


class EntryKind(models.TextChoices):
    """Each kind moves money in one direction; ``amount`` is always positive.

    committed = commitment + grant − release − clawback − expiry; paid = payment − clawback.
    Vouchers use the same ledger: a grant commits the quota, a draw moves part of it to "drawn"
    (a draw return gives part back after a correction), an expiry releases what was not drawn."""

    COMMITMENT = "commitment", _("Commitment")
    RELEASE = "release", _("Release")
    PAYMENT = "payment", _("Payment")
    CLAWBACK = "clawback", _("Clawback")
    GRANT = "grant", _("Voucher grant")
    DRAW = "draw", _("Voucher draw")
    DRAW_RETURN = "draw_return", _("Voucher draw corrected down")
    EXPIRY = "expiry", _("Voucher expiry")
    REDEMPTION = "redemption", _("Voucher redemption paid")


# The sign of each kind on the committed total and on the paid total.
COMMITTED_SIGN = {
    EntryKind.COMMITMENT: 1,
    EntryKind.RELEASE: -1,
    EntryKind.PAYMENT: 0,
    EntryKind.CLAWBACK: -1,
    EntryKind.GRANT: 1,
    EntryKind.DRAW: 0,
    EntryKind.DRAW_RETURN: 0,
    EntryKind.EXPIRY: -1,
    EntryKind.REDEMPTION: 0,
}
PAID_SIGN = dict.fromkeys(EntryKind, 0) | {EntryKind.PAYMENT: 1, EntryKind.CLAWBACK: -1, EntryKind.REDEMPTION: 1}
# The sign of each kind on a voucher's drawn total.
DRAWN_SIGN = dict.fromkeys(EntryKind, 0) | {EntryKind.DRAW: 1, EntryKind.DRAW_RETURN: -1}


class AppendOnly(Exception):
    pass


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("ledger entries are never updated; write a correcting entry")

    def delete(self):
        raise AppendOnly("ledger entries are never deleted; write a correcting entry")


class LedgerEntry(models.Model):
    """One movement of subsidy money. Never updated or deleted (the model refuses it, and on
    PostgreSQL a trigger refuses it too); a correction is a new entry. ``key`` makes a retried
    decision write nothing new: the same decision always carries the same key."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=15, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY_FIELD)
    holder_key = models.CharField(_("cap holder"), max_length=30)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger")
    reward = models.ForeignKey(ProviderReward, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger")
    redemption = models.ForeignKey(
        VoucherRedemption, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger"
    )
    key = models.CharField(_("idempotency key"), max_length=80, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledgerentry_positive"),
            models.CheckConstraint(
                condition=Q(
                    application__isnull=False, reward__isnull=True, voucher__isnull=True, redemption__isnull=True
                )
                | Q(application__isnull=True, reward__isnull=False, voucher__isnull=True, redemption__isnull=True)
                | Q(application__isnull=True, reward__isnull=True, voucher__isnull=False, redemption__isnull=True)
                | Q(application__isnull=True, reward__isnull=True, voucher__isnull=True, redemption__isnull=False),
                name="ledgerentry_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["programme", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} ({self.key})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("ledger entries are never updated; write a correcting entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("ledger entries are never deleted; write a correcting entry")
