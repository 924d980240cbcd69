"""The yearly data pack for the national platform: one XLSX with a sheet per table.

- 仪器 Instruments: the national record (DOMAIN.md §3) of every instrument in scope that was in
  service during the period, in the columns of the instruments' registry export;
- 服务记录 Service records: every service that began in the period (DOMAIN.md §4);
- 单位指标 Unit indicators: per unit, instruments, effective and external hours, sharing rate,
  services and external income (DOMAIN.md §5), also kept as the run's ``by_unit`` table.

The workbook is written by openpyxl in write-only mode into a temporary file while the querysets
stream with ``iterator()``, so memory stays flat whatever the number of records. Headers are in
Chinese and English, since the file goes to the national platform.
"""

import datetime as dt
import tempfile
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from bookings.models import ServiceRecord
from bookings.models.choices import FundingSource, ServicePurpose, ServiceWay
from instruments.importing.columns import REGISTRY_COLUMNS, format_cell
from instruments.models import Instrument
from members.models import Unit

from ..models import ScopeKind
from .base import RunContext, dec, num, ratio
from .sql import started_in_q
from .usage import instruments_in_period_q, use_levels

CHUNK = 2000

# The national record's fields: the registry export's columns without the portal's booking settings.
BOOKING_SETTINGS = {
    "needs_approval",
    "min_slot_minutes",
    "max_slot_minutes",
    "min_lead_hours",
    "max_advance_days",
    "cancel_deadline_hours",
}
INSTRUMENT_COLUMNS = [c for c in REGISTRY_COLUMNS if c.field not in BOOKING_SETTINGS]
INSTRUMENT_SHEET = "仪器 Instruments"
RECORD_SHEET = "服务记录 Service records"
UNIT_SHEET = "单位指标 Unit indicators"

RECORD_HEADER = (
    "所属单位 Owner unit",
    "资产编号 Asset number",
    "仪器名称 Instrument",
    "开始时间 Started at",
    "结束时间 Ended at",
    "服务内容 Service content",
    "服务方式 Service way",
    "服务目的 Purpose",
    "准备机时 Preparation hours",
    "测试机时 Measurement hours",
    "后处理机时 Post-processing hours",
    "服务机时 Service hours",
    "样品数 Samples",
    "金额（元） Amount (yuan)",
    "支撑项目 Supported project",
    "经费来源 Funding source",
    "用户 User",
    "用户单位 User's unit",
    "对外服务 External",
    "评价 Rating",
    "评价意见 Comment",
)
UNIT_HEADER = (
    "单位 Unit",
    "统一社会信用代码 Credit code",
    "仪器数 Instruments",
    "有效工作机时 Effective hours",
    "对外服务机时 External hours",
    "共享率 Sharing rate",
    "服务次数 Services",
    "对外服务收入（元） External income (yuan)",
)
UNIT_COLUMNS = [
    ("name", "text"),
    ("instruments", "int"),
    ("effective_hours", "hours"),
    ("external_hours", "hours"),
    ("sharing_rate", "rate"),
    ("services", "int"),
    ("external_income", "money"),
]

SERVICE_WAY_ZH = {
    ServiceWay.USER_OPERATES: "占用共享",
    ServiceWay.GUIDED: "技术共享",
    ServiceWay.COMMISSION: "委托共享",
    ServiceWay.REMOTE: "远程共享",
    ServiceWay.OTHER: "其他",
}
PURPOSE_ZH = {
    ServicePurpose.RD: "研发",
    ServicePurpose.CERTIFICATION: "法定认证",
    ServicePurpose.ENFORCEMENT: "执法检验",
    ServicePurpose.COMMERCIAL: "商品检验",
    ServicePurpose.MEDICAL: "医疗服务",
}
FUNDING_ZH = {
    FundingSource.NATIONAL: "国家重点计划",
    FundingSource.NSFC: "国家自然科学基金",
    FundingSource.PROVINCIAL: "省级计划",
    FundingSource.LOCAL: "市级计划",
    FundingSource.ENTERPRISE: "企业自筹",
    FundingSource.OTHER: "其他",
    FundingSource.NONE: "无",
}
RATING_ZH = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "极差"}


def compute(ctx: RunContext) -> None:
    from openpyxl import Workbook

    ctx.progress(0, 4)
    workbook = Workbook(write_only=True)
    instruments = _instrument_sheet(ctx, workbook)
    ctx.progress(1, 4)
    records = _record_sheet(ctx, workbook)
    ctx.progress(2, 4)
    totals = _unit_sheet(ctx, workbook)
    ctx.progress(3, 4)
    ctx.figure("instruments", instruments, "int")
    ctx.figure("services", records, "int")
    ctx.figure("effective_hours", num(totals["effective"]), "hours")
    ctx.figure("external_hours", num(totals["external"]), "hours")
    ctx.figure("external_income", num(totals["income"]), "money")
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as out:
        path = out.name
    workbook.save(path)
    ctx.file = (_file_name(ctx), path)


