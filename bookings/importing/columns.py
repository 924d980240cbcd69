"""The spreadsheet format of service records: the template's columns, Chinese headers and choices.

Headers are fixed Chinese labels, not translations, so a file filled in last year still imports.
On upload a header matches its Chinese label or its field name, ignoring case, spaces and "*".
"""

import csv
import io

from instruments.importing.columns import normalise_label

from ..models import FundingSource, ServicePurpose, ServiceWay

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
    ("purpose", "服务用途", False),
    ("paid_on", "付款日期", False),
]
HEADERS = {f: h for f, h, _r in COLUMNS}
REQUIRED = [f for f, _h, required in COLUMNS if required]
LABELS = {normalise_label(h): f for f, h, _r in COLUMNS} | {normalise_label(f): f for f, _h, _r in COLUMNS}

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
# Looked up as written, then in lower case (the codes); an empty cell is research and development.
PURPOSES = {
    "研发": ServicePurpose.RD,
    "法定认证": ServicePurpose.CERTIFICATION,
    "执法检验": ServicePurpose.ENFORCEMENT,
    "商品检验": ServicePurpose.COMMERCIAL,
    "医疗服务": ServicePurpose.MEDICAL,
    "": ServicePurpose.RD,
} | {v: v for v in ServicePurpose.values}


def field_for_header(text) -> str | None:
    return LABELS.get(normalise_label(text))


def template_csv() -> bytes:
    """The template: the Chinese headers and one example row, UTF-8 with a BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([h for _f, h, _r in COLUMNS])
    writer.writerow(
        ["SEM-001", "2026-03-02 09:00", "2026-03-02 12:00", "断口形貌观察", "委托共享", "0.5", "2", "0.5", "4",
         "王工", "包头稀宝新材料科技有限公司", "高性能磁材研发", "企业自筹", "", "", "研发", "2026-03-06"]
    )  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")
