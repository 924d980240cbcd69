"""Realistic demo data for the members app: Baotou's districts, 47 member units, demo logins, groups."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import District, Membership, Unit, UnitGroup
from .roles import BUREAU_GROUP, ensure_bureau_group
from .validators import CREDIT_CODE_CHARSET, credit_code_check_character

User = get_user_model()

DEMO_PASSWORD = "demo-2026"

DEMO_LOGINS = [
    # (e-mail, name, what they are)
    ("bureau@demo.local", "王建国", "bureau officer"),
    ("unitadmin@demo.local", "李明", "administrator of 内蒙古科技大学"),
    ("manager@demo.local", "赵磊", "instrument manager of 内蒙古科技大学"),
    ("enterprise@demo.local", "张伟", "member of 包头稀宝新材料科技有限公司 (an enterprise)"),
    ("root@demo.local", "系统管理员", "superuser"),
]

DISTRICTS = [
    ("150202", "东河区", "Donghe District"),
    ("150203", "昆都仑区", "Kundulun District"),
    ("150204", "青山区", "Qingshan District"),
    ("150205", "石拐区", "Shiguai District"),
    ("150206", "白云鄂博矿区", "Bayan Obo Mining District"),
    ("150207", "九原区", "Jiuyuan District"),
    ("150221", "土默特右旗", "Tumed Right Banner"),
    ("150222", "固阳县", "Guyang County"),
    ("150223", "达尔罕茂明安联合旗", "Darhan Muminggan United Banner"),
    ("150271", "稀土高新区", "Rare Earth Hi-Tech Zone"),
]

# (name, short name, type, district code, scale, high-tech)
UNITS = [
    ("内蒙古科技大学", "内蒙古科大", "university", "150203", "", False),
    ("包头师范学院", "包头师院", "university", "150204", "", False),
    ("包头医学院", "包医", "university", "150202", "", False),
    ("内蒙古科技大学包头医学院第一附属医院", "包医一附院", "hospital", "150202", "", False),
    ("内蒙古科技大学包头医学院第二附属医院", "包医二附院", "hospital", "150204", "", False),
    ("包头市中心医院", "市中心医院", "hospital", "150202", "", False),
    ("包头稀土研究院", "稀土院", "institute", "150271", "", False),
    ("白云鄂博稀土资源研究中心", "白云资源中心", "institute", "150206", "", False),
    ("包头市农牧业科学研究院", "农牧科学院", "institute", "150207", "", False),
    ("内蒙古金属材料研究所", "金属所", "institute", "150204", "", False),
    ("包头市检验检测中心", "市检测中心", "testing_centre", "150203", "", False),
    ("内蒙古自治区稀土产品质量监督检验研究院", "稀土质检院", "testing_centre", "150271", "", False),
    ("包头市产品质量计量检测所", "计量所", "testing_centre", "150202", "", False),
    ("包头海关技术中心", "海关技术中心", "testing_centre", "150207", "", False),
    ("包头市疾病预防控制中心", "市疾控", "testing_centre", "150204", "", False),
    ("内蒙古包钢钢联股份有限公司", "包钢股份", "enterprise", "150203", "large", True),
    ("中国北方稀土（集团）高科技股份有限公司", "北方稀土", "enterprise", "150271", "large", True),
    ("内蒙古第一机械集团股份有限公司", "一机集团", "enterprise", "150204", "large", True),
    ("内蒙古北方重工业集团有限公司", "北重集团", "enterprise", "150207", "large", True),
    ("包头铝业有限公司", "包头铝业", "enterprise", "150207", "large", False),
    ("包头天和磁材科技股份有限公司", "天和磁材", "enterprise", "150271", "medium", True),
    ("包头韵升强磁材料有限公司", "韵升强磁", "enterprise", "150271", "medium", True),
    ("内蒙古包钢稀土钢板材有限责任公司", "稀土钢板材", "enterprise", "150203", "large", False),
    ("包头稀宝新材料科技有限公司", "稀宝新材", "enterprise", "150271", "small", True),
    ("包头市英思特稀磁新材料股份有限公司", "英思特", "enterprise", "150271", "medium", True),
    ("内蒙古双良新能源有限公司", "双良新能源", "enterprise", "150207", "large", True),
    ("包头美科硅能源有限公司", "美科硅能源", "enterprise", "150207", "medium", True),
    ("内蒙古通威高纯晶硅有限公司", "通威晶硅", "enterprise", "150207", "large", True),
    ("包头华美稀土高科有限公司", "华美稀土", "enterprise", "150271", "medium", True),
    ("包头市金蒙汇磁材料有限责任公司", "金蒙汇磁", "enterprise", "150271", "small", True),
    ("内蒙古蒙牛乳业包头有限责任公司", "蒙牛包头", "enterprise", "150207", "large", False),
    ("包头东宝生物技术股份有限公司", "东宝生物", "enterprise", "150271", "medium", True),
    ("包头长安永磁电机有限公司", "长安永磁", "enterprise", "150271", "small", True),
    ("包头中车电机有限公司", "中车电机", "enterprise", "150204", "medium", True),
    ("内蒙古一机集团富成锻造有限责任公司", "富成锻造", "enterprise", "150204", "medium", False),
    ("包头北方创业股份有限公司", "北方创业", "enterprise", "150204", "large", True),
    ("包头市鹿城水务集团有限公司", "鹿城水务", "enterprise", "150202", "large", False),
    ("包头市新恒丰能源有限公司", "新恒丰", "enterprise", "150221", "medium", False),
    ("内蒙古希望铝业有限公司", "希望铝业", "enterprise", "150207", "large", False),
    ("包头市达茂稀土有限责任公司", "达茂稀土", "enterprise", "150223", "small", False),
    ("固阳县金山矿业有限公司", "金山矿业", "enterprise", "150222", "small", False),
    ("包头石拐煤化工有限公司", "石拐煤化", "enterprise", "150205", "medium", False),
    ("包头市绿源危险废物处置有限公司", "绿源处置", "enterprise", "150207", "small", False),
    ("内蒙古新雨稀土功能材料有限公司", "新雨稀土", "enterprise", "150271", "small", True),
    ("包头市精工检测技术有限公司", "精工检测", "enterprise", "150203", "micro", True),
    ("包头智谱分析测试技术有限公司", "智谱测试", "enterprise", "150271", "micro", True),
    ("内蒙古稀土功能材料创新中心有限责任公司", "稀土创新中心", "institute", "150271", "", True),
]

# English names of the demo units, shown on English pages (a unit without one shows its name).
UNIT_NAMES_EN = {
    "内蒙古科技大学": "Inner Mongolia University of Science and Technology",
    "包头师范学院": "Baotou Teachers' College",
    "包头医学院": "Baotou Medical College",
    "内蒙古科技大学包头医学院第一附属医院": "First Affiliated Hospital of Baotou Medical College",
    "内蒙古科技大学包头医学院第二附属医院": "Second Affiliated Hospital of Baotou Medical College",
    "包头市中心医院": "Baotou Central Hospital",
    "包头稀土研究院": "Baotou Research Institute of Rare Earths",
    "白云鄂博稀土资源研究中心": "Bayan Obo Rare Earth Resources Research Centre",
    "包头市农牧业科学研究院": "Baotou Academy of Agricultural and Animal Husbandry Sciences",
    "内蒙古金属材料研究所": "Inner Mongolia Metal Materials Research Institute",
    "包头市检验检测中心": "Baotou Inspection and Testing Centre",
    "内蒙古自治区稀土产品质量监督检验研究院": "Inner Mongolia Rare Earth Product Quality Inspection Institute",
    "包头市产品质量计量检测所": "Baotou Institute of Product Quality and Metrology",
    "包头海关技术中心": "Baotou Customs Technical Centre",
    "包头市疾病预防控制中心": "Baotou Center for Disease Control and Prevention",
    "内蒙古包钢钢联股份有限公司": "Inner Mongolia Baotou Steel Union Co., Ltd.",
    "中国北方稀土（集团）高科技股份有限公司": "China Northern Rare Earth (Group) High-Tech Co., Ltd.",
    "内蒙古第一机械集团股份有限公司": "Inner Mongolia First Machinery Group Co., Ltd.",
    "内蒙古北方重工业集团有限公司": "Inner Mongolia North Heavy Industries Group Co., Ltd.",
    "包头铝业有限公司": "Baotou Aluminium Co., Ltd.",
    "包头天和磁材科技股份有限公司": "Baotou Tianhe Magnetic Materials Technology Co., Ltd.",
    "包头韵升强磁材料有限公司": "Baotou Yunsheng Strong Magnet Materials Co., Ltd.",
    "内蒙古包钢稀土钢板材有限责任公司": "Inner Mongolia Baotou Steel Rare Earth Steel Plate Co., Ltd.",
    "包头稀宝新材料科技有限公司": "Baotou Xibao New Materials Technology Co., Ltd.",
    "包头市英思特稀磁新材料股份有限公司": "Baotou INST Magnetic New Materials Co., Ltd.",
    "内蒙古双良新能源有限公司": "Inner Mongolia Shuangliang New Energy Co., Ltd.",
    "包头美科硅能源有限公司": "Baotou Meike Silicon Energy Co., Ltd.",
    "内蒙古通威高纯晶硅有限公司": "Inner Mongolia Tongwei High-Purity Silicon Co., Ltd.",
    "包头华美稀土高科有限公司": "Baotou Huamei Rare Earth High-Tech Co., Ltd.",
    "包头市金蒙汇磁材料有限责任公司": "Baotou Jinmenghui Magnetic Materials Co., Ltd.",
    "内蒙古蒙牛乳业包头有限责任公司": "Inner Mongolia Mengniu Dairy (Baotou) Co., Ltd.",
    "包头东宝生物技术股份有限公司": "Baotou Dongbao Bio-Tech Co., Ltd.",
    "包头长安永磁电机有限公司": "Baotou Chang'an Permanent Magnet Motor Co., Ltd.",
    "包头中车电机有限公司": "Baotou CRRC Electric Motor Co., Ltd.",
    "内蒙古一机集团富成锻造有限责任公司": "Inner Mongolia First Machinery Group Fucheng Forging Co., Ltd.",
    "包头北方创业股份有限公司": "Baotou Beifang Chuangye Co., Ltd.",
    "包头市鹿城水务集团有限公司": "Baotou Lucheng Water Group Co., Ltd.",
    "包头市新恒丰能源有限公司": "Baotou Xinhengfeng Energy Co., Ltd.",
    "内蒙古希望铝业有限公司": "Inner Mongolia Hope Aluminium Co., Ltd.",
    "包头市达茂稀土有限责任公司": "Baotou Damao Rare Earth Co., Ltd.",
    "固阳县金山矿业有限公司": "Guyang Jinshan Mining Co., Ltd.",
    "包头石拐煤化工有限公司": "Baotou Shiguai Coal Chemical Co., Ltd.",
    "包头市绿源危险废物处置有限公司": "Baotou Lüyuan Hazardous Waste Disposal Co., Ltd.",
    "内蒙古新雨稀土功能材料有限公司": "Inner Mongolia Xinyu Rare Earth Functional Materials Co., Ltd.",
    "包头市精工检测技术有限公司": "Baotou Jinggong Testing Technology Co., Ltd.",
    "包头智谱分析测试技术有限公司": "Baotou Zhipu Analysis and Testing Technology Co., Ltd.",
    "内蒙古稀土功能材料创新中心有限责任公司": "Inner Mongolia Rare Earth Materials Innovation Centre Co., Ltd.",
    "包头市青山区创新检测实验室": "Baotou Qingshan Innovation Testing Laboratory",
}

# Related units (DOMAIN.md §6): (group, actual controller, its units, confirmed by the bureau).
# The first is the bureau-confirmed group of three 一机 enterprises; the second a declaration made
# at registration by the unit still waiting for review, which counts for nothing yet.
GROUPS = [
    (
        "内蒙古一机集团",
        "中国兵器工业集团有限公司",
        ["内蒙古第一机械集团股份有限公司", "内蒙古一机集团富成锻造有限责任公司", "包头北方创业股份有限公司"],
        True,
    ),
    ("青山创新控股集团", "孙建华", ["包头市青山区创新检测实验室"], False),
]

WEBSITES = {"内蒙古科技大学": "https://www.imust.edu.cn", "包头师范学院": "https://www.bttc.edu.cn"}


def demo_credit_code(index: int, unit_type: str) -> str:
    """A well-formed credit code for demo unit number ``index`` (with a correct check character)."""
    authority_and_kind = "12" if unit_type in ("university", "institute", "hospital", "testing_centre") else "91"
    rng = random.Random(index)
    body = "".join(rng.choice(CREDIT_CODE_CHARSET[:10]) for _ in range(4)) + "".join(
        rng.choice(CREDIT_CODE_CHARSET) for _ in range(9)
    )
    first17 = f"{authority_and_kind}1502{body}"[:17]
    return first17 + credit_code_check_character(first17)


def _user(email, name, **extra):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, **extra)
    return user


def seed(stdout=None):
    """Create the demo districts, units and logins; running it twice changes nothing."""
    ensure_bureau_group()
    districts = {}
    for order, (code, name, name_en) in enumerate(DISTRICTS):
        districts[code], _ = District.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )

    units = {}
    for index, (name, short, unit_type, district, scale, high_tech) in enumerate(UNITS):
        units[name], _ = Unit.objects.get_or_create(
            name=name,
            defaults={
                "name_en": UNIT_NAMES_EN.get(name, ""),
                "short_name": short,
                "credit_code": demo_credit_code(index, unit_type),
                "unit_type": unit_type,
                "scale": scale,
                "is_high_tech": high_tech,
                "district": districts[district],
                # The street only: the district is its own field, the city the platform's.
                "address": f"示范路{index + 1}号",
                "contact_person": "联系人" + "甲乙丙丁戊己庚辛壬癸"[index % 10],
                "phone": f"0472-{5100000 + index * 37:07d}",
                "email": f"contact{index + 1}@demo.local",
                "website": WEBSITES.get(name, ""),
                "status": Unit.Status.APPROVED,
            },
        )

    bureau = _user("bureau@demo.local", "王建国", is_staff=True, phone="0472-5110000")
    bureau.groups.add(Group.objects.get(name=BUREAU_GROUP))
    if not User.objects.filter(email="root@demo.local").exists():
        User.objects.create_superuser(email="root@demo.local", password=DEMO_PASSWORD, name="系统管理员")

    university = units["内蒙古科技大学"]
    enterprise = units["包头稀宝新材料科技有限公司"]
    memberships = [
        (_user("unitadmin@demo.local", "李明", phone="13904720001"), university, Membership.Role.ADMIN),
        (_user("manager@demo.local", "赵磊", phone="13904720002"), university, Membership.Role.MANAGER),
        (_user("enterprise@demo.local", "张伟", phone="13904720003"), enterprise, Membership.Role.ADMIN),
    ]
    for user, unit, role in memberships:
        Membership.objects.get_or_create(
            user=user, unit=unit, defaults={"role": role, "status": Membership.Status.ACTIVE}
        )

    # One unit still waiting for the bureau, so the review queue is not empty.
    Unit.objects.get_or_create(
        name="包头市青山区创新检测实验室",
        defaults={
            "name_en": UNIT_NAMES_EN["包头市青山区创新检测实验室"],
            "short_name": "青山创新实验室",
            "credit_code": demo_credit_code(999, "enterprise"),
            "unit_type": Unit.Type.ENTERPRISE,
            "scale": Unit.Scale.MICRO,
            "district": districts["150204"],
            "address": "幸福路8号",
            "contact_person": "孙芳",
            "phone": "13904720099",
            "email": "pending@demo.local",
        },
    )
    _fill_english_names()
    _seed_groups()
    return units


def _fill_english_names():
    """Give demo units seeded before units had English names theirs (only where still empty)."""
    for name, name_en in UNIT_NAMES_EN.items():
        Unit.objects.filter(name=name, name_en="").update(name_en=name_en)


def _seed_groups():
    for name, controller, unit_names, confirmed in GROUPS:
        group, _ = UnitGroup.objects.get_or_create(name=name, defaults={"controller": controller})
        for unit in Unit.objects.filter(name__in=unit_names).order_by("pk"):
            if (unit.group_id, unit.group_confirmed) != (group.pk, confirmed):
                unit.group, unit.group_confirmed = group, confirmed
                unit._change_reason = "demo data"
                unit.save()
