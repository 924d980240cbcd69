"""The API's filter backend (``REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]``)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers


class StrictFilterBackend(DjangoFilterBackend):
    """``REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]``: django-filter's, refusing an empty value for a
    filter that is not free text (``?operating_status=``) with a 400 instead of reading it as "any".
    A page's form sends every field, empty ones too; an API call leaves out what it does not filter by,
    so an empty choice, date, number or yes/no there is a mistake worth telling."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        empty = [
            name
            for name, field in filterset.filters.items()
            if not isinstance(field, django_filters.CharFilter)
            and any(value == "" for value in request.query_params.getlist(name))
        ]
        if empty:
            message = _("Leave this filter out to mean any; an empty value is not one of its values.")
            raise serializers.ValidationError({name: [message] for name in empty})
        return filterset
