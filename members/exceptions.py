"""Domain errors of the members app (the shared hierarchy of ``core.exceptions``)."""

from core.exceptions import Conflict, DomainError, InvalidTransition, PermissionDenied

__all__ = ["Conflict", "DomainError", "InvalidTransition", "PermissionDenied"]
