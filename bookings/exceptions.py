"""Domain errors of the bookings app; doors turn them into messages or HTTP errors (409 for a taken slot)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict, DomainError, InvalidTransition, PermissionDenied

__all__ = ["BookingRuleError", "Conflict", "DomainError", "InvalidTransition", "PermissionDenied", "SlotTaken"]


class BookingRuleError(DomainError):
    """A request that breaks one of the instrument's booking rules (hours, notice, length …)."""


class SlotTaken(Conflict):
    """Someone else holds (part of) the requested time, or just took it."""

    def __init__(self, message=None):
        super().__init__(message or _("This slot was just taken by another booking or an outage. Choose another time."))
