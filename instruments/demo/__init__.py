"""Realistic demo data for the catalogue: about 945 instruments of Baotou's 47 member units worth
about 3.5亿元 (shared/DOMAIN.md §7), spread over the classification and the city's districts.

Loaded after ``members.demo.seed`` (which creates the units). The records are drawn from the
kinds in ``instruments.demo.kinds`` with a fixed random seed, so every run computes the same
records; a run only adds those whose (unit, asset number) is missing, so a second run changes
nothing. Everything is written with ``bulk_create`` (a few seconds on SQLite).
"""

import random
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from members.models import Unit

from ..invalidation import catalogue_changed
from ..models import Category, FeeItem, Instrument, OpeningHours
from ..search import search_document_for
from .kinds import KINDS, SPECIAL

TARGET_COUNT = 945
TARGET_TOTAL = Decimal("350000000")
FLOOR = Decimal("100000")  # the smallest record of a city catalogue (cities register from 10万元)
CAP = Decimal("9800000")  # drawn records stay below 10 million; only SPECIAL ones exceed it
SEED = 20261123
# A city catalogue averages about 37万元 an instrument (Baotou: 945 worth 3.5亿元), so kinds dearer
# than COMMON_PRICE (万元) are drawn less often than their weight says, by (COMMON_PRICE / price) ** RARITY.
COMMON_PRICE = 20
RARITY = 1.3

# What each demo unit works on (tags of instruments.demo.kinds) and how many instruments it has
# relative to the others.
FIELDS_BY_TYPE = {
    "university": ("materials", "chem", "bio", "physics", "electronic", "env"),
    "hospital": ("medical", "bio"),
    "institute": ("materials", "chem", "physics"),
    "testing_centre": ("chem", "env", "food", "materials", "metrology"),
    "enterprise": ("materials", "chem", "ndt"),
}
FIELDS_BY_UNIT = {
    "内蒙古科技大学": (
        "materials",
        "chem",
        "earth",
        "mechanical",
        "electronic",
        "physics",
        "bio",
        "env",
        "compute",
        "ndt",
    ),
    "包头师范学院": ("chem", "physics", "bio", "env", "electronic", "astro", "atmos"),
    "包头医学院": ("medical", "bio", "chem"),
    "包头稀土研究院": ("materials", "chem", "physics", "nuclear", "ndt"),
    "白云鄂博稀土资源研究中心": ("earth", "chem", "materials", "nuclear"),
    "包头市农牧业科学研究院": ("food", "bio", "env", "atmos", "chem"),
    "内蒙古金属材料研究所": ("materials", "ndt", "mechanical", "chem"),
    "内蒙古自治区稀土产品质量监督检验研究院": ("chem", "materials", "nuclear"),
    "包头市产品质量计量检测所": ("metrology", "electronic", "mechanical", "ndt"),
    "包头海关技术中心": ("chem", "food", "materials", "nuclear"),
    "包头市疾病预防控制中心": ("chem", "bio", "medical", "env", "food", "nuclear"),
    "内蒙古包钢钢联股份有限公司": ("materials", "ndt", "mechanical", "chem", "env"),
    "内蒙古包钢稀土钢板材有限责任公司": ("materials", "ndt", "mechanical"),
    "中国北方稀土（集团）高科技股份有限公司": ("chem", "materials", "nuclear", "env"),
    "内蒙古第一机械集团股份有限公司": ("mechanical", "ndt", "materials", "metrology"),
    "内蒙古北方重工业集团有限公司": ("mechanical", "ndt", "materials", "metrology"),
    "内蒙古一机集团富成锻造有限责任公司": ("mechanical", "ndt", "materials"),
    "包头北方创业股份有限公司": ("mechanical", "ndt", "metrology"),
    "包头铝业有限公司": ("materials", "chem", "ndt"),
    "内蒙古希望铝业有限公司": ("materials", "chem", "ndt"),
    "内蒙古双良新能源有限公司": ("materials", "electronic", "chem"),
    "包头美科硅能源有限公司": ("materials", "electronic", "chem"),
    "内蒙古通威高纯晶硅有限公司": ("materials", "electronic", "chem"),
    "内蒙古蒙牛乳业包头有限责任公司": ("food", "bio", "chem"),
    "包头东宝生物技术股份有限公司": ("bio", "chem", "food"),
    "包头长安永磁电机有限公司": ("electronic", "mechanical", "metrology"),
    "包头中车电机有限公司": ("electronic", "mechanical", "metrology"),
    "包头市鹿城水务集团有限公司": ("water", "env", "chem"),
    "包头市新恒丰能源有限公司": ("chem", "env"),
    "包头石拐煤化工有限公司": ("chem", "env"),
    "固阳县金山矿业有限公司": ("earth", "chem"),
    "包头市绿源危险废物处置有限公司": ("env", "chem"),
    "包头市精工检测技术有限公司": ("ndt", "materials", "mechanical"),
    "包头智谱分析测试技术有限公司": ("chem", "materials"),
    "内蒙古稀土功能材料创新中心有限责任公司": ("materials", "physics", "chem"),
}
WEIGHT_BY_TYPE = {"university": 6, "institute": 4, "testing_centre": 4, "hospital": 3.5}
WEIGHT_BY_SCALE = {"large": 2, "medium": 1.2, "small": 0.7, "micro": 0.6}
WEIGHT_BY_UNIT = {"内蒙古科技大学": 12}

