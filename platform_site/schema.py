"""The OpenAPI schema's view inspector: every operation lists its error answers with the one error body.

Every operation lists 400 (a filter, parameter or body that makes no sense) and 404 (missing, not
yours, or a path that names nothing); 401 wherever a token or session is read (a wrong token is
refused even where no sign-in is needed); 403 where a permission may refuse, and for writes that a
signed-in session makes without its CSRF token; writes also 409. A view adds its own codes with
``extra_error_codes`` (the token endpoint's lockout, 429). An answer an operation declares itself
with ``@extend_schema(responses=…)`` is kept as it is. The body is ``platform_site.api_errors``' shape.
"""

import django_filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import authentication, permissions, serializers

ERROR_DESCRIPTIONS = {
    "400": "The request breaks a rule; `fields` says which field and why (`code`: `invalid`).",
    "401": "Not signed in, or the token is wrong (`code`: `not_authenticated`, `authentication_failed`).",
    "403": "Not signed in (session) or not allowed (`code`: `not_authenticated`, `permission_denied`).",
    "404": "Missing, or not yours: the same answer for both (`code`: `not_found`).",
    "409": "The object's state does not allow the step (`invalid_transition`), or the slot is taken (`conflict`).",
    "415": "The body is not in a media type this operation reads (`code`: `unsupported_media_type`).",
    "429": "Too many failed logins: the account or the address is locked for a while (`code`: `locked_out`).",
}

OPEN_PERMISSIONS = (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly)

# A time of day as DRF writes and reads it ("08:30:00", "08:30"): JSON Schema's "time" format wants
# an offset, so the schema gives the pattern instead.
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"

# Dates and times in the years core.timeparse supports (1900 to 2199).
YEAR_PATTERN = r"^(19|20|21)\d\d-"
# A filter's datetime: ISO 8601 in those years with its offset, as the API asks (the filter also reads a
# page's wall time as local), in seconds Python reads (no leap second).
DATETIME_PATTERN = r"^(19|20|21)\d\d-\d\d-\d\dT([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)$"


def decimal_pattern(field: serializers.DecimalField) -> str:
    """What a decimal string must look like: at least one digit, no sign when it cannot be negative."""
    places = field.decimal_places or 0
    whole = max((field.max_digits or 30) - places, 1)
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    fraction = rf"(?:\.\d{{0,{places}}})?" if places else ""
    return rf"^{sign}\d{{1,{whole}}}{fraction}$"


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (see ``platform_site.api_errors``)."""

    detail = serializers.CharField(help_text="The first (or only) message, to show when you show one.")
    code = serializers.CharField(
        help_text="invalid, parse_error, not_authenticated, authentication_failed, permission_denied, "
        "not_found, method_not_allowed, invalid_transition, conflict, throttled …"
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field of the request, nested as `fee_items.1.name`; in a 400 `non_field_errors` "
        "for messages about no one field; empty when the answer is not about the request's fields.",
    )


def filter_parameter_schema(filter_field, schema: dict) -> dict:
    """A query parameter's schema told what its filter refuses: dates and datetimes outside 1900-2199
    (a datetime asked with its offset), and numbers outside the filter's ``min_value``/``max_value``."""
    if isinstance(filter_field, django_filters.IsoDateTimeFilter | django_filters.DateTimeFilter):
        schema["pattern"] = DATETIME_PATTERN
    elif isinstance(filter_field, django_filters.DateFilter):
        schema["pattern"] = YEAR_PATTERN
    elif isinstance(filter_field, django_filters.NumberFilter):
        for bound, key in (("min_value", "minimum"), ("max_value", "maximum")):
            if filter_field.extra.get(bound) is not None:
                value = filter_field.extra[bound]
                schema[key] = int(value) if value == int(value) else float(value)
    return schema


class StrictFilterExtension(DjangoFilterExtension):
    """drf-spectacular's django-filter parameters (it outranks that extension), told the filters' limits
    (``filter_parameter_schema``). A filter whose values are read from the database (a class, district or
    unit) states its type with ``extend_schema_field``; its help text stays the description."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            parameter["schema"] = filter_parameter_schema(filter_field, parameter["schema"])
            description = self._get_field_description(filter_field, None)
            if description and "description" not in parameter:
                parameter["description"] = description
        return parameters


class ErrorAutoSchema(AutoSchema):
    """``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``: drf-spectacular's, plus the error answers."""

    def error_codes(self) -> list[str]:
        """400 and 404 always; 401 where credentials are read; 403 where a permission or CSRF may
        refuse; 409 and 415 for writes; and the view's ``extra_error_codes``."""
        write = self.method not in permissions.SAFE_METHODS
        open_to_all = (permissions.AllowAny,) if write else OPEN_PERMISSIONS
        authenticators = self.view.get_authenticators()
        codes = {"400", "404", *getattr(self.view, "extra_error_codes", ())}
        if authenticators:
            codes.add("401")
        if any(not isinstance(p, open_to_all) for p in self.view.get_permissions()):
            codes.add("403")
        if write:
            codes.update(("409", "415"))
            if any(isinstance(a, authentication.SessionAuthentication) for a in authenticators):
                codes.add("403")
        return sorted(codes)

    def _is_list_view(self, serializer=None) -> bool:
        # A viewset's ``list`` that answers one object (an instrument's availability) says so.
        if getattr(self.view, "list_is_one_object", False):
            return False
        return super()._is_list_view(serializer)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """drf-spectacular's, told what DRF refuses: a blank string where blank is not allowed, a
        decimal without a digit (or negative below a minimum of 0), and times without an offset."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema.get("type") != "string":
            return schema
        if isinstance(field, serializers.TimeField):
            schema.pop("format", None)
            schema["pattern"] = TIME_PATTERN
        elif field.read_only:
            return schema
        elif isinstance(field, serializers.DateTimeField | serializers.DateField):
            schema["pattern"] = YEAR_PATTERN
        elif isinstance(field, serializers.DecimalField):
            schema["pattern"] = decimal_pattern(field)
        elif isinstance(field, serializers.CharField) and not field.allow_blank and "enum" not in schema:
            schema.setdefault("minLength", 1)
            if field.trim_whitespace:
                schema.setdefault("pattern", r"\S")  # spaces alone are trimmed to a blank
        return schema

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self.error_codes():
            if code not in responses:
                response = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                responses[code] = self._get_response_for_code(response, code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation
