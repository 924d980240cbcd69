"""The REST API's one error shape, and the exception handler that gives it to every error.

Every answer of 400 and above has this body::

    {
      "detail": "The first (or only) message, to show when you show one.",
      "code": "invalid",
      "fields": {"starts_at": ["Add the time zone offset, e.g. 2030-03-06T09:00:00+08:00."]}
    }

``fields`` maps a field of the request to its messages (nested fields as ``fee_items.1.name``); a 400
puts messages about no one field under ``non_field_errors``; ``fields`` is empty when the answer is
not about the request's fields (401, 403, 404, a 409 that names no field). ``code``:

- 400 ``invalid``: the request breaks a rule (DRF and Django validation errors, a filter that makes no
  sense, a ``core.exceptions.DomainError`` — beside its ``.field`` when it has one);
  ``parse_error``: the body is not JSON;
- 401 / 403 ``not_authenticated``, ``authentication_failed``, ``permission_denied``: as DRF decides
  (with session authentication first, an anonymous write answers 403);
- 404 ``not_found``: missing, or not yours: a service's ``PermissionDenied`` answers 404 like the
  access functions do, so an answer never tells whether someone else's object exists;
- 409 ``invalid_transition``: the object's state does not allow the step (approving a cancelled
  booking, changing a retired instrument); ``conflict``: the request collides with what others hold
  (a taken slot);
- 405, 406, 415, 429: DRF's own codes (``method_not_allowed`` …).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import Conflict, DomainError, InvalidTransition


class InvalidTransitionError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object's state does not allow this step.")
    default_code = "invalid_transition"


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the data.")
    default_code = "conflict"


def _field_detail(field: str | None, message) -> dict:
    return {field or api_settings.NON_FIELD_ERRORS_KEY: [message]}


def _conflict_detail(exc: DomainError):
    return {exc.field: [exc.message]} if exc.field else exc.message


def _django_validation_detail(err: DjangoValidationError):
    if hasattr(err, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): messages
            for name, messages in err.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: err.messages}


def as_api_exception(exc: Exception) -> Exception:
    """The DRF exception that answers a domain or Django error (others are returned unchanged)."""
    if isinstance(exc, InvalidTransition):
        return InvalidTransitionError(_conflict_detail(exc))
    if isinstance(exc, Conflict):
        return ConflictError(_conflict_detail(exc))
    if isinstance(exc, DomainError):
        return exceptions.ValidationError(_field_detail(exc.field, exc.message))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(_django_validation_detail(exc))
    if isinstance(exc, Http404 | DjangoPermissionDenied):
        # DRF's own PermissionDenied (a permission class said no) is not Django's and stays 403.
        return exceptions.NotFound()
    return exc


def flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """``{"fee_items": [{}, {"name": ["…"]}]}`` → ``{"fee_items.1.name": ["…"]}``."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            fields.update(flatten(value, f"{prefix}.{name}" if prefix else str(name)))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, value in enumerate(detail):
            fields.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(detail, list):
        if detail:
            fields[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(item) for item in detail]
    else:
        fields[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(detail)]
    return fields


def error_body(exc: exceptions.APIException) -> dict:
    """The one error shape (see the module docstring) of a DRF exception."""
    detail = exc.detail
    if isinstance(detail, dict | list):
        fields = flatten(detail)
        non_field = fields.get(api_settings.NON_FIELD_ERRORS_KEY)
        first = non_field or next(iter(fields.values()), None) or [str(exc.default_detail)]
        message = first[0]
    else:
        fields, message = {}, str(detail)
    return {"detail": message, "code": exc.default_code, "fields": fields}


def api_exception_handler(exc, context):
    """``REST_FRAMEWORK["EXCEPTION_HANDLER"]``: every error in the one shape; unknown ones stay 500."""
    exc = as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = error_body(exc)
    return response


@csrf_exempt  # no form posts here: every method gets the same 404
def api_not_found(request):
    """Any URL under /api/ that names no operation: the one error body with 404, whatever the method
    (a path segment like ``%C2%84`` where an id belongs, a misspelt path). A GET or HEAD that only
    lacks its trailing slash is redirected as ``APPEND_SLASH`` would."""
    if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return JsonResponse(error_body(exceptions.NotFound()), status=status.HTTP_404_NOT_FOUND)