OPERATING_STATUSES = [
    (Instrument.OperatingStatus.NORMAL, 76),
    (Instrument.OperatingStatus.STANDBY, 8),
    (Instrument.OperatingStatus.REMOTE, 2),
    (Instrument.OperatingStatus.OCCASIONAL_FAULTS, 5),
    (Instrument.OperatingStatus.FREQUENT_FAULTS, 2),
    (Instrument.OperatingStatus.AWAITING_REPAIR, 5),
    (Instrument.OperatingStatus.AWAITING_DISPOSAL, 2),
]
SHARING_ENTERPRISE = [("external", 55), ("internal", 25), ("none", 20)]
SHARING_PUBLIC_BODY = [("external", 78), ("internal", 12), ("none", 10)]

CONTACTS = [
    "王强",
    "李娜",
    "张磊",
    "刘洋",
    "陈静",
    "杨帆",
    "赵敏",
    "黄伟",
    "周婷",
    "吴昊",
    "徐丽",
    "孙浩",
    "马骏",
    "朱琳",
    "胡斌",
    "郭瑞",
    "何倩",
    "高峰",
    "林涛",
    "罗佳",
    "乌云",
    "巴特尔",
    "其木格",
    "苏和",
]
ROOMS = ["分析测试中心", "实验楼A座", "实验楼B座", "中心实验室", "检测大楼", "研发中心", "理化检验室"]
SHARING_RULES = [
    "1. 用户通过平台在线预约或电话预约，说明样品与测试要求；\n2. 样品经管理员确认后按预约时间测试；\n"
    "3. 外单位用户须签订测试委托协议；\n4. 测试完成后出具数据或报告，按收费标准结算。",
    "委托测试为主：用户送样并填写《测试委托单》，由本室技术人员操作，一般 5 个工作日内出具结果。"
    "经培训考核合格的用户可自主上机。",
    "对外开放共享，优先保障政府科技计划项目和中小企业研发需求；危险、放射性样品须提前说明。",
]
REFERENCE_FEES = (
    "内部用户按成本价收费；外部用户参照《包头市大型科研仪器开放共享服务收费指导标准》执行，科技创新券可抵扣。"
)
OPENING_PATTERNS = [
    [(time(8, 30), time(12, 0)), (time(14, 30), time(17, 30))],
    [(time(9, 0), time(17, 0))],
    [(time(8, 0), time(12, 0)), (time(13, 30), time(18, 0))],
]


def seed(stdout=None):
    """Add the demo instruments that are missing; running it twice changes nothing."""
    units = list(Unit.objects.approved().with_related().order_by("pk"))
    units = [u for u in units if u.name in _demo_unit_names()]
    if not units:
        if stdout:
            stdout.write("instruments: no demo units found; load members.demo.seed first.")
        return []
    categories = {c.code: c for c in Category.objects.select_related("parent")}
    records = plan_records(units, categories)
    existing = set(Instrument.objects.filter(unit__in=units).values_list("unit_id", "asset_number"))
    missing = [r for r in records if (r["instrument"].unit_id, r["instrument"].asset_number) not in existing]
    if missing:
        _write(missing)
    if stdout:
        stdout.write(f"instruments: {len(missing)} demo instruments added ({len(records)} in the demo catalogue).")
    return [r["instrument"] for r in missing]


def _demo_unit_names():
    from members.demo import UNITS

    return {row[0] for row in UNITS}


def _write(records):
    instruments = [r["instrument"] for r in records]
    created = bulk_create_with_history(instruments, Instrument, batch_size=500)
    # bulk_create_with_history returns the objects with their primary keys on every backend.
    by_key = {(i.unit_id, i.asset_number): i for i in created}
    if any(i.pk is None for i in created):  # pragma: no cover - backends without RETURNING
        by_key = {
            (i.unit_id, i.asset_number): i
            for i in Instrument.objects.filter(asset_number__in=[i.asset_number for i in instruments])
        }
    fees, hours, registered = [], [], []
    for record in records:
        instrument = by_key[(record["instrument"].unit_id, record["instrument"].asset_number)]
        instrument.created_at = record["created_at"]
        registered.append(instrument)
        fees += [FeeItem(instrument=instrument, **fee) for fee in record["fees"]]
        hours += [OpeningHours(instrument=instrument, **period) for period in record["hours"]]
    # Registration dates spread over the platform's life (auto_now_add cannot take them).
    Instrument.objects.bulk_update(registered, ["created_at"], batch_size=500)
    FeeItem.objects.bulk_create(fees, batch_size=500)
    OpeningHours.objects.bulk_create(hours, batch_size=1000)
    catalogue_changed()  # bulk writes send no signals


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def unit_counts(units) -> dict:
    """How many instruments each unit gets: TARGET_COUNT split by weight (largest remainder)."""
    weights = {}
    for unit in units:
        weights[unit.pk] = (
            WEIGHT_BY_UNIT.get(unit.name) or WEIGHT_BY_TYPE.get(unit.unit_type) or (WEIGHT_BY_SCALE.get(unit.scale, 1))
        )
    total = sum(weights.values())
    shares = {pk: TARGET_COUNT * w / total for pk, w in weights.items()}
    counts = {pk: int(s) for pk, s in shares.items()}
    for pk in sorted(shares, key=lambda pk: shares[pk] - counts[pk], reverse=True)[
        : TARGET_COUNT - sum(counts.values())
    ]:
        counts[pk] += 1
    return counts


def plan_records(units, categories) -> list[dict]:
    """Every demo record, computed the same way on every run (fixed seed, units by name)."""
    rng = random.Random(SEED)
    units = sorted(units, key=lambda u: u.name)
    by_name = {u.name: u for u in units}
    counts = unit_counts(units)
    now = timezone.now().replace(microsecond=0)
    records = []

    specials = [s for s in SPECIAL if s["unit"] in by_name]
    # Every kind appears at least once, on a unit working in its field.
    forced = {unit.pk: [] for unit in units}
    for kind in KINDS:
        candidates = [u for u in units if set(kind.fields) & _unit_fields(u)]
        if candidates:
            forced[rng.choice(candidates).pk].append(kind)
    for unit in units:
        mine = [s for s in specials if s["unit"] == unit.name]
        drawn = counts[unit.pk] - len(mine)
        records += [_special_record(rng, unit, s, categories, n) for n, s in enumerate(mine, start=1)]
        records += _drawn_records(rng, unit, drawn, categories, start=len(mine) + 1, forced=forced[unit.pk])

    _scale_values(records)
    # Registration times over the last three years; the named records are the newest.
    for record in records:
        record["created_at"] = now - timedelta(days=rng.randint(30, 1100), minutes=rng.randint(0, 1439))
    for offset, record in enumerate(r for r in records if r["special"]):
        record["created_at"] = now - timedelta(days=1 + offset)
    for record in records:
        record["instrument"].search_document = search_document_for(record["instrument"])
    return records


def _unit_fields(unit) -> set:
    return set(FIELDS_BY_UNIT.get(unit.name) or FIELDS_BY_TYPE.get(unit.unit_type, ("chem",)))


def _drawn_records(rng, unit, count, categories, start, forced=()):
    kinds = [k for k in KINDS if _unit_fields(unit) & set(k.fields)]
    weights = [k.weight * min(1.0, (COMMON_PRICE * 2 / sum(k.price)) ** RARITY) for k in kinds]
    records, expensive = [], set()
    forced = list(forced)
    for n in range(start, start + count):
        kind = forced.pop() if forced else rng.choices(kinds, weights=weights)[0]
        while kind.price[0] >= 300 and kind.name in expensive:  # at most one of each costly kind
            kind = rng.choices(kinds, weights=weights)[0]
        if kind.price[0] >= 300:
            expensive.add(kind.name)
        manufacturer, country, model = rng.choice(kind.makers)
        low, high = kind.price
        value = Decimal(str(round(rng.uniform(low, high) * 10000, -2)))
        records.append(
            _record(
                rng,
                unit,
                n,
                categories[kind.code],
                {
                    "name": kind.name,
                    "name_en": kind.name_en,
                    "manufacturer": manufacturer,
                    "country": country,
                    "model": model,
                    "value": value,
                    "indicators": kind.indicators,
                    "functions": kind.functions,
                    "service": kind.service,
                    "subjects": kind.subjects,
                },
                special=False,
            )
        )
    return records


