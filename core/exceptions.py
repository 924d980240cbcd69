"""The domain error hierarchy that services raise; the doors turn them into messages or HTTP answers.

- ``DomainError``: a request that breaks a business rule (400 in the API, a form error on a page);
- ``InvalidTransition``: a state change that the allowed-transitions map refuses (409);
- ``Conflict``: the request collides with the current state of shared data, e.g. a taken slot (409);
- ``PermissionDenied`` (Django's): not allowed; the access functions answer 404 before it is reached.
"""

from django.core.exceptions import PermissionDenied  # noqa: F401  (re-exported for the services)


class DomainError(Exception):
    """A request that breaks a business rule; its message is meant for the user."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(DomainError):
    """A state change that the allowed-transitions map refuses."""


class Conflict(DomainError):
    """The request collides with what others hold or just did (a taken slot, a spent budget)."""
