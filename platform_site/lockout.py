"""The answer to a login while the account or the address is locked out (django-axes)."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from members.models import User


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed logins: this account, or logins from this address, are locked for %(minutes)d minutes. "
        "Try again later, reset the password, or ask the bureau to unlock it."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """429 with a clear message: JSON for the API, the login page's look for people."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out", "fields": {}}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


class TokenSerializer(AuthTokenSerializer):
    """DRF's, with the e-mail column's limit at the door: a longer "username" is a 400 before
    django-axes records the attempt in its own column (255 characters, an error on PostgreSQL)."""

    username = serializers.CharField(
        label=AuthTokenSerializer().fields["username"].label,
        write_only=True,
        max_length=User._meta.get_field("email").max_length,
    )


class LockedTokenView(ObtainAuthToken):
    """The API token endpoint, refusing a locked-out account or address before checking the password
    (DRF wraps the request, so django-axes' middleware cannot answer for it)."""

    serializer_class = TokenSerializer
    # Besides the usual error answers, the schema lists the lockout's (platform_site.schema).
    extra_error_codes = ("429",)

    def post(self, request, *args, **kwargs):
        # A body that is not an object (``[null]``) or a username that is not text is the
        # serializer's 400, never a server error here.
        data = request.data if isinstance(request.data, dict) else {}
        username = data.get("username", "")
        credentials = {settings.AXES_USERNAME_FORM_FIELD: username if isinstance(username, str) else ""}
        if AxesProxyHandler.is_locked(request._request, credentials):
            return lockout_response(request._request)
        return super().post(request, *args, **kwargs)