def _special_record(rng, unit, spec, categories, n):
    data = dict(spec, value=Decimal(spec["value"]))
    record = _record(rng, unit, n, categories[spec["code"]], data, special=True)
    instrument = record["instrument"]
    # The named records are the showcase: in order, shared, with fees and hours.
    instrument.operating_status = Instrument.OperatingStatus.NORMAL
    instrument.sharing_mode = Instrument.SharingMode.EXTERNAL
    record["fees"] = record["fees"] or _fees(rng, instrument, spec["service"])
    record["hours"] = record["hours"] or _hours(OPENING_PATTERNS[0])
    return record


def _record(rng, unit, n, category, data, *, special):
    commissioned = date(2008, 1, 1) + timedelta(days=rng.randint(0, 6380))
    sharing = _pick(rng, SHARING_ENTERPRISE if unit.unit_type == "enterprise" else SHARING_PUBLIC_BODY)
    instrument = Instrument(
        unit=unit,
        asset_number=f"{commissioned.year}-{n:04d}",
        name=data["name"],
        name_en=data["name_en"],
        category=category,
        source=_pick(rng, [("purchased", 92), ("self_built", 3), ("donated", 3), ("other", 2)]),
        customs_supervised=data["country"] != "中国" and rng.random() < 0.3,
        original_value=data["value"],
        country_of_origin=data["country"],
        manufacturer=data["manufacturer"],
        model=data["model"],
        commissioned_on=commissioned,
        technical_indicators=data["indicators"],
        functions=data["functions"],
        subject_areas=data["subjects"],
        service_content=data["service"],
        operating_status=_pick(rng, OPERATING_STATUSES),
        sharing_mode=sharing,
        sharing_rules=rng.choice(SHARING_RULES) if sharing != "none" else "",
        reference_fees=REFERENCE_FEES if sharing == "external" and rng.random() < 0.5 else "",
        province="内蒙古自治区",
        city="包头市",
        district=unit.district,
        # The unit's address is its street; province, city and district are the fields above.
        street_address=f"{unit.address}{rng.choice(ROOMS)}{rng.randint(1, 6)}{rng.randint(1, 30):02d}室",
        contact_person=rng.choice(CONTACTS),
        contact_phone=f"0472-{rng.randint(5100000, 6999999)}",
        contact_email=f"lab{unit.pk}-{n}@demo.local",
        needs_approval=rng.random() < 0.8,
        min_slot_minutes=rng.choice([30, 60]),
        max_slot_minutes=rng.choice([240, 480]),
    )
    fees, hours = [], []
    if sharing == "external" and rng.random() < 0.88:
        fees = _fees(rng, instrument, data["service"])
        hours = _hours(rng.choice(OPENING_PATTERNS))
    elif sharing == "internal" and rng.random() < 0.4:
        fees = _fees(rng, instrument, data["service"])
    return {"instrument": instrument, "fees": fees, "hours": hours, "special": special}


def _fees(rng, instrument, service):
    items = [s for s in service.replace("，", "、").split("、") if s][:3]
    per_sample = any(word in service for word in ("检测", "测定", "分析", "鉴定"))
    fees = []
    for item in items:
        # About 1 yuan per hour per 万元 of value, between 80 and 2,000 yuan.
        base = max(Decimal("80"), min(Decimal("2000"), instrument.original_value / Decimal("10000")))
        external = (base * Decimal(str(rng.uniform(0.7, 1.3)))).quantize(Decimal("1E1"), rounding=ROUND_HALF_UP)
        fees.append(
            {
                "name": item[:100],
                "basis": FeeItem.Basis.SAMPLE if per_sample else FeeItem.Basis.HOUR,
                "external_price": external.quantize(Decimal("0.01")),
                "internal_price": (external * Decimal("0.6")).quantize(Decimal("0.01")),
            }
        )
    return fees


def _hours(pattern):
    return [{"weekday": day, "opens": opens, "closes": closes} for day in range(5) for opens, closes in pattern]


def _scale_values(records):
    """Scale the drawn values so the catalogue is worth TARGET_TOTAL (the named records keep
    theirs); rounded to 100 yuan, drawn ones kept between 10万元 and 10 million."""
    fixed = sum((r["instrument"].original_value for r in records if r["special"]), Decimal("0"))
    drawn = [r["instrument"] for r in records if not r["special"]]
    if not drawn:
        return
    factor = (TARGET_TOTAL - fixed) / sum(i.original_value for i in drawn)
    for instrument in drawn:
        value = (instrument.original_value * factor / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 100
        instrument.original_value = min(max(value, FLOOR), CAP).quantize(Decimal("0.01"))
