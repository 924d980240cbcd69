"""The spreadsheet format of the instrument registry: one column per field of the national record.

The same table drives the template, the import and the export, so an exported file imports back
unchanged. Header labels are fixed bilingual strings, not translations: a file filled in last year
must still import after a catalogue is reworded. On upload a header matches its Chinese label, its
English label, both together or the field name, ignoring case, spaces, "*" and brackets.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.timeparse import MAX_YEAR, MIN_YEAR

from ..models import Instrument

BLANK = object()  # an empty cell: what it means depends on the field and on create or update

TRUE_WORDS = {"是", "yes", "y", "true", "1", "√", "✓", "有"}
FALSE_WORDS = {"否", "no", "n", "false", "0", "×", "无"}

# Chinese labels of the choices, fixed like the headers (the file format outlives translations).
CHOICE_LABELS_ZH = {
    "source": {
        Instrument.Source.PURCHASED: "购置",
        Instrument.Source.SELF_BUILT: "自研",
        Instrument.Source.DONATED: "捐赠",
        Instrument.Source.OTHER: "其他",
    },
    "operating_status": {
        Instrument.OperatingStatus.NORMAL: "正常",
        Instrument.OperatingStatus.STANDBY: "待机",
        Instrument.OperatingStatus.REMOTE: "远程服务中",
        Instrument.OperatingStatus.OCCASIONAL_FAULTS: "偶有故障",
        Instrument.OperatingStatus.FREQUENT_FAULTS: "故障频繁",
        Instrument.OperatingStatus.AWAITING_REPAIR: "待修",
        Instrument.OperatingStatus.AWAITING_DISPOSAL: "待报废",
    },
    "sharing_mode": {
        Instrument.SharingMode.INTERNAL: "内部共享",
        Instrument.SharingMode.EXTERNAL: "外部共享",
        Instrument.SharingMode.NONE: "不共享",
    },
}
CHOICE_ALIASES = {"source": {"自制": "self_built", "自建": "self_built", "采购": "purchased", "购买": "purchased"}}


class CellError(Exception):
    """A cell that cannot be read; its message tells the user how to fix it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def normalise_label(text) -> str:
    """The form a header is compared in: full-width folded, lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s*()\[\]【】:：/_\-·.,，、]+", "", text)


@dataclass(frozen=True)
class Column:
    """A column of the template: the model field it fills and how cells are read and written."""

    field: str
    zh: str
    en: str
    kind: str = "text"  # text, choice, bool, money, int, date, category, district, credit_code, ignored
    aliases: tuple = field(default=())

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"

    @property
    def model_field(self):
        if self.kind in ("credit_code", "ignored"):
            return None
        return Instrument._meta.get_field(self.field)

    @property
    def required(self) -> bool:
        """Needed to register a new instrument: the model field has neither a blank option nor a default."""
        f = self.model_field
        return f is not None and not f.blank and not f.has_default()

    def labels(self):
        yield from (self.header, self.zh, self.en, self.field, *self.aliases)


# The headers equipment offices actually use (asset ledgers, 仪器设备台账, the national record's
# forms), beside the template's own labels: shown in the template's notes and on the import page.
COLUMNS = (
    Column(
        "asset_number",
        "资产编号",
        "Asset number",
        aliases=("资产号", "资产编码", "资产代码", "固定资产编号", "仪器编号", "设备编号", "仪器设备编号", "asset no"),
    ),
    Column(
        "name",
        "中文名称",
        "Chinese name",
        aliases=("仪器名称", "设备名称", "资产名称", "仪器设备名称", "名称", "name"),
    ),
    Column("name_en", "英文名称", "English name", aliases=("英文名", "外文名称")),
    Column(
        "category",
        "仪器分类",
        "Instrument class",
        "category",
        aliases=("分类", "分类代码", "仪器类别", "仪器分类代码", "category code"),
    ),
    Column("source", "仪器来源", "Source", "choice", aliases=("来源", "资产来源", "取得方式")),
    Column("customs_supervised", "海关监管", "Under customs supervision", "bool", aliases=("是否海关监管",)),
    Column(
        "original_value",
        "原值（元）",
        "Original value (yuan)",
        "money",
        aliases=("原值", "original value", "单价（元）", "单价", "资产原值（元）", "资产原值", "金额（元）", "金额"),
    ),
    Column("country_of_origin", "产地国别", "Country of origin", aliases=("产地", "国别", "生产国别", "国别（产地）")),
    Column(
        "manufacturer",
        "生产制造商",
        "Manufacturer",
        aliases=("制造商", "生产厂家", "生产厂商", "厂家", "厂商", "制造厂商", "生产厂"),
    ),
    Column("model", "规格型号", "Model / specification", aliases=("型号", "型号规格", "规格", "model")),
    Column(
        "commissioned_on",
        "启用日期",
        "Commissioning date",
        "date",
        aliases=("投入使用日期", "启用时间", "购置日期", "购入日期", "购买日期", "购置时间"),
    ),
    Column(
        "technical_indicators",
        "主要技术指标",
        "Main technical indicators",
        aliases=("技术指标", "主要技术参数", "技术参数"),
    ),
    Column("functions", "主要功能", "Main functions", aliases=("主要功能及特色", "主要用途", "用途")),
    Column("subject_areas", "学科领域", "Subject areas", aliases=("所属学科",)),
    Column("service_content", "服务内容", "Service content"),
    Column("typical_results", "典型成果", "Typical results"),
    Column("operating_status", "运行状态", "Operating status", "choice", aliases=("使用状态", "设备状态")),
    Column("sharing_mode", "共享模式", "Sharing mode", "choice", aliases=("共享方式",)),
    Column("sharing_rules", "共享规定", "Sharing rules", aliases=("开放共享规定",)),
    Column("reference_fees", "参考收费标准", "Reference fees", aliases=("收费标准",)),
    Column("province", "省", "Province", aliases=("省份",)),
    Column("city", "市", "City"),
    Column("district", "区县", "District", "district", aliases=("区",)),
    Column(
        "street_address",
        "详细地址",
        "Street address",
        aliases=("安放地址", "地址", "存放地点", "存放地址", "放置地点", "安放地点"),
    ),
    Column(
        "contact_person",
        "联系人",
        "Contact person",
        aliases=("设备管理员", "仪器管理员", "管理员", "负责人", "仪器负责人", "设备负责人", "保管人"),
    ),
    Column("contact_phone", "联系电话", "Contact phone", aliases=("电话", "联系方式", "手机", "phone")),
    Column("contact_email", "电子邮箱", "Contact e-mail", aliases=("邮箱", "email", "contact email", "电子邮件")),
    Column("needs_approval", "预约需审核", "Bookings need approval", "bool"),
    Column("min_slot_minutes", "最短预约（分钟）", "Shortest booking (minutes)", "int"),
    Column("max_slot_minutes", "最长预约（分钟）", "Longest booking (minutes)", "int"),
    Column("min_lead_hours", "最少提前（小时）", "Minimum notice (hours)", "int"),
    Column("max_advance_days", "最远可约（天）", "Furthest bookable day (days ahead)", "int"),
    Column("cancel_deadline_hours", "取消截止（小时）", "Cancellation deadline (hours before)", "int"),
)

# A money header that names 万元 holds ten-thousands of yuan: "原值（万元）" 268 is 2,680,000.00 yuan.
TEN_THOUSAND_HEADERS = ("原值（万元）", "单价（万元）", "资产原值（万元）", "金额（万元）")
TEN_THOUSAND = Decimal(10000)

# Extra leading columns of the bureau's whole-registry export. On import the owner's name is
# ignored and the credit code must be the importing unit's: a registry file imported into one unit
# cannot move other units' instruments into it.
UNIT_NAME_COLUMN = Column("unit_name", "所属单位", "Owner unit", "ignored", aliases=("单位名称",))
UNIT_CODE_COLUMN = Column(
    "unit_credit_code",
    "所属单位统一社会信用代码",
    "Owner unit credit code",
    "credit_code",
    aliases=("统一社会信用代码",),
)
REGISTRY_COLUMNS = (UNIT_NAME_COLUMN, UNIT_CODE_COLUMN, *COLUMNS)

KEY_COLUMN = COLUMNS[0]


# What people add to a header that is not its name: "（必填）", "(required)", "*", a trailing colon.
HEADER_DECORATIONS = re.compile(
    r"[(\[【]\s*(必填|必填项|必录|选填|可选|非必填|required|optional|mandatory)\s*[)\]】]"
    r"|^\s*\*+|\*+\s*$|[:：]\s*$",
    re.IGNORECASE,
)


def normalise_header(text) -> str:
    """A header as compared with the labels: decorations dropped, then ``normalise_label``."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    previous = None
    while previous != text:  # "*资产编号（必填）：" has three
        previous, text = text, HEADER_DECORATIONS.sub("", text).strip()
    return normalise_label(text)


def _label_index():
    index = {}
    original_value = next(c for c in COLUMNS if c.field == "original_value")
    labels = [(column, label) for column in REGISTRY_COLUMNS for label in column.labels()]
    labels += [(original_value, label) for label in TEN_THOUSAND_HEADERS]
    for column, label in labels:
        key = normalise_header(label)
        if index.get(key, column) is not column:
            raise ImproperlyConfiguredLabel(f"The header {label!r} matches two columns")
        index[key] = column
    return index


class ImproperlyConfiguredLabel(Exception):
    pass


LABELS = _label_index()


def column_for_header(text) -> Column | None:
    return LABELS.get(normalise_header(text))


def is_header_row(cells) -> bool:
    """A row of headers: at least two of its cells name different known columns (a title row above
    the headers, "仪器设备台账", names none)."""
    found = {column_for_header(cell_text(cell)) for cell in cells if cell_text(cell)}
    return len(found - {None}) >= 2


def money_scale_for_header(text) -> Decimal:
    """What a plain number in this money column is worth in yuan: 10,000 under a 万元 header."""
    return TEN_THOUSAND if "万元" in normalise_header(text) else Decimal(1)


# --- Reading cells ------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: numbers typed into Excel (asset numbers, phones) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    text = str(value).strip()
    # The CSV export guards formula-looking text with an apostrophe; take it off again.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def parse_money(value, *, scale: Decimal = Decimal(1)) -> Decimal:
    """Yuan: 1200000, 1200000.00, 1,200,000.00, ¥1,200,000 元 or 120万 (万元).

    ``scale`` is what a bare number is worth (10000 under a "原值（万元）" header); a cell that names
    its own unit (元 or 万) is read in that unit.
    """
    if isinstance(value, bool):
        raise CellError(_money_hint(value))
    if isinstance(value, int | Decimal):
        return _yuan(Decimal(value) * scale)
    if isinstance(value, float):
        return _yuan(Decimal(repr(value)) * scale)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    text = re.sub(r"^(¥|rmb|cny)", "", text, flags=re.IGNORECASE)
    multiplier = scale
    if text.endswith(("万元", "万")):
        text = text.removesuffix("元").removesuffix("万")
        multiplier = Decimal(10000)
    elif text.endswith("元"):
        text = text.removesuffix("元")
        multiplier = Decimal(1)
    if not re.fullmatch(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", text):
        raise CellError(_money_hint(value))
    try:
        amount = Decimal(text.replace(",", "")) * multiplier
    except InvalidOperation as err:  # pragma: no cover - the pattern admits only numbers
        raise CellError(_money_hint(value)) from err
    return _yuan(amount)


def _yuan(amount: Decimal) -> Decimal:
    """Two places when that loses nothing; more places are left for the model to refuse."""
    quantized = amount.quantize(Decimal("0.01"))
    return quantized if quantized == amount else amount


def _money_hint(value):
    return _("“%(value)s” is not an amount in yuan: write it like 1200000.00, 1,200,000.00 or 120万.") % {
        "value": cell_text(value)
    }


def parse_int(value) -> int:
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise CellError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})


DATE_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s+0{1,2}:0{2}(:0{2})?)?")


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE_PATTERN.fullmatch(unicodedata.normalize("NFKC", str(value)).strip())
    if match:
        try:
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError(
        _("“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2021-06-30.") % {"value": cell_text(value)}
    )


# What asset ledgers keep: the month ("2011年9月", "2011-09", "2011.9") or only the year ("2011年").
MONTH_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
YEAR_PATTERN = re.compile(r"(\d{4})\s*年?")


def parse_ledger_date(value) -> tuple[datetime.date, str]:
    """A full date, or a month or a year read as its first day; with a note saying so ("" if none)."""
    if isinstance(value, datetime.date | datetime.datetime) or (
        isinstance(value, str) and DATE_PATTERN.fullmatch(unicodedata.normalize("NFKC", value).strip())
    ):
        return parse_date(value), ""
    if isinstance(value, bool):
        raise CellError(_date_hint(value))
    if isinstance(value, float) and re.fullmatch(r"\d{4}\.1", repr(value)):
        # Excel keeps 2011.10 as the number 2011.1: October or January?
        raise CellError(
            _("“%(value)s” could be January or October: write the month as 2011-01 or 2011-10.")
            % {"value": cell_text(value)}
        )
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if match := MONTH_PATTERN.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR:
            day = datetime.date(year, month, 1)
            return day, _("Only the month was given (%(value)s): the 1st, %(date)s, is recorded.") % {
                "value": text,
                "date": day.isoformat(),
            }
    elif (match := YEAR_PATTERN.fullmatch(text)) and MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        day = datetime.date(int(match[1]), 1, 1)
        return day, _("Only the year was given (%(value)s): 1 January, %(date)s, is recorded.") % {
            "value": text,
            "date": day.isoformat(),
        }
    raise CellError(_date_hint(value))


def _date_hint(value):
    return _(
        "“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2021-06-30 (a month such as "
        "2021-06 or a year such as 2021 is read as its first day)."
    ) % {"value": cell_text(value)}


DATETIME_PATTERN = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|\s*T\s*)(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})\s*秒?)?\s*分?)?"
)


