"""Spreadsheet import of service records (.xlsx or .csv): a dry run that checks every row and
writes nothing, then a confirmation that writes all rows in one transaction, or none."""

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from instruments.models import Instrument
from members.models import Unit
from members.permissions import is_unit_manager

from .availability import local_tz
from .exceptions import DomainError, PermissionDenied
from .models import FundingSource, ServiceRecord, ServiceRecordImport, ServiceWay
from .services.records import service_record_create

MAX_ROWS = 5000

# (field, Chinese header, required)
COLUMNS = [
    ("asset_number", "资产编号", True),
    ("started_at", "开始时间", True),
    ("ended_at", "结束时间", True),
    ("service_content", "服务内容", True),
    ("service_way", "服务方式", True),
    ("preparation_hours", "准备机时", False),
    ("measurement_hours", "测量机时", False),
    ("post_processing_hours", "后处理机时", False),
    ("sample_count", "样品数", False),
    ("user_name", "用户姓名", True),
    ("user_unit", "用户单位", True),
    ("project_name", "支撑项目", False),
    ("funding_source", "经费来源", False),
    ("amount", "收费金额", False),
    ("amount_reason", "金额说明", False),
]
HEADER_TO_FIELD = {h: f for f, h, _r in COLUMNS} | {f: f for f, _h, _r in COLUMNS}

SERVICE_WAYS = {
    "占用共享": ServiceWay.USER_OPERATES,
    "技术共享": ServiceWay.GUIDED,
    "委托共享": ServiceWay.COMMISSION,
    "远程共享": ServiceWay.REMOTE,
    "其他": ServiceWay.OTHER,
} | {v: v for v in ServiceWay.values}
FUNDING = {
    "国家重点计划": FundingSource.NATIONAL,
    "国家自然科学基金": FundingSource.NSFC,
    "省级计划": FundingSource.PROVINCIAL,
    "地方计划": FundingSource.LOCAL,
    "企业自筹": FundingSource.ENTERPRISE,
    "其他": FundingSource.OTHER,
    "无": FundingSource.NONE,
    "": FundingSource.NONE,
} | {v: v for v in FundingSource.values}


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([h for _f, h, _r in COLUMNS])
    writer.writerow(
        ["SEM-001", "2026-03-02 09:00", "2026-03-02 12:00", "断口形貌观察", "委托共享", "0.5", "2", "0.5", "4",
         "王工", "包头稀宝新材料科技有限公司", "高性能磁材研发", "企业自筹", "", ""]
    )  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def read_rows(upload) -> list[dict]:
    """Rows as dicts keyed by field name; raises DomainError for an unreadable file."""
    name = upload.name.lower()
    try:
        if name.endswith(".xlsx"):
            from openpyxl import load_workbook

            sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
            raw = [list(r) for r in sheet.iter_rows(values_only=True)]
        else:
            text = upload.read().decode("utf-8-sig")
            raw = list(csv.reader(io.StringIO(text)))
    except Exception as exc:  # any parser error means the file is not what we expect
        raise DomainError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc
    if not raw:
        raise DomainError(_("The file is empty."))
    headers = [HEADER_TO_FIELD.get(str(h or "").strip()) for h in raw[0]]
    missing = [h for f, h, req in COLUMNS if req and f not in headers]
    if missing:
        raise DomainError(_("Columns are missing: %(columns)s. Use the template.") % {"columns": "、".join(missing)})
    rows = []
    for values in raw[1:]:
        if all(v in (None, "") for v in values):
            continue
        rows.append({f: v for f, v in zip(headers, values, strict=False) if f})
    if len(rows) > MAX_ROWS:
        raise DomainError(_("At most %(n)d rows per file; split the file.") % {"n": MAX_ROWS})
    return rows


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=local_tz())
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=local_tz())
    text = _text(value).replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=local_tz())
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date and time like 2026-03-02 09:00") % {"value": text})


def _decimal(value, default=Decimal("0")) -> Decimal:
    text = _text(value)
    if not text:
        return default
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number") % {"value": text}) from None


