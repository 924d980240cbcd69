"""The OpenAPI schema's view inspector: every operation lists its error answers with the one error body.

Reads list 400 (a filter or parameter that makes no sense) and 404; those behind a sign-in also 401
and 403; writes list 400, 401, 403, 404 and 409 (a write open to all, like the token endpoint,
lists no 401/403). An answer an operation declares itself with
``@extend_schema(responses=…)`` is kept as it is. The body is ``platform_site.api_errors``' shape.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

ERROR_DESCRIPTIONS = {
    "400": "The request breaks a rule; `fields` says which field and why (`code`: `invalid`).",
    "401": "Not signed in, or the token is wrong (`code`: `not_authenticated`, `authentication_failed`).",
    "403": "Not signed in (session) or not allowed (`code`: `not_authenticated`, `permission_denied`).",
    "404": "Missing, or not yours: the same answer for both (`code`: `not_found`).",
    "409": "The object's state does not allow the step (`invalid_transition`), or the slot is taken (`conflict`).",
}

OPEN_PERMISSIONS = (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly)


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


class ErrorAutoSchema(AutoSchema):
    """``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``: drf-spectacular's, plus the error answers."""

    def error_codes(self) -> list[str]:
        """400 and 404 always; 401 and 403 where a sign-in may be needed; 409 for writes."""
        write = self.method not in permissions.SAFE_METHODS
        open_to_all = (permissions.AllowAny,) if write else OPEN_PERMISSIONS
        codes = ["400", "404"]
        if any(not isinstance(p, open_to_all) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if write:
            codes.append("409")
        return sorted(codes)

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
