"""Spreadsheets for the import and export tests, built in memory as a person would fill them."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from instruments import importing
from instruments.importing.columns import COLUMNS

BY_FIELD = {c.field: c for c in COLUMNS}


def ensure_classification():
    """The seeded classes (migration 0002), back after a transactional test flushed the tables."""
    from instruments.classification import CLASSIFICATION
    from instruments.models import Category

    if Category.objects.filter(code="0105").exists():
        return
    for code, name, name_en, children in CLASSIFICATION:
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        for child_code, child_name, child_en in children:
            Category.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "name_en": child_en, "parent": parent}
            )


def good_row(n: int = 1, **overrides) -> dict:
    """A complete, valid row of a liquid chromatograph, keyed by field name."""
    row = {
        "asset_number": f"LC-{n:05d}",
        "name": f"液相色谱仪{n}",
        "name_en": "Liquid chromatograph",
        "category": "0105",
        "source": "购置",
        "customs_supervised": "否",
        "original_value": "1,200,000.00",
        "country_of_origin": "美国",
        "manufacturer": "安捷伦科技有限公司",
        "model": "1290 Infinity II",
        "commissioned_on": "2020-05-01",
        "technical_indicators": "流速 0.05–5 mL/min；压力 1300 bar",
        "functions": "有机物分离与定量分析",
        "subject_areas": "化学；环境科学",
        "service_content": "样品测试",
        "typical_results": "",
        "operating_status": "正常",
        "sharing_mode": "外部共享",
        "sharing_rules": "工作日预约",
        "reference_fees": "300元/样",
        "province": "内蒙古自治区",
        "city": "包头市",
        "district": "",
        "street_address": "阿尔丁大街7号",
        "contact_person": "李工",
        "contact_phone": "0472-5950000",
        "contact_email": "lc@example.cn",
        "needs_approval": "是",
        "min_slot_minutes": "30",
        "max_slot_minutes": "480",
        "min_lead_hours": "24",
        "max_advance_days": "60",
        "cancel_deadline_hours": "24",
    }
    row.update(overrides)
    return row


def table(rows: list[dict], *, labels: str = "both", fields=None) -> list[list]:
    """Header plus rows. ``labels``: "zh", "en" or "both" (the template's); ``fields`` picks and
    orders the columns (default: the template's order)."""
    fields = list(fields or (rows[0].keys() if rows else BY_FIELD))
    header = [{"zh": BY_FIELD[f].zh, "en": BY_FIELD[f].en, "both": BY_FIELD[f].header}[labels] for f in fields]
    return [header] + [[row.get(f, "") for f in fields] for row in rows]


def csv_upload(rows: list[list], name: str = "instruments.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list], name: str = "instruments.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def upload_and_check(*, actor, unit, upload, callbacks, language: str = "en"):
    """Upload a file and let its dry run (an eager task after commit) finish."""
    with translation.override(language), callbacks(execute=True):
        job = importing.import_job_start(actor=actor, unit=unit, uploaded_file=upload, language=language)
    job.refresh_from_db()
    return job


def confirm(*, actor, job, callbacks):
    with callbacks(execute=True):
        importing.import_job_confirm(actor=actor, job=job)
    job.refresh_from_db()
    return job


def errors_of(job) -> list[tuple]:
    return [(e["row"], e["column"], e["message"]) for e in job.report["errors"]]
