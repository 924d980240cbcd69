"""Subsidy programmes, for anyone to read: their rules, budget, committed and remaining amounts."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from ..models import Programme
from .access import valid_id
from .serializers import ProgrammeSerializer


@extend_schema_view(
    list=extend_schema(summary="Subsidy programmes, newest year first"),
    retrieve=extend_schema(summary="A subsidy programme's rules, budget, committed and remaining amounts"),
)
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgrammeSerializer
    permission_classes = [AllowAny]
    lookup_value_regex = r"\d+"
    queryset = Programme.objects.prefetch_related("tiers", "listed_units").order_by("-year", "name", "pk")

    def get_object(self):
        programme = self.get_queryset().filter(pk=valid_id(self.kwargs["pk"])).first()
        if programme is None:
            raise Http404
        return programme