def _file_name(ctx: RunContext) -> str:
    where = f"unit-{ctx.scope.id}" if ctx.scope.kind == ScopeKind.UNIT else "platform"
    when = str(ctx.period.start.year) if ctx.period.kind == "year" else f"{ctx.period.start}-{ctx.period.last_day}"
    return f"data-pack-{when}-{where}.xlsx"


def _sheet(workbook, title: str, header):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _cell(sheet, value):
    """A typed cell: numbers stay numbers, dates dates; text that looks like a formula stays text."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = "0.00"
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _rate_cell(sheet, rate: str | None):
    cell = _cell(sheet, Decimal(rate) if rate is not None else None)
    cell.number_format = "0.00%"
    return cell


def _instrument_sheet(ctx: RunContext, workbook) -> int:
    sheet = _sheet(workbook, INSTRUMENT_SHEET, [c.header for c in INSTRUMENT_COLUMNS])
    queryset = (
        Instrument.objects.filter(ctx.scope.instrument_q(), instruments_in_period_q(ctx.period))
        .select_related("unit", "category", "district")
        .order_by("unit__name", "unit_id", "asset_number")
    )
    count = 0
    for instrument in queryset.iterator(chunk_size=CHUNK):
        sheet.append([_cell(sheet, format_cell(column, instrument)) for column in INSTRUMENT_COLUMNS])
        count += 1
    return count


def _local(value):
    """Excel has no time zones: the platform's local wall time."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _record_sheet(ctx: RunContext, workbook) -> int:
    sheet = _sheet(workbook, RECORD_SHEET, RECORD_HEADER)
    start, end = ctx.bounds
    queryset = (
        ServiceRecord.objects.filter(started_in_q(start, end), ctx.scope.instrument_q("instrument__"))
        .order_by("instrument__unit__name", "instrument__unit_id", "instrument__asset_number", "started_at", "pk")
        .values_list(
            "instrument__unit__name",
            "instrument__asset_number",
            "instrument__name",
            "started_at",
            "ended_at",
            "service_content",
            "service_way",
            "purpose",
            "preparation_hours",
            "measurement_hours",
            "post_processing_hours",
            "hours",
            "sample_count",
            "amount",
            "project_name",
            "funding_source",
            "user_name",
            "user_unit_name",
            "is_external",
            "rating",
            "rating_comment",
        )
    )
    count = 0
    for row in queryset.iterator(chunk_size=CHUNK):
        (unit, asset, name, started, ended, content, way, purpose, prep, measure, post, hours, samples) = row[:13]
        (amount, project, funding, user, user_unit, external, rating, comment) = row[13:]
        values = [
            unit,
            asset,
            name,
            _local(started),
            _local(ended),
            content,
            SERVICE_WAY_ZH.get(way, way),
            PURPOSE_ZH.get(purpose, purpose),
            prep,
            measure,
            post,
            hours,
            samples,
            amount,
            project,
            FUNDING_ZH.get(funding, funding),
            user,
            user_unit,
            "是" if external else "否",
            RATING_ZH.get(rating, ""),
            comment,
        ]
        sheet.append([_cell(sheet, value) for value in values])
        count += 1
    return count


def _unit_sheet(ctx: RunContext, workbook) -> dict:
    """One row per unit with instruments or services in scope, by name; returns the totals."""
    sheet = _sheet(workbook, UNIT_SHEET, UNIT_HEADER)
    table = ctx.table("by_unit", UNIT_COLUMNS)
    counts = dict(
        Instrument.objects.filter(ctx.scope.instrument_q(), instruments_in_period_q(ctx.period))
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    uses = {use["key"]: use for use in use_levels(ctx.period, ctx.scope, levels=("unit",))}
    units = Unit.objects.filter(pk__in=counts.keys() | uses.keys()).order_by("name", "pk")
    totals = {"effective": Decimal(0), "external": Decimal(0), "income": Decimal(0)}
    for unit in units.only("pk", "name", "credit_code").iterator(chunk_size=CHUNK):
        use = uses.get(unit.pk, {})
        effective, external = dec(use.get("effective")), dec(use.get("external"))
        income = dec(use.get("external_income"))
        totals["effective"] += effective
        totals["external"] += external
        totals["income"] += income
        services = use.get("services", 0)
        sharing = ratio(external, effective)
        values = [unit.name, counts.get(unit.pk, 0), num(effective), num(external), sharing, services, num(income)]
        ctx.row(table, values)
        sheet.append(
            [
                _cell(sheet, unit.name),
                _cell(sheet, unit.credit_code),
                _cell(sheet, counts.get(unit.pk, 0)),
                _cell(sheet, Decimal(num(effective))),
                _cell(sheet, Decimal(num(external))),
                _rate_cell(sheet, sharing),
                _cell(sheet, services),
                _cell(sheet, Decimal(num(income))),
            ]
        )
    return totals