def parse_datetime(value, *, tz=None) -> datetime.datetime:
    """A date and time such as 2026-03-02 09:00 (seconds optional; a date alone is midnight),
    aware in ``tz`` (the platform's time zone by default) unless the cell carries its own."""
    tz = tz or timezone.get_default_timezone()
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=tz)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(0), tzinfo=tz)
    match = DATETIME_PATTERN.fullmatch(unicodedata.normalize("NFKC", str(value)).strip())
    if match:
        try:
            parts = [int(part) for part in match.groups(default="0")]
            return datetime.datetime(*parts, tzinfo=tz)
        except ValueError:
            pass
    raise CellError(
        _("“%(value)s” is not a date and time: write it as YYYY-MM-DD HH:MM, for example 2026-03-02 09:00.")
        % {"value": cell_text(value)}
    )


def parse_decimal(value) -> Decimal:
    """A plain number such as 2, 0.5 or 1.25 (hours, quantities); not an amount of money."""
    if isinstance(value, bool):
        raise CellError(_decimal_hint(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?|-?\.\d+", text):
        raise CellError(_decimal_hint(value))
    return Decimal(text)


def _decimal_hint(value):
    return _("“%(value)s” is not a number: write it like 2 or 0.5.") % {"value": cell_text(value)}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = normalise_label(cell_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” is neither 是 nor 否 (yes or no).") % {"value": cell_text(value)})


def choice_lookup(field_name: str) -> dict:
    """Every accepted spelling of each choice (value, Chinese and English label) → value."""
    lookup = {}
    with override("en"):
        english = {value: str(label) for value, label in Instrument._meta.get_field(field_name).choices}
    for value, label_en in english.items():
        for spelling in (value, label_en, CHOICE_LABELS_ZH[field_name][value]):
            lookup[normalise_label(spelling)] = value
    for spelling, value in CHOICE_ALIASES.get(field_name, {}).items():
        lookup[normalise_label(spelling)] = value
    return lookup


CHOICES = {name: choice_lookup(name) for name in CHOICE_LABELS_ZH}


def parse_choice(field_name: str, value) -> str:
    text = cell_text(value)
    found = CHOICES[field_name].get(normalise_label(text))
    if found is None:
        options = "、".join(CHOICE_LABELS_ZH[field_name].values())
        raise CellError(_("“%(value)s” is not one of: %(options)s.") % {"value": text, "options": options})
    return found


def parse_text(column: Column, value) -> str:
    text = cell_text(value)
    max_length = column.model_field.max_length
    # TextField lengths are not checked by full_clean(); the national interface limits them.
    if max_length and column.model_field.get_internal_type() == "TextField":
        try:
            MaxLengthValidator(max_length)(text)
        except ValidationError as err:
            raise CellError(err.messages[0]) from err
    return text


# --- Writing cells ------------------------------------------------------------------------------


def format_cell(column: Column, instrument):
    """The value an export writes for this column (typed: XLSX keeps dates and numbers)."""
    if column.kind == "ignored":
        return instrument.unit.name
    if column.kind == "credit_code":
        return instrument.unit.credit_code
    value = getattr(instrument, column.field)
    if column.kind == "choice":
        return CHOICE_LABELS_ZH[column.field].get(value, value)
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "category":
        return f"{value.code} {value.name}"
    if column.kind == "district":
        return value.name if value else ""
    if value is None:
        return ""
    return value


def header_synonyms(column: Column) -> list[str]:
    """The other headers the import accepts for a column (the ledger names), as people write them."""
    extra = TEN_THOUSAND_HEADERS if column.field == "original_value" else ()
    return [a for a in (column.zh, column.en, *column.aliases, *extra) if a != column.field]


def column_notes():
    """Rows of the template's notes sheet: header, required, what to enter, other accepted headers."""
    hints = {
        "category": "代码或名称，例如 0102 或 质谱仪器 / code or name, e.g. 0102",
        "district": "区县名称 / district name",
        "money": "元，例如 1200000.00 或 120万；表头写“万元”时按万元计 / yuan, e.g. 1200000.00",
        "date": "YYYY-MM-DD；只有年月（2011-09、2011年9月）或年份（2011）按首日计 / a month or a year is its first day",
        "bool": "是 / 否 (yes / no)",
        "int": "整数 / whole number",
    }
    for column in COLUMNS:
        if column.kind == "choice":
            hint = " / ".join(CHOICE_LABELS_ZH[column.field].values())
        else:
            hint = hints.get(column.kind, "")
            max_length = column.model_field.max_length
            if column.kind == "text" and max_length:
                hint = f"≤{max_length}"
        if column.field == "contact_phone":
            hint = "手机 13800000000 或带区号的座机 0472-1234567（可加 转123）/ mobile or landline with area code"
        yield column.header, "是 required" if column.required else "", hint, "、".join(header_synonyms(column))
