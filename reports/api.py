"""The reports part of the REST API: start a report run, follow it, read its figures and rows.

``POST /api/v1/reports/`` queues a run (``reports.services.report_run_start``; the period as
``reports.periods.period_parse`` reads it, a custom period's ``end`` being its last day);
``GET /api/v1/reports/`` lists the runs you may see, ``GET /api/v1/reports/{id}/`` gives one with
its live progress and, once done, its figures, charts and the tables' columns, and
``GET /api/v1/reports/{id}/rows/?table=…`` pages through a table's rows (values in column order).

Bureau staff see and start every run; a unit's administrators the runs of their unit, and may
start only those; anyone else gets an empty list and the same 404 for a run that is missing or
not theirs (and 404 when starting one). A broken rule answers 400 beside its field
(``platform_site.api_errors``).
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api_pagination import StrictPageNumberPagination
from core.jobs import job_progress

from . import selectors as access
from .labels import label
from .models import PeriodKind, ReportKind, ReportRow, ReportRun, ScopeKind
from .periods import EARLIEST_YEAR, LATEST_YEAR, period_from_fields, period_of_run
from .permissions import can_see_reports
from .services import report_run_start

# Chart labels that are label keys (the rest are plain text: months, instrument names).
KEYED_CHART_LABELS = {"utilisation_bands"}
TABLE_PATTERN = r"^[a-z0-9_]{1,30}$"


# --- What the API reads --------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(ReportKind.values) + ")$",
        "description": "The report: " + ", ".join(ReportKind.values) + ".",
    }
)
class ReportKindField(serializers.ChoiceField):
    """The report's kind, as a pattern in the schema: an enum there would be named "kind" like the
    evidence kinds of the subsidies API, and the schema's enum names must be unique."""

    def __init__(self, **kwargs):
        super().__init__(choices=ReportKind.choices, **kwargs)


class ReportRunStartSerializer(serializers.Serializer):
    kind = ReportKindField()
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
    year = serializers.IntegerField(
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR - 1,
        required=False,
        allow_null=True,
        help_text="For a month, a quarter or a year.",
    )
    month = serializers.IntegerField(min_value=1, max_value=12, required=False, allow_null=True)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    start = serializers.DateField(required=False, allow_null=True, help_text="A custom period's first day.")
    end = serializers.DateField(
        required=False, allow_null=True, help_text="A custom period's last day (inclusive), at most five years on."
    )
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices, default=ScopeKind.PLATFORM)
    scope_id = serializers.IntegerField(
        min_value=1,
        max_value=access.MAX_ID,
        required=False,
        allow_null=True,
        help_text="The district, category, unit or instrument; none for the whole platform.",
    )


class RowsQuerySerializer(serializers.Serializer):
    table = serializers.RegexField(TABLE_PATTERN, max_length=30, required=False)


# --- What the API answers ------------------------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField(help_text="The first day.")
    last_day = serializers.DateField(help_text="The last day (inclusive).")
    label = serializers.CharField()


class ScopeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField(allow_blank=True)


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(help_text='An exact string ("1455.50"), an integer, or null (no figure: "—").')
    format = serializers.CharField(help_text="text, int, hours, money, wan, rate, rating, date or bool.")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    format = serializers.CharField()


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Its rows (read them at `rows/?table=<key>`).")
    columns = ColumnSerializer(many=True)


class SeriesSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    values = serializers.ListField(child=serializers.JSONField())


class ChartSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text="bar or hbar.")
    labels = serializers.ListField(child=serializers.CharField(allow_blank=True))
    series = SeriesSerializer(many=True)


class ResultSerializer(serializers.Serializer):
    figures = FigureSerializer(many=True)
    tables = TableSerializer(many=True)
    charts = ChartSerializer(many=True)
    errors = serializers.ListField(child=serializers.JSONField())
    notes = serializers.ListField(child=serializers.JSONField())


def result_view(result: dict) -> dict:
    """A run's stored result with every key's title in the reader's language."""
    result = result or {}
    return {
        "figures": [
            {"key": key, "label": label(key), "value": value, "format": fmt}
            for key, value, fmt in result.get("figures", [])
        ],
        "tables": [
            {
                "key": table["key"],
                "label": label(table["key"]),
                "count": table["count"],
                "columns": [{"key": key, "label": label(key), "format": fmt} for key, fmt in table["columns"]],
            }
            for table in result.get("tables", [])
        ],
        "charts": [
            {
                "key": chart["key"],
                "label": label(chart["key"]),
                "kind": chart["kind"],
                "labels": [
                    label(text) if chart["key"] in KEYED_CHART_LABELS else str(text) for text in chart["labels"]
                ],
                "series": [{"key": key, "label": label(key), "values": values} for key, values in chart["series"]],
            }
            for chart in result.get("charts", [])
        ],
        "errors": result.get("errors", []),
        "notes": result.get("notes", []),
    }


class ReportRunListSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=", ".join(ReportKind.values) + ".")
    status = serializers.CharField(read_only=True, help_text="queued, running, done, failed or cancelled.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.SerializerMethodField(help_text="Percent done (live while the run is active).")
    period = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()
    created_by_name = serializers.CharField(source="created_by.name", read_only=True, allow_null=True)

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "progress",
            "period",
            "scope",
            "automatic",
            "row_count",
            "checksum",
            "created_by_name",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, run) -> int:
        return job_progress(run)["percent"]

    @extend_schema_field(PeriodSerializer)
    def get_period(self, run):
        period = period_of_run(run)
        return PeriodSerializer(
            {"kind": run.period_kind, "start": period.start, "last_day": period.last_day, "label": period.label()}
        ).data

    @extend_schema_field(ScopeSerializer)
    def get_scope(self, run):
        return {"kind": run.scope_kind, "id": run.scope_id, "label": run.scope_label}


class ReportRunSerializer(ReportRunListSerializer):
    error = serializers.CharField(read_only=True, help_text="Why the run failed (empty unless it did).")
    result = serializers.SerializerMethodField(help_text="Empty lists until the run is done.")

    class Meta(ReportRunListSerializer.Meta):
        fields = [*ReportRunListSerializer.Meta.fields, "attempts", "error", "result"]
        read_only_fields = fields

    @extend_schema_field(ResultSerializer)
    def get_result(self, run):
        return result_view(run.result)


class ReportRowSerializer(serializers.ModelSerializer):
    values = serializers.ListField(child=serializers.JSONField(), help_text="In the order of the table's columns.")

    class Meta:
        model = ReportRow
        fields = ["position", "values"]
        read_only_fields = fields


class RowsPagination(StrictPageNumberPagination):
    """100 rows a page (``page_size`` up to 1,000); like the API's other lists, ``?page=`` with no
    number is refused (404), not read as page 1."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


# --- The viewset -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Report runs you may see, newest first (bureau: all; unit administrators: their unit)"),
    retrieve=extend_schema(summary="A report run: its status, live progress and, once done, figures, charts, tables"),
)
class ReportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    # JSON only: a form's empty field would be read as "not given" where the schema says a date.
    parser_classes = [JSONParser]
    lookup_value_regex = r"\d+"
    queryset = ReportRun.objects.none()  # for the schema; get_queryset scopes by viewer

    def get_serializer_class(self):
        return ReportRunListSerializer if self.action == "list" else ReportRunSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportRun.objects.none()
        return access.report_runs_for_viewer(self.request.user)

    def get_object(self):
        return access.report_run_get_for_viewer(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="Start a report run (bureau: any scope; unit administrators: their unit)",
        request=ReportRunStartSerializer,
        responses={201: ReportRunSerializer},
        description="The run is computed in the background: poll the run until its status is done or failed.",
    )
    def create(self, request):
        if not can_see_reports(request.user):
            raise Http404
        data = ReportRunStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        run = report_run_start(
            actor=request.user,
            kind=v["kind"],
            period=period_from_fields(v),
            scope_kind=v["scope_kind"],
            scope_id=v.get("scope_id"),
        )
        run = access.report_run_get_for_viewer(user=request.user, pk=run.pk)  # as the task may have left it
        return Response(ReportRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The rows of one of a run's tables, in order (values in the order of its columns)",
        parameters=[
            OpenApiParameter(
                "table",
                {"type": "string", "pattern": TABLE_PATTERN},
                description="The key of one of the run's tables (see `tables` of the run); default: its first table.",
            )
        ],
        responses={200: ReportRowSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=RowsPagination)
    def rows(self, request, pk=None):
        run = self.get_object()
        query = RowsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tables = [table["key"] for table in (run.result or {}).get("tables", [])]
        table = query.validated_data.get("table") or (tables[0] if tables else None)
        if table not in tables:
            raise NotFound(_("The report has no such table (its tables are there once it is done)."))
        rows = ReportRow.objects.filter(run=run, table=table).order_by("position")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ReportRowSerializer(page, many=True).data)


def register(router, **options):
    """Add this app's viewset to the /api/v1/ router (it takes no options)."""
    router.register("reports", ReportRunViewSet, basename="report-run")
