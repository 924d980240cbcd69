"""Domain errors of the instruments app; doors turn them into messages beside the fields or HTTP errors."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.exceptions import DomainError, InvalidTransition, PermissionDenied

__all__ = ["DomainError", "InstrumentRetired", "InvalidTransition", "PermissionDenied", "RowsInvalid"]


class InstrumentRetired(InvalidTransition):
    """A write to an instrument that has been retired."""


class RowsInvalid(ValidationError):
    """Some rows of a list (fee items, opening hours) are wrong.

    ``rows`` maps the row's index to its ``ValidationError`` (with field errors where a field is
    to blame), so a formset can put each message beside the right input; as a plain
    ``ValidationError`` it reads ``{field: ["Row 2: …", …]}`` for the API.
    """

    def __init__(self, field: str, rows: dict[int, ValidationError]):
        self.field = field
        self.rows = rows
        messages = []
        for index, error in sorted(rows.items()):
            for message in error.messages:
                messages.append(_("Row %(n)d: %(message)s") % {"n": index + 1, "message": message})
        super().__init__({field: messages})
