"""Domain errors of the members app; doors turn them into messages or HTTP errors."""

from django.core.exceptions import PermissionDenied  # noqa: F401  (re-exported for the services)


class DomainError(Exception):
    """A request that breaks a business rule; its message is meant for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    """A state change that the allowed-transitions map refuses."""