def parse_row(row: dict, *, unit: Unit, instruments: dict, units_by_name: dict) -> dict:
    """Turn a row into keyword arguments for service_record_create; raises ValueError."""
    asset = _text(row.get("asset_number"))
    instrument = instruments.get(asset)
    if instrument is None:
        raise ValueError(
            _("no instrument of %(unit)s has asset number “%(asset)s”") % {"unit": unit.name, "asset": asset}
        )
    way = SERVICE_WAYS.get(_text(row.get("service_way")))
    if way is None:
        raise ValueError(_("service way must be one of 占用共享, 技术共享, 委托共享, 远程共享, 其他"))
    funding = FUNDING.get(_text(row.get("funding_source")))
    if funding is None:
        raise ValueError(_("unknown funding source “%(value)s”") % {"value": _text(row.get("funding_source"))})
    samples = _decimal(row.get("sample_count"))
    if samples != samples.to_integral_value() or samples < 0:
        raise ValueError(_("the number of samples must be a whole number"))
    unit_name = _text(row.get("user_unit"))
    amount_text = _text(row.get("amount"))
    return {
        "instrument": instrument,
        "started_at": _datetime(row.get("started_at")),
        "ended_at": _datetime(row.get("ended_at")),
        "service_content": _text(row.get("service_content")),
        "service_way": way,
        "preparation_hours": _decimal(row.get("preparation_hours")),
        "measurement_hours": _decimal(row.get("measurement_hours")),
        "post_processing_hours": _decimal(row.get("post_processing_hours")),
        "sample_count": int(samples),
        "user_name": _text(row.get("user_name")),
        "user_unit": units_by_name.get(unit_name),
        "user_unit_name": unit_name,
        "project_name": _text(row.get("project_name")),
        "funding_source": funding,
        "amount": _decimal(amount_text) if amount_text else None,
        "amount_reason": _text(row.get("amount_reason")),
    }


def _lookups(unit: Unit, rows: list[dict]):
    assets = {_text(r.get("asset_number")) for r in rows}
    instruments = {
        i.asset_number: i
        for i in Instrument.objects.filter(unit=unit, asset_number__in=assets)
        .select_related("unit")
        .prefetch_related("fee_items")
    }
    names = {_text(r.get("user_unit")) for r in rows}
    units_by_name = {u.name: u for u in Unit.objects.filter(name__in=names)}
    return instruments, units_by_name


def _check_rows(*, actor, unit: Unit, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Validate every row without writing: returns (parsed rows, errors)."""
    instruments, units_by_name = _lookups(unit, rows)
    parsed, errors = [], []
    for number, row in enumerate(rows, start=2):
        try:
            kwargs = parse_row(row, unit=unit, instruments=instruments, units_by_name=units_by_name)
            with transaction.atomic():
                # The same service as the form, inside a savepoint that is always rolled back.
                service_record_create(actor=actor, **kwargs)
                raise _DryRun
        except _DryRun:
            parsed.append(kwargs)
        except ValidationError as err:
            errors.append({"row": number, "message": "; ".join(err.messages)})
        except (ValueError, DomainError) as err:
            errors.append({"row": number, "message": getattr(err, "message", None) or str(err)})
    return parsed, errors


class _DryRun(Exception):
    pass


def import_check(*, actor, unit: Unit, upload) -> ServiceRecordImport:
    """The dry run: read and check the whole file, store the report, write no record."""
    if not is_unit_manager(actor, unit):
        raise PermissionDenied
    rows = read_rows(upload)
    _parsed, errors = _check_rows(actor=actor, unit=unit, rows=rows)
    upload.seek(0)
    job = ServiceRecordImport(
        unit=unit,
        created_by=actor,
        original_name=upload.name[:200],
        total_rows=len(rows),
        error_count=len(errors),
        report={"errors": errors[:500]},
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    return job


@transaction.atomic
def import_confirm(*, actor, job: ServiceRecordImport) -> ServiceRecordImport:
    """Write every row of a checked file in one transaction; if any row now fails, write none."""
    job = ServiceRecordImport.objects.select_for_update().select_related("unit").get(pk=job.pk)
    if not is_unit_manager(actor, job.unit):
        raise PermissionDenied
    if job.status != ServiceRecordImport.Status.CHECKED:
        raise DomainError(_("This import is already finished."))
    with job.file.open("rb") as handle:
        handle.name = job.original_name
        rows = read_rows(handle)
    instruments, units_by_name = _lookups(job.unit, rows)
    created = 0
    for number, row in enumerate(rows, start=2):
        try:
            kwargs = parse_row(row, unit=job.unit, instruments=instruments, units_by_name=units_by_name)
            service_record_create(actor=actor, **kwargs)
        except (ValueError, DomainError, ValidationError) as err:
            message = getattr(err, "message", None) or "; ".join(getattr(err, "messages", [str(err)]))
            raise DomainError(
                _("Row %(row)d: %(message)s. Nothing was imported.") % {"row": number, "message": message}
            ) from err
        created += 1
    job.status = ServiceRecordImport.Status.DONE
    job.created_count = created
    job.save()
    return job


def import_cancel(*, actor, job: ServiceRecordImport) -> ServiceRecordImport:
    if not is_unit_manager(actor, job.unit):
        raise PermissionDenied
    if job.status == ServiceRecordImport.Status.CHECKED:
        job.status = ServiceRecordImport.Status.CANCELLED
        job.save(update_fields=["status"])
    return job


__all__ = ["COLUMNS", "ServiceRecord", "import_cancel", "import_check", "import_confirm", "template_csv"]
